// Deterministic generator of an LVFS-scale AppStream catalog (lvfs-metadata.md §3/§8 shape).
//
// Same seed and counts => byte-identical XML, so capstan and fwupd always read the same catalog and
// two runs of the benchmark measure the same thing. Only Node built-ins; no XML library.
//
// Three components target the demo machine's ESRT (demo/machine/root) and carry newer releases whose
// requirements pass on that machine for both capstan and fwupd: see DEMO_TARGETS.

/** A small, fast, seeded PRNG (mulberry32): deterministic across Node versions. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
    hex: (chars) => {
      let s = '';
      while (s.length < chars) s += ((next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
      return s.slice(0, chars);
    },
  };
}

function guidFrom(rng, version = 4) {
  const h = rng.hex(32);
  const variant = ((Number.parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${version}${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const esc = (s) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const VENDORS = [
  ['Dell Inc.', 'com.dell', 'DMI:Dell Inc.'],
  ['LENOVO', 'com.lenovo', 'DMI:LENOVO'],
  ['HP', 'com.hp', 'DMI:HP'],
  ['Framework', 'work.frame', 'DMI:Framework'],
  ['Star Labs', 'com.starlabs', 'DMI:StarLabs'],
  ['System76', 'com.system76', 'DMI:System76'],
  ['Intel Corporation', 'com.intel', 'PCI:0x8086'],
  ['Logitech', 'com.logitech', 'USB:0x046D'],
  ['Synaptics', 'com.synaptics', 'USB:0x06CB'],
  ['Realtek Semiconductor Corp.', 'com.realtek', 'USB:0x0BDA'],
  ['Wacom', 'com.wacom', 'USB:0x056A'],
  ['8BitDo', 'com.8bitdo', 'USB:0x2DC8'],
  ['Purism', 'sh.puri', 'DMI:Purism'],
  ['Acer', 'com.acer', 'DMI:Acer'],
  ['ASUSTeK COMPUTER INC.', 'com.asus', 'DMI:ASUSTeK COMPUTER INC.'],
  ['Microsoft Corporation', 'com.microsoft', 'DMI:Microsoft Corporation'],
  ['Google', 'com.google', 'DMI:Google'],
  ['Hughski Limited', 'com.hughski', 'USB:0x273F'],
  ['Samsung Electronics', 'com.samsung', 'DMI:SAMSUNG ELECTRONICS CO., LTD.'],
  ['Tweaks & Co.', 'com.tweaks', 'DMI:Tweaks & Co.'],
];

const PRODUCT_WORDS = [
  'Latitude',
  'ThinkPad',
  'EliteBook',
  'Laptop',
  'StarBook',
  'Lemur',
  'NUC',
  'Unifying',
  'Prometheus',
  'USB-C Dock',
  'Thunderbolt Dock',
  'Cintiq',
  'Pro Controller',
  'Librem',
  'Swift',
  'ZenBook',
  'Surface',
  'Chromebook',
  'ColorHug',
  'Galaxy Book',
  'OptiPlex',
  'ThinkCentre',
  'ProBook',
  'Precision',
  'Yoga',
];
const PARTS = [
  ['System Firmware', 'X-System', 'system.firmware'],
  ['Embedded Controller', 'X-EmbeddedController', 'ec.firmware'],
  ['Management Engine', 'X-ManagementEngine', 'me.firmware'],
  ['Thunderbolt Controller', 'X-Controller', 'thunderbolt.firmware'],
  ['Dock', 'X-Dock', 'dock.firmware'],
  ['Touchpad', 'X-Device', 'touchpad.firmware'],
  ['Receiver', 'X-Device', 'receiver.firmware'],
];
const PROTOCOLS = [
  'org.uefi.capsule',
  'org.uefi.capsule',
  'org.uefi.capsule',
  'org.uefi.capsule',
  'org.uefi.capsule',
  'org.uefi.capsule',
  'org.uefi.capsule',
  'com.hughsie.dfu',
  'org.usb.dfu',
  'com.synaptics.prometheus',
  'com.dell.dock',
  'com.realtek.rts54',
  'org.flashrom',
  'com.logitech.unifying',
  'com.intel.thunderbolt',
];
const FORMATS = ['quad', 'quad', 'quad', 'triplet', 'triplet', 'number'];
const FIXES = [
  'Fixes an issue where the system would not resume from S3 &amp; S0ix sleep states.',
  'Improves the stability of the USB-C power delivery negotiation with some chargers.',
  'Updates the CPU microcode to the latest version recommended by the silicon vendor.',
  'Addresses security vulnerabilities that could allow an attacker with physical access to bypass Secure Boot.',
  'Fixes the keyboard backlight not turning off when the lid is closed.',
  'Adds support for newer revisions of the NVMe storage devices.',
  'Improves fan noise under light load by adjusting the thermal table.',
  'Fixes a rare hang during POST when an external display is connected through the dock.',
  'Updates the Intel Management Engine firmware to address INTEL-SA-00999.',
  'Corrects the battery charge threshold reported to the operating system.',
];
const URGENCIES = ['low', 'medium', 'medium', 'high', 'critical'];

/**
 * The demo machine's ESRT devices (demo/machine/root), with a version format and a newest release
 * that is an upgrade from the ESRT fw_version. Requirements: fwupd id ge, vendor-id
 * `DMI:Example Computer Inc.` and a CHID both tools compute for the demo's SMBIOS tables
 * (Manufacturer + Family + ProductName + ProductSku).
 */
export const DEMO_VENDOR_ID = 'DMI:Example Computer Inc.';
export const DEMO_CHID = 'fc148aa8-b6d6-5e48-a9c5-51ced8446fd2';
export const DEMO_TARGETS = [
  {
    guid: 'ddc0ee61-e7f0-4e7d-acc5-c070a398838e',
    id: 'com.example.laptop13g2.system.firmware',
    name: 'Laptop 13 Gen 2 System Update',
    category: 'X-System',
    format: 'quad',
    // ESRT 65586 = 0x00010032 = 0.1.0.50 (quad); lowest 65582 = 0.1.0.46
    versions: ['0.1.0.56', '0.1.0.54', '0.1.0.52', '0.1.0.50', '0.1.0.48', '0.1.0.46', '0.1.0.44', '0.1.0.40'],
    expectedUpdate: '0.1.0.56',
  },
  {
    guid: '3f5e8c2a-9b1d-4e7f-a6c3-d2b8e4f1a905',
    id: 'com.example.laptop13g2.ec.firmware',
    name: 'Laptop 13 Gen 2 Embedded Controller',
    category: 'X-EmbeddedController',
    format: 'number',
    // ESRT 134, lowest 120
    versions: ['140', '138', '136', '134', '132', '128', '124', '120'],
    expectedUpdate: '140',
  },
  {
    guid: '7a3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    id: 'com.example.laptop13g2.uefidriver.firmware',
    name: 'Laptop 13 Gen 2 UEFI Driver',
    category: 'X-Device',
    format: 'triplet',
    // ESRT 262144 = 0x00040000 = 0.4.0 (triplet); lowest 196608 = 0.3.0
    versions: ['0.4.3', '0.4.2', '0.4.1', '0.4.0', '0.3.9', '0.3.5', '0.3.2', '0.3.0'],
    expectedUpdate: '0.4.3',
  },
];

function versionString(format, major, minor, build) {
  if (format === 'quad') return `${major}.${minor}.${build >> 8}.${build & 0xff}`;
  if (format === 'triplet') return `${major}.${minor}.${build}`;
  return String(major * 65536 + minor * 256 + build);
}

/** One `<release>`: `ts` in Unix seconds; `cabStem` names the cab like LVFS (hash-Product-version.cab). */
function release(rng, { version, ts, cabStem, withArtifacts }) {
  const cabSha256 = rng.hex(64);
  const cab = `${cabSha256.slice(0, 40)}-${cabStem}-${version}.cab`;
  const url = `https://fwupd.org/downloads/${cab}`;
  const sha1 = rng.hex(40);
  const installed = rng.int(1, 64) * 262144;
  const download = Math.floor(installed * (0.3 + rng.next() * 0.5));
  const payload = rng.chance(0.6) ? 'firmware.bin' : `${cabStem.slice(0, 12)}.cap`;
  const paragraphs = rng.int(1, 3);
  let description = '<p>This release contains the following fixes and improvements:</p>';
  if (rng.chance(0.5)) {
    description += '<ul>';
    for (let i = 0, n = rng.int(2, 5); i < n; i++) description += `<li>${rng.pick(FIXES)}</li>`;
    description += '</ul>';
  }
  for (let i = 0; i < paragraphs; i++) description += `<p>${rng.pick(FIXES)} ${rng.pick(FIXES)}</p>`;
  let issues = '';
  if (rng.chance(0.55)) {
    issues = '<issues>';
    for (let i = 0, n = rng.int(1, 4); i < n; i++) {
      issues += rng.chance(0.8)
        ? `<issue type="cve">CVE-${rng.int(2019, 2026)}-${rng.int(1000, 49999)}</issue>`
        : `<issue type="intel">INTEL-SA-${String(rng.int(100, 1200)).padStart(5, '0')}</issue>`;
    }
    issues += '</issues>';
  }
  const artifacts = withArtifacts
    ? `<artifacts><artifact type="binary"><location>${url}</location><filename>${cab}</filename>` +
      `<checksum type="sha1">${sha1}</checksum><checksum type="sha256">${cabSha256}</checksum>` +
      `<size type="download">${download}</size><size type="installed">${installed}</size></artifact></artifacts>`
    : '';
  return (
    `<release version="${version}" timestamp="${ts}" urgency="${rng.pick(URGENCIES)}" ` +
    `install_duration="${rng.int(1, 12) * 15}" id="${rng.int(10000, 99999)}">` +
    `<location>${url}</location>` +
    `<checksum type="sha1" filename="${cab}" target="container">${sha1}</checksum>` +
    `<checksum type="sha256" filename="${cab}" target="container">${cabSha256}</checksum>` +
    `<checksum type="sha256" filename="${payload}" target="content">${rng.hex(64)}</checksum>` +
    `<size type="installed">${installed}</size><size type="download">${download}</size>` +
    `<description>${description}</description>${issues}` +
    (rng.chance(0.2) ? `<url type="details">https://example.com/releases/${version}</url>` : '') +
    artifacts +
    '</release>'
  );
}

function component(rng, c) {
  const requires = [`<id compare="ge" version="${c.fwupdMin}">org.freedesktop.fwupd</id>`];
  if (c.vendorId !== undefined)
    requires.push(`<firmware compare="eq" version="${esc(c.vendorId)}">vendor-id</firmware>`);
  if (c.chids.length > 0) requires.push(`<hardware>${c.chids.join('|')}</hardware>`);
  let releases = '';
  for (const r of c.releases) releases += release(rng, { ...r, cabStem: c.cabStem, withArtifacts: c.withArtifacts });
  return (
    '<component type="firmware">' +
    `<id>${c.id}</id><name>${esc(c.name)}</name>` +
    `<summary>${esc(`Firmware for the ${c.vendor} ${c.product}`)}</summary>` +
    `<description><p>${esc(`Updating the ${c.part} firmware improves performance and stability.`)}</p></description>` +
    `<provides>${c.guids.map((g) => `<firmware type="flashed">${g}</firmware>`).join('')}</provides>` +
    '<url type="homepage">https://example.com/support</url>' +
    '<metadata_license>CC0-1.0</metadata_license><project_license>proprietary</project_license>' +
    `<developer_name>${esc(c.vendor)}</developer_name>` +
    `<categories><category>${c.category}</category></categories>` +
    `<custom><value key="LVFS::VersionFormat">${c.format}</value>` +
    `<value key="LVFS::UpdateProtocol">${c.protocol}</value></custom>` +
    `<requires>${requires.join('')}</requires>` +
    `<releases>${releases}</releases>` +
    '</component>\n'
  );
}

/**
 * Generates the catalog. Returns { xml: Buffer, components, releases, targets }.
 * `components` includes the three demo components (placed at fixed positions spread through the file).
 */
export function generateCatalog({ components = 5000, releasesPerComponent = 8, seed = 20261125 } = {}) {
  const rng = prng(seed);
  const chunks = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<components origin="lvfs" version="0.9">\n' +
      '<custom><value key="LVFS::Distributor">lvfs</value></custom>\n',
  ];
  const demoAt = new Map(
    DEMO_TARGETS.map((t, i) => [Math.floor(((i + 1) * components) / (DEMO_TARGETS.length + 1)), t]),
  );
  let releaseCount = 0;
  const baseTs = 1795600000; // 2026-11-23
  for (let index = 0; index < components; index++) {
    const demo = demoAt.get(index);
    let c;
    if (demo !== undefined) {
      c = {
        id: demo.id,
        name: demo.name,
        vendor: 'Example Computer Inc.',
        product: 'Laptop 13 Gen 2',
        part: demo.name,
        cabStem: demo.id.split('.')[2],
        guids: [demo.guid],
        category: demo.category,
        format: demo.format,
        protocol: 'org.uefi.capsule',
        fwupdMin: '1.9.8',
        vendorId: DEMO_VENDOR_ID,
        chids: [DEMO_CHID],
        withArtifacts: false,
        releases: demo.versions.map((version, i) => ({ version, ts: baseTs - i * 86400 * 45 })),
      };
    } else {
      const [vendor, rdns, vendorId] = rng.pick(VENDORS);
      const product = `${rng.pick(PRODUCT_WORDS)} ${rng.int(3, 99)}${rng.pick(['', 's', 'x', ' Gen 2', ' Gen 3', ' Pro'])}`;
      const [part, category, suffix] = rng.pick(PARTS);
      const format = rng.pick(FORMATS);
      const n = Math.max(1, releasesPerComponent + rng.int(-3, 3));
      const major = rng.int(0, 2);
      let minor = rng.int(1, 40);
      let build = rng.int(n + 2, 200);
      let ts = baseTs - rng.int(0, 400) * 86400;
      const releases = [];
      for (let i = 0; i < n; i++) {
        releases.push({ version: versionString(format, major, minor, build), ts });
        build -= rng.int(1, 2);
        if (build < 1) {
          minor = Math.max(0, minor - 1);
          build = 200;
        }
        ts -= rng.int(20, 120) * 86400;
      }
      const slug = product.toLowerCase().replace(/[^a-z0-9]+/g, '');
      const guids = [guidFrom(rng)];
      if (rng.chance(0.15)) guids.push(guidFrom(rng));
      c = {
        id: `${rdns}.${slug}.${index}.${suffix}`,
        name: `${product} ${part}`,
        vendor,
        product,
        part,
        cabStem: slug,
        guids,
        category,
        format,
        protocol: rng.pick(PROTOCOLS),
        fwupdMin: rng.pick(['1.5.5', '1.7.0', '1.8.14', '1.9.8', '1.9.10']),
        vendorId: rng.chance(0.45) ? vendorId : undefined,
        chids:
          category === 'X-System' || rng.chance(0.2)
            ? Array.from({ length: rng.int(1, 4) }, () => guidFrom(rng, 5))
            : [],
        withArtifacts: rng.chance(0.25),
        releases,
      };
    }
    releaseCount += c.releases.length;
    chunks.push(component(rng, c));
  }
  chunks.push('</components>\n');
  return { xml: Buffer.from(chunks.join(''), 'utf8'), components, releases: releaseCount, targets: DEMO_TARGETS };
}

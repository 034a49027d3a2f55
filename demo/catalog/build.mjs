#!/usr/bin/env node
// Rebuilds the demo catalog: deterministic payloads, one metainfo per release, both signed into a
// firmware.jcat with jcat-tool (sha256 + PKCS#7 by the demo signer, pki/), cabinets made by
// Debian's gcab (-z, MSZIP), firmware.xml whose checksums are computed from those cabinets, and
// firmware.xml.gz with its own signed .jcat. Signing times make the output differ on every run.
// Run from the repository root: node demo/catalog/build.mjs   (needs gcab and jcat-tool)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const OUT = path.join(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname));
const CABS = path.join(OUT, 'cabs');
const LOCATION = 'file:///usr/share/capstan/demo/cabs';
const VENDOR = 'Example Computer Inc.';
const HWID_LAPTOP13_GEN2 = 'e1acb41e-59b8-57be-8754-b2633660ab5b'; // HardwareID-5 of demo/machine
const MTIME = new Date('2026-06-10T12:00:00Z');

const SYSTEM = 'ddc0ee61-e7f0-4e7d-acc5-c070a398838e';
const DEVICE = '3f5e8c2a-9b1d-4e7f-a6c3-d2b8e4f1a905';
const DRIVER = '7a3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const components = [
  {
    id: 'com.example.laptop13.system.firmware',
    short: 'laptop13-system',
    name: 'Laptop 13 System Update',
    summary: 'System firmware for the Example Laptop 13 Gen 2',
    guid: SYSTEM,
    format: 'quad',
    protocol: 'org.uefi.capsule',
    requires: [
      `<id compare="ge" version="1.9.8">org.freedesktop.fwupd</id>`,
      `<firmware compare="eq" version="DMI:${VENDOR}">vendor-id</firmware>`,
      `<hardware>${HWID_LAPTOP13_GEN2}</hardware>`,
    ],
    headered: false,
    releases: [
      [
        '0.1.0.54',
        1781000000,
        'high',
        'Fixes resume from suspend with a dock attached. Security fixes (CVE-2026-10001).',
      ],
      ['0.1.0.52', 1776000000, 'medium', 'Improves fan control under sustained load.'],
      ['0.1.0.48', 1766000000, 'low', 'Adds a setup option for the keyboard backlight timeout.'],
      ['0.1.0.44', 1756000000, 'low', 'First release for this model.'],
    ],
  },
  {
    id: 'com.example.laptop13.ec.firmware',
    short: 'laptop13-ec',
    name: 'Laptop 13 Embedded Controller',
    summary: 'Embedded controller firmware',
    guid: DEVICE,
    format: 'number',
    protocol: 'org.uefi.capsule',
    requires: [`<firmware compare="ge" version="0.1.0.52">${SYSTEM}</firmware>`],
    headered: true,
    releases: [
      ['136', 1781000000, 'medium', 'Needs system firmware 0.1.0.52 or later.'],
      ['135', 1771000000, 'low', 'Battery charge threshold fixes.'],
    ],
  },
  {
    id: 'com.example.dock.firmware',
    short: 'dock',
    name: 'Example Dock',
    summary: 'Dock firmware, updated over USB rather than as a capsule',
    guid: DRIVER,
    format: 'number',
    protocol: 'com.example.dock',
    requires: [],
    headered: false,
    releases: [['262400', 1781000000, 'low', 'Dock firmware delivered over USB.']],
  },
];

function payload(guid, version, headered) {
  // 32 KiB of deterministic, compressible bytes; "headered" payloads start with an EFI_CAPSULE_HEADER
  let seed = createHash('sha256').update(`${guid}/${version}`).digest().readUInt32LE(0);
  const bytes = Buffer.alloc(32768);
  for (let i = 0; i < bytes.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    bytes[i] = i % 64 < 48 ? seed >>> 24 : 0x5a;
  }
  if (headered) {
    const hex = guid.replaceAll('-', '');
    const g = Buffer.from(hex, 'hex');
    const le = Buffer.concat([
      Buffer.from(g.subarray(0, 4)).reverse(),
      Buffer.from(g.subarray(4, 6)).reverse(),
      Buffer.from(g.subarray(6, 8)).reverse(),
      g.subarray(8),
    ]);
    le.copy(bytes, 0);
    bytes.writeUInt32LE(28, 16);
    bytes.writeUInt32LE(0x50000, 20);
    bytes.writeUInt32LE(bytes.length, 24);
  }
  return bytes;
}

/** sha256 first, then PKCS#7: jcat-tool replaces an earlier blob of the same kind, not another kind. */
function sign(dir, jcat, file) {
  const pki = path.join(OUT, 'pki');
  execFileSync('jcat-tool', ['--kind', 'sha256', 'self-sign', jcat, file], { cwd: dir, stdio: 'ignore' });
  execFileSync(
    'jcat-tool',
    [
      '--appstream-id',
      'com.example.capstan-demo',
      'sign',
      jcat,
      file,
      path.join(pki, 'demo-signer.pem'),
      path.join(pki, 'demo-signer.key'),
    ],
    { cwd: dir, stdio: 'ignore' },
  );
}

const escapeXml = (s) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const hash = (alg, data) => createHash(alg).update(data).digest('hex');

fs.rmSync(CABS, { recursive: true, force: true });
fs.mkdirSync(CABS, { recursive: true });
const catalog = ['<?xml version="1.0" encoding="UTF-8"?>', '<components origin="capstan-demo" version="0.9">'];
for (const c of components) {
  const releaseXml = [];
  const head = [
    `  <component type="firmware">`,
    `    <id>${c.id}</id>`,
    `    <name>${escapeXml(c.name)}</name>`,
    `    <summary>${escapeXml(c.summary)}</summary>`,
    `    <provides><firmware type="flashed">${c.guid}</firmware></provides>`,
    `    <developer_name>${escapeXml(VENDOR)}</developer_name>`,
    `    <project_license>proprietary</project_license>`,
    `    <metadata_license>CC0-1.0</metadata_license>`,
    `    <custom>`,
    `      <value key="LVFS::VersionFormat">${c.format}</value>`,
    `      <value key="LVFS::UpdateProtocol">${c.protocol}</value>`,
    `    </custom>`,
    c.requires.length === 0 ? '' : `    <requires>\n      ${c.requires.join('\n      ')}\n    </requires>`,
  ].filter((l) => l !== '');
  for (const [version, timestamp, urgency, text] of c.releases) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-demo-'));
    const bytes = payload(c.guid, version, c.headered);

    const metainfo = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      ...head.map((l) => l.slice(2)),
      '  <releases>',
      `    <release version="${version}" date="${new Date(timestamp * 1000).toISOString().slice(0, 10)}" urgency="${urgency}">`,
      `      <checksum target="content" filename="firmware.bin" type="sha256">${hash('sha256', bytes)}</checksum>`,
      `      <size type="installed">${bytes.length}</size>`,
      `      <description><p>${escapeXml(text)}</p></description>`,
      '    </release>',
      '  </releases>',
      '</component>',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(work, 'firmware.bin'), bytes);
    fs.writeFileSync(path.join(work, 'firmware.metainfo.xml'), metainfo);
    for (const f of ['firmware.metainfo.xml', 'firmware.bin']) sign(work, 'firmware.jcat', f);
    for (const f of ['firmware.bin', 'firmware.metainfo.xml', 'firmware.jcat'])
      fs.utimesSync(path.join(work, f), MTIME, MTIME);
    const cabName = `${c.short}-${version}.cab`;
    const members = ['firmware.metainfo.xml', 'firmware.bin', 'firmware.jcat'];
    execFileSync('gcab', ['-c', '-z', '-n', path.join(CABS, cabName), ...members], { cwd: work });
    fs.rmSync(work, { recursive: true, force: true });
    const cab = fs.readFileSync(path.join(CABS, cabName));
    releaseXml.push(
      [
        `      <release version="${version}" timestamp="${timestamp}" urgency="${urgency}">`,
        `        <location>${LOCATION}/${cabName}</location>`,
        `        <checksum type="sha1" filename="${cabName}" target="container">${hash('sha1', cab)}</checksum>`,
        `        <checksum type="sha256" filename="${cabName}" target="container">${hash('sha256', cab)}</checksum>`,
        `        <checksum type="sha256" filename="firmware.bin" target="content">${hash('sha256', bytes)}</checksum>`,
        `        <size type="installed">${bytes.length}</size>`,
        `        <size type="download">${cab.length}</size>`,
        `        <description><p>${escapeXml(text)}</p></description>`,
        '      </release>',
      ].join('\n'),
    );
  }
  catalog.push(...head, '    <releases>', ...releaseXml, '    </releases>', '  </component>');
}
catalog.push('</components>', '');
fs.writeFileSync(path.join(OUT, 'firmware.xml'), catalog.join('\n'));
fs.writeFileSync(path.join(OUT, 'firmware.xml.gz'), gzipSync(catalog.join('\n')));
fs.rmSync(path.join(OUT, 'firmware.xml.gz.jcat'), { force: true });
sign(OUT, 'firmware.xml.gz.jcat', 'firmware.xml.gz');
process.stdout.write(`wrote ${path.join(OUT, 'firmware.xml')} and ${fs.readdirSync(CABS).length} cabinets\n`);

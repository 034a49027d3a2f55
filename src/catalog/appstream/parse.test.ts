import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Component, parseCatalog, parseMetainfo } from './index.js';

const sample = (name: string): string =>
  fs.readFileSync(new URL(`../../../test/catalogs/appstream/${name}`, import.meta.url), 'utf8');

async function catalog(
  xml: string,
): Promise<{ components: Component[]; summary: Awaited<ReturnType<typeof parseCatalog>> }> {
  const components: Component[] = [];
  const summary = await parseCatalog(xml, (component) => components.push(component));
  return { components, summary };
}

function byId(components: Component[], id: string): Component {
  const component = components.find((c) => c.id === id);
  if (component === undefined) throw new Error(`no component ${id}`);
  return component;
}

describe('parseCatalog: the lvfs-metadata.md §8 example', () => {
  it('reads every field of the component and its release', async () => {
    const origins: Record<string, string>[] = [];
    const components: Component[] = [];
    const summary = await parseCatalog(sample('lvfs-example.xml'), (c) => components.push(c), {
      origin: (attrs) => origins.push(attrs),
    });
    expect(summary).toEqual({ components: 1, skipped: 0, origin: 'lvfs', version: '0.9', custom: {} });
    expect(origins).toEqual([{ origin: 'lvfs', version: '0.9' }]);
    expect(components).toEqual([
      {
        id: 'com.example.laptop13.system.firmware',
        type: 'firmware',
        name: 'Laptop 13 System Update',
        summary: 'Firmware for the Example Laptop 13',
        developerName: 'Example Inc.',
        projectLicense: 'proprietary',
        metadataLicense: 'CC0-1.0',
        homepage: 'https://example.com/',
        categories: ['X-System'],
        provides: ['ddc0ee61-e7f0-4e7d-acc5-c070a398838e'],
        custom: { 'LVFS::VersionFormat': ['quad'], 'LVFS::UpdateProtocol': ['org.uefi.capsule'] },
        versionFormat: 'quad',
        updateProtocol: 'org.uefi.capsule',
        requires: [
          { kind: 'id', id: 'org.freedesktop.fwupd', compare: 'ge', version: '1.5.5', hard: true },
          { kind: 'firmware', target: 'vendor-id', compare: 'eq', version: 'DMI:Example Inc.', hard: true },
          { kind: 'hardware', guids: ['8a4b2c6e-1f3d-5e7a-9b0c-2d4e6f8a0b1c'], hard: true },
        ],
        releases: [
          {
            version: '0.1.0.54',
            timestamp: 1718000000,
            urgency: 'high',
            installDuration: 120,
            id: '98765',
            locations: ['https://fwupd.org/downloads/3f1c5be9-Laptop13-0.1.0.54.cab'],
            checksums: [
              {
                type: 'sha1',
                value: '0cb97167aa3840658aa340b03a8d58a67cc70b90',
                target: 'container',
                filename: '3f1c5be9-Laptop13-0.1.0.54.cab',
              },
              {
                type: 'sha256',
                value: 'e40079fea2015cca9910a0a9f5b3aa99bf4b751e4612454e43f912297993d39d',
                target: 'container',
                filename: '3f1c5be9-Laptop13-0.1.0.54.cab',
              },
              {
                type: 'sha256',
                value: '8466265924c4ce813123be28c51a52079a8f3182874d42941e4a9732a2840711',
                target: 'content',
                filename: 'firmware.bin',
              },
            ],
            contentFilename: 'firmware.bin',
            sizes: { installed: 16777216, download: 9032117 },
            artifacts: [],
            description: 'Fixes suspend.',
            issues: [{ type: 'cve', id: 'CVE-2024-00000' }],
            line: 24,
          },
        ],
        line: 4,
      },
    ]);
  });

  it('accepts UTF-8 bytes and a byte-order mark', async () => {
    const bytes = new TextEncoder().encode(`\uFEFF${sample('lvfs-example.xml')}`);
    const components: Component[] = [];
    await parseCatalog(bytes, (c) => components.push(c));
    expect(components.map((c) => c.id)).toEqual(['com.example.laptop13.system.firmware']);
    expect((await catalog(`\uFEFF${sample('lvfs-example.xml')}`)).components).toHaveLength(1);
  });
});

describe('parseCatalog: fwupd and LVFS shapes', () => {
  it('skips non-firmware components and reads catalog-level custom values', async () => {
    const { components, summary } = await catalog(sample('catalog-shapes.xml'));
    expect(summary).toEqual({
      components: 3,
      skipped: 1,
      origin: 'lvfs',
      version: '0.9',
      custom: { 'LVFS::Distributor': ['community'] },
    });
    expect(components.map((c) => c.id)).toEqual([
      'com.example.dock.firmware',
      'com.example.esrt.integer',
      'org.fwupd.local.reporting.device',
    ]);
  });

  it('keeps the untranslated texts and turns the description into plain text', async () => {
    const dock = byId((await catalog(sample('catalog-shapes.xml'))).components, 'com.example.dock.firmware');
    expect(dock.name).toBe('Dock Firmware');
    expect(dock.nameVariantSuffix).toBe('Thunderbolt');
    expect(dock.summary).toBe('Firmware for the Example Dock — Lösung ✓');
    expect(dock.description).toBe(
      [
        'Updating the firmware on your dock improves performance and adds new features.',
        '- USB-C power delivery\n- DisplayPort MST',
        'Ports & <cables> are & stay supported.',
      ].join('\n\n'),
    );
    expect(dock.homepage).toBe('https://dock.example.com/');
    expect(dock.developerName).toBe('Example Docks');
    expect(dock.categories).toEqual(['X-Dock', 'X-Device']);
    expect(dock.branch).toBe('community');
    expect(dock.priority).toBe(2);
  });

  it('lower-cases provided GUIDs, hashes instance IDs as fwupd does and ignores non-flashed entries', async () => {
    const dock = byId((await catalog(sample('catalog-shapes.xml'))).components, 'com.example.dock.firmware');
    // USB\VID_273F&PID_1004 is not a GUID: fwupd matches fwupd_guid_hash_string() of it.
    expect(dock.provides).toEqual(['2082b5e0-7a64-478a-b1b2-e3404fab6dad', '2fa8891f-3ece-53a4-adc4-0dd875685f30']);
  });

  it('keeps every custom value, takes the last recognised version format and the first protocol', async () => {
    const dock = byId((await catalog(sample('catalog-shapes.xml'))).components, 'com.example.dock.firmware');
    expect(dock.custom['LVFS::VersionFormat']).toEqual(['triplet', 'intel-me2', 'future-format']);
    expect(dock.versionFormat).toBe('intel-me2');
    expect(dock.updateProtocol).toBe('com.example.dock');
    expect(dock.custom['LVFS::InhibitDownload']).toEqual(['false']);
    expect(Object.keys(dock.custom)).toHaveLength(4);
  });

  it('reads release attributes, links, issues, sizes and checksums, ignoring what fwupd ignores', async () => {
    const dock = byId((await catalog(sample('catalog-shapes.xml'))).components, 'com.example.dock.firmware');
    expect(dock.releases.map((r) => r.version)).toEqual(['1.2.4', '1.2.3']);
    const [newest, older] = dock.releases;
    expect(newest).toMatchObject({
      version: '1.2.4',
      timestamp: 0x5942b0c0,
      urgency: 'medium',
      priority: 5,
      tag: 'dock-2024',
      locations: ['./dock-1.2.4.cab', 'https://mirror.example.com/dock-1.2.4.cab'],
      sizes: { installed: 17, download: 1163 },
      detailsUrl: 'https://example.com/dock/1.2.4',
      sourceUrl: 'https://example.com/dock/1.2.4.tar.gz',
      sbomUrl: 'https://example.com/dock/1.2.4.spdx.json',
      issues: [
        { type: 'cve', id: 'CVE-2024-12345' },
        { type: 'dell', id: 'DSA-2024-001' },
      ],
      description: 'Fixes another bug with the flux capacitor.',
      contentFilename: 'dock.bin',
    });
    expect(newest?.checksums).toEqual([
      {
        type: 'sha1',
        value: '81c9ddc38c1fa005f1346ee17186764703cd306f',
        target: 'container',
        filename: 'dock-1.2.4.cab',
      },
      { type: 'sha1', value: '0af4ccdffd6a3193f28458659da68bf23fae804e', target: 'content', filename: 'dock.bin' },
      {
        type: 'sha256',
        value: 'ef260e9aa3c673af240d17a2660480361a8e081d1ffeca2a5ed0e3219fc18567',
        target: 'device',
      },
    ]);
    expect(older).toMatchObject({ version: '1.2.3', date: '2017-06-15', locations: [], checksums: [] });
    expect(older?.urgency).toBeUndefined();
    expect(older?.timestamp).toBeUndefined();
    expect(older?.artifacts).toEqual([
      {
        type: 'binary',
        filename: 'dock-1.2.3.cab',
        locations: [
          'https://cdn.example.com/dock-1.2.3.cab',
          'ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
        ],
        checksums: [
          { type: 'sha1', value: '673bd7b5d25720b597f65ac2b1cf09103f9e0a3c', target: 'container' },
          {
            type: 'sha256',
            value: 'b6cf69c4407acc34d3af9b9404e55afe70f1a8fee14dd389bd603c002cd30a47',
            target: 'container',
          },
          {
            type: 'sha512',
            value:
              'a4abd4448c49562d828115d13a1fccea927f52b4d5459297f8b43e42da89238bc13626e43dcb38ddb082488927ec904fb42057443983e88585179d50551afe62',
            target: 'container',
          },
        ],
        sizes: { download: 1153, installed: 17 },
      },
    ]);
  });

  it('ignores elements it does not know, however deep, including a <releases> inside them', async () => {
    const dock = byId((await catalog(sample('catalog-shapes.xml'))).components, 'com.example.dock.firmware');
    expect(dock.releases.map((r) => r.version)).not.toContain('99.0');
    expect(dock.requires).toEqual([{ kind: 'phased-update', attributes: {}, value: '4', factor: 4, hard: false }]);
  });

  it('keeps integer versions as written and gives their uint32 value', async () => {
    const esrt = byId((await catalog(sample('catalog-shapes.xml'))).components, 'com.example.esrt.integer');
    expect(esrt.releases.map((r) => [r.version, r.versionRaw])).toEqual([
      ['65586', 65586],
      ['0x00010031', 65585],
    ]);
    expect(esrt.releases[1]?.checksums[0]).toEqual({
      type: 'sha256',
      value: 'e40079fea2015cca9910a0a9f5b3aa99bf4b751e4612454e43f912297993d39d',
      target: 'container',
    });
    const dock = byId((await catalog(sample('catalog-shapes.xml'))).components, 'com.example.dock.firmware');
    expect(dock.releases[0]?.versionRaw).toBeUndefined();
  });

  it('accepts a release with no location (fwupd-local metadata) and bare description text', async () => {
    const local = byId((await catalog(sample('catalog-shapes.xml'))).components, 'org.fwupd.local.reporting.device');
    expect(local.releases).toEqual([
      {
        version: '1',
        versionRaw: 1,
        timestamp: 1456743843,
        locations: [],
        checksums: [],
        sizes: {},
        artifacts: [],
        issues: [],
        description: 'Applying will enable UEFI firmware reporting',
        line: expect.any(Number),
      },
    ]);
  });

  it('passes components to the callback in document order, as each ends', async () => {
    const seen: string[] = [];
    await parseCatalog(sample('catalog-shapes.xml'), (c) => seen.push(`${c.id}@${c.line}`));
    expect(seen).toEqual([
      'com.example.dock.firmware@12',
      'com.example.esrt.integer@115',
      'org.fwupd.local.reporting.device@134',
    ]);
  });

  it('lets errors thrown by the callbacks through unchanged', async () => {
    const boom = new RangeError('stop here');
    await expect(
      parseCatalog(sample('lvfs-example.xml'), () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(
      parseCatalog(sample('lvfs-example.xml'), () => undefined, {
        origin: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
  });

  it('does not let document keys reach object prototypes', async () => {
    const xml = sample('lvfs-example.xml').replace(
      '<value key="LVFS::VersionFormat">quad</value>',
      '<value key="__proto__">polluted</value><value key="constructor">x</value>',
    );
    const { components } = await catalog(xml);
    const custom = components[0]?.custom ?? {};
    expect(Object.hasOwn(custom, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(custom, '__proto__')?.value).toEqual(['polluted']);
    expect(Object.getPrototypeOf(custom)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseMetainfo', () => {
  it('reads an LVFS-signed metainfo with source and binary artifacts', () => {
    const component = parseMetainfo(sample('metainfo-signed.xml'));
    expect(component).toMatchObject({
      id: 'com.example.laptop13.system.firmware',
      provides: ['ddc0ee61-e7f0-4e7d-acc5-c070a398838e'],
      versionFormat: 'quad',
      updateProtocol: 'org.uefi.capsule',
      description: 'Updates the system firmware of the Example Laptop 13.',
      requires: [
        { kind: 'id', id: 'org.freedesktop.fwupd', compare: 'ge', version: '1.9.8', hard: true },
        { kind: 'firmware', target: '', compare: 'ge', version: '0.1.0.40', hard: true },
      ],
      line: 3,
    });
    const [release] = component.releases;
    expect(release).toMatchObject({
      version: '0.1.0.54',
      date: '2024-06-10',
      installDuration: 120,
      contentFilename: 'old-name.bin',
      checksums: [],
      sizes: { installed: 16777216 },
    });
    expect(release?.artifacts).toEqual([
      {
        type: 'source',
        filename: 'Laptop13_0.1.0.54.cap',
        locations: [],
        checksums: [
          { type: 'sha1', value: '0e946c2757f355825c0b5beacdff912c2ad6543d', target: 'content' },
          {
            type: 'sha256',
            value: 'f5a8c9bf3743035a5b64bdb413714f1ba7f8b855658f0dc650e09dcde83f10e2',
            target: 'content',
          },
        ],
        sizes: {},
      },
      {
        type: 'binary',
        filename: '3f1c5be9-Laptop13-0.1.0.54.cab',
        locations: [],
        checksums: [
          { type: 'sha1', value: '0cb97167aa3840658aa340b03a8d58a67cc70b90', target: 'container' },
          {
            type: 'sha256',
            value: 'e40079fea2015cca9910a0a9f5b3aa99bf4b751e4612454e43f912297993d39d',
            target: 'container',
          },
        ],
        sizes: { download: 9032117 },
      },
    ]);
  });

  it('reads a vendor metainfo whose payload is named by an (empty) content checksum', () => {
    const component = parseMetainfo(new TextEncoder().encode(sample('metainfo-content-only.xml')));
    expect(component.releases.map((r) => [r.version, r.contentFilename, r.checksums.length])).toEqual([
      ['1.2.4', 'payloads/EC_124.bin', 1],
      ['1.2.3', 'EC_123.bin', 0],
      ['1.2.2', undefined, 0],
    ]);
  });

  it("parses fwupd's own minimal metainfo shape (a release with no checksum at all)", () => {
    const component = parseMetainfo(
      '<component type="firmware"><id>com.hughski.test.firmware</id><provides>' +
        '<firmware type="flashed">12345678-1234-1234-1234-123456789012</firmware></provides>' +
        '<requires><hardware>9342d47a-1bab-5709-9869-c840b2eac501</hardware></requires>' +
        '<releases><release version="1.2.3" timestamp="1424116753"/></releases></component>',
    );
    expect(component.requires).toEqual([
      { kind: 'hardware', guids: ['9342d47a-1bab-5709-9869-c840b2eac501'], hard: true },
    ]);
    expect(component.releases[0]).toMatchObject({ version: '1.2.3', timestamp: 1424116753, checksums: [] });
  });
});

import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashGuid, normalizeProvide } from './fields.js';
import {
  type Component,
  describeDownload,
  describePayload,
  parseCatalog,
  parseMetainfo,
  type Release,
} from './index.js';

const sample = (name: string): string =>
  fs.readFileSync(new URL(`../../../test/catalogs/appstream/${name}`, import.meta.url), 'utf8');

function release(index: number, component: Component): Release {
  const found = component.releases[index];
  if (found === undefined) throw new Error(`no release ${index}`);
  return found;
}

async function catalogComponent(xml: string, id: string): Promise<Component> {
  const components: Component[] = [];
  await parseCatalog(xml, (c) => components.push(c));
  const component = components.find((c) => c.id === id);
  if (component === undefined) throw new Error(`no component ${id}`);
  return component;
}

describe('describePayload (jcat-and-signatures.md §7 step 3)', () => {
  it('prefers the source artifact: its filename and sha256 over the content checksum', () => {
    const component = parseMetainfo(sample('metainfo-signed.xml'));
    expect(describePayload(release(0, component))).toEqual({
      filename: 'Laptop13_0.1.0.54.cap',
      sha256: 'f5a8c9bf3743035a5b64bdb413714f1ba7f8b855658f0dc650e09dcde83f10e2',
      sha1: '0e946c2757f355825c0b5beacdff912c2ad6543d',
      installedSize: 16777216,
    });
  });

  it('falls back to the content checksum (base name only), then to firmware.bin', () => {
    const component = parseMetainfo(sample('metainfo-content-only.xml'));
    expect(component.releases.map(describePayload)).toEqual([
      {
        filename: 'EC_124.bin',
        sha256: '6ce5fb87f75c3364a90c8a66ed563a9df44b17b729a664eeb048727255c9684f',
        installedSize: 65536,
      },
      { filename: 'EC_123.bin' },
      { filename: 'firmware.bin' },
    ]);
  });

  it('uses firmware.bin for a source artifact without a filename, as fu_cabinet_parse_release does', () => {
    const xml = sample('metainfo-signed.xml').replace('<filename>Laptop13_0.1.0.54.cap</filename>', '');
    expect(describePayload(release(0, parseMetainfo(xml))).filename).toBe('firmware.bin');
  });

  it('reports a sha1-only or sha512-only content checksum so nothing goes unchecked', () => {
    const sha512 =
      'a4abd4448c49562d828115d13a1fccea927f52b4d5459297f8b43e42da89238bc13626e43dcb38ddb082488927ec904fb42057443983e88585179d50551afe62';
    const xml = sample('metainfo-content-only.xml').replace(
      'type="sha256">6ce5fb87f75c3364a90c8a66ed563a9df44b17b729a664eeb048727255c9684f',
      `>${sha512}`,
    );
    expect(describePayload(release(0, parseMetainfo(xml)))).toEqual({
      filename: 'EC_124.bin',
      sha512,
      installedSize: 65536,
    });
  });

  it('reduces path tricks in names to a base name', () => {
    const xml = sample('metainfo-content-only.xml').replace('payloads/EC_124.bin', '../../etc/passwd');
    expect(describePayload(release(0, parseMetainfo(xml))).filename).toBe('passwd');
  });
});

describe('describeDownload (fu_release_load precedence)', () => {
  it('uses <location> and the container checksums, strongest first', async () => {
    const component = await catalogComponent(sample('lvfs-example.xml'), 'com.example.laptop13.system.firmware');
    const download = describeDownload(release(0, component));
    expect(download).toMatchObject({
      source: 'release',
      locations: ['https://fwupd.org/downloads/3f1c5be9-Laptop13-0.1.0.54.cab'],
      filename: '3f1c5be9-Laptop13-0.1.0.54.cab',
      downloadSize: 9032117,
    });
    expect(download.checksums.map((c) => c.type)).toEqual(['sha256', 'sha1']);
    expect(download.checksums.every((c) => c.target === 'container')).toBe(true);
  });

  it('prefers the binary artifact (SHA-512 > SHA-256 > SHA-1)', async () => {
    const dock = await catalogComponent(sample('catalog-shapes.xml'), 'com.example.dock.firmware');
    const download = describeDownload(release(1, dock));
    expect(download.source).toBe('binary-artifact');
    expect(download.filename).toBe('dock-1.2.3.cab');
    expect(download.downloadSize).toBe(1153);
    expect(download.locations).toHaveLength(2);
    expect(download.checksums.map((c) => c.type)).toEqual(['sha512', 'sha256', 'sha1']);
  });

  it('ignores a binary artifact whose filename is not a .cab, as fwupd does', async () => {
    const xml = sample('catalog-shapes.xml').replace(
      '<filename>dock-1.2.3.cab</filename>',
      '<filename>dock.bin</filename>',
    );
    const dock = await catalogComponent(
      xml.replace(
        '<release version="1.2.3" date="2017-06-15" urgency="unheard-of">',
        '<release version="1.2.3"><location>https://example.com/r.cab</location>' +
          '<checksum target="container">81c9ddc38c1fa005f1346ee17186764703cd306f</checksum>',
      ),
      'com.example.dock.firmware',
    );
    const download = describeDownload(release(1, dock));
    expect(download).toMatchObject({ source: 'release', locations: ['https://example.com/r.cab'] });
    expect(download.checksums.map((c) => c.value)).toEqual(['81c9ddc38c1fa005f1346ee17186764703cd306f']);
  });
});

describe('GUIDs', () => {
  it("hashes like fwupd_guid_hash_string (fwupd's self-test vectors)", () => {
    expect(hashGuid('python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(hashGuid('8086:0406')).toBe('1fbd1f2c-80f4-5d7c-a6ad-35c7b9bd5486');
  });

  it('keeps GUIDs (lower-cased) and hashes everything else, including the all-zero GUID', () => {
    expect(normalizeProvide('DDC0EE61-E7F0-4E7D-ACC5-C070A398838E')).toBe('ddc0ee61-e7f0-4e7d-acc5-c070a398838e');
    expect(normalizeProvide('00000000-0000-0000-0000-000000000000')).toBe(
      hashGuid('00000000-0000-0000-0000-000000000000'),
    );
  });
});

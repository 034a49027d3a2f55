import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildJcat, gzipJson, readSample } from '../../../test/catalogs/pki/build-jcat.js';
import { CapstanError } from '../../core/errors.js';
import { findJcatItem, JCAT_MAX_INFLATED_BYTES, mergeJcatFiles, parseJcat } from './jcat.js';

function expectInvalid(bytes: Uint8Array, message?: RegExp): void {
  let thrown: unknown;
  try {
    parseJcat(bytes);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CapstanError);
  expect((thrown as CapstanError).code).toBe('jcat-invalid');
  expect((thrown as CapstanError).message).toMatch(/^malformed JCat file: /);
  expect((thrown as CapstanError).hint).toBeTruthy();
  if (message !== undefined) expect((thrown as CapstanError).message).toMatch(message);
}

const blob = { Kind: 1, Flags: 1, Data: 'ab' };
const withItem = (item: unknown): Uint8Array => gzipJson({ JcatVersionMajor: 0, JcatVersionMinor: 1, Items: [item] });
const withBlob = (raw: unknown): Uint8Array => withItem({ Id: 'firmware.bin', Blobs: [raw] });

describe('parseJcat on jcat-tool 0.2.3 output', () => {
  it('reads every blob of the committed sample', () => {
    const file = parseJcat(readSample('firmware.jcat'));
    expect(file.versionMajor).toBe(0);
    expect(file.versionMinor).toBe(1);
    expect(file.items).toHaveLength(1);
    const item = file.items[0];
    expect(item?.id).toBe('firmware.bin');
    expect(item?.aliasIds).toEqual([]);
    expect(item?.blobs.map((b) => [b.kind, b.kindName, b.flags, b.target])).toEqual([
      [1, 'sha256', 1, undefined],
      [10, 'sha512', 1, undefined],
      [4, 'sha1', 1, undefined],
      [3, 'pkcs7', 1, undefined],
      [3, 'pkcs7', 1, 1],
      [2, 'gpg', 1, undefined],
    ]);
    const sha256 = item?.blobs[0];
    expect(sha256?.text).toMatch(/^[0-9a-f]{64}$/);
    expect(new TextDecoder().decode(sha256?.data)).toBe(sha256?.text);
    expect(sha256?.timestamp).toBeGreaterThan(1_700_000_000);
    expect(item?.blobs[3]?.text).toMatch(/^-----BEGIN PKCS7-----\n/);
    expect(item?.blobs[5]?.text).toMatch(/^-----BEGIN PGP SIGNATURE-----\n/);
  });

  it('keeps AliasIds and finds items by Id, by basename, and by alias', () => {
    const file = parseJcat(readSample('metadata.jcat'));
    expect(file.items[0]?.aliasIds).toEqual(['firmware.xml.zst']);
    expect(findJcatItem(file, 'firmware-00042-stable.xml.zst')?.id).toBe('firmware-00042-stable.xml.zst');
    expect(findJcatItem(file, 'https://cdn.example/downloads/firmware-00042-stable.xml.zst')).toBe(file.items[0]);
    expect(findJcatItem(file, '/var/lib/fwupd/firmware.xml.zst')).toBe(file.items[0]);
    expect(findJcatItem(file, 'firmware.xml.gz')).toBeUndefined();
  });
});

describe('parseJcat', () => {
  it('base64-decodes Data without IS_UTF8 and keeps optional members and unknown kinds', () => {
    const file = parseJcat(
      buildJcat([
        {
          Id: 'a.bin',
          Blobs: [
            { Kind: 3, Flags: 0, Data: Buffer.from([0x30, 0x82, 0x01]).toString('base64'), AppstreamId: 'com.example' },
            { Kind: 42, Flags: 1, Data: 'future', Timestamp: 5, Target: 10 },
            { Kind: 5, Flags: 0, Data: '' },
          ],
        },
      ]),
    );
    const [pkcs7, future, manifest] = file.items[0]?.blobs ?? [];
    expect(pkcs7).toEqual({
      kind: 3,
      kindName: 'pkcs7',
      flags: 0,
      data: new Uint8Array([0x30, 0x82, 0x01]),
      appstreamId: 'com.example',
    });
    expect(future).toMatchObject({ kind: 42, kindName: 'unknown', text: 'future', timestamp: 5, target: 10 });
    expect(manifest).toMatchObject({ kind: 5, kindName: 'bt-manifest', data: new Uint8Array(0) });
  });

  it('accepts pretty-printed JSON, extra members and an empty Items array', () => {
    const text = JSON.stringify({ JcatVersionMajor: 0, JcatVersionMinor: 9, Items: [], Other: { x: 1 } }, null, 2);
    expect(parseJcat(new Uint8Array(gzipSync(text)))).toEqual({ versionMajor: 0, versionMinor: 9, items: [] });
  });

  it.each([
    ['empty input', new Uint8Array(0), /not a gzip file/],
    ['plain JSON', new TextEncoder().encode('{"JcatVersionMajor":0}'), /not a gzip file/],
    ['a truncated gzip stream', buildJcat([]).subarray(0, 12), /corrupt gzip data/],
    ['gzip of text that is not JSON', new Uint8Array(gzipSync('hello, world')), /not JSON/],
    ['gzip of invalid UTF-8', new Uint8Array(gzipSync(Buffer.from([0x7b, 0xff, 0x7d]))), /not valid UTF-8/],
    ['a JSON array root', gzipJson([1, 2]), /the JSON root must be an object, got an array/],
    ['missing Items', gzipJson({ JcatVersionMajor: 0, JcatVersionMinor: 1 }), /Items is missing/],
    ['Items an object', gzipJson({ JcatVersionMajor: 0, JcatVersionMinor: 1, Items: {} }), /Items must be an array/],
    ['missing JcatVersionMajor', gzipJson({ JcatVersionMinor: 1, Items: [] }), /JcatVersionMajor is missing/],
    [
      'a string version',
      gzipJson({ JcatVersionMajor: '0', JcatVersionMinor: 1, Items: [] }),
      /JcatVersionMajor must be/,
    ],
    [
      'major version 1',
      gzipJson({ JcatVersionMajor: 1, JcatVersionMinor: 0, Items: [] }),
      /unsupported JcatVersionMajor 1/,
    ],
    ['an item that is a string', withItem('firmware.bin'), /Items\[0\] must be an object/],
    ['an item without Id', withItem({ Blobs: [] }), /Items\[0\]\.Id is missing/],
    ['an empty Id', withItem({ Id: '', Blobs: [] }), /Items\[0\]\.Id is empty/],
    ['a numeric Id', withItem({ Id: 7, Blobs: [] }), /Items\[0\]\.Id must be a string/],
    ['AliasIds a string', withItem({ Id: 'a', AliasIds: 'b', Blobs: [] }), /AliasIds must be an array/],
    ['AliasIds with a number', withItem({ Id: 'a', AliasIds: [1], Blobs: [] }), /AliasIds\[0\] must be a string/],
    ['missing Blobs', withItem({ Id: 'a' }), /Items\[0\]\.Blobs is missing/],
    ['Blobs not an array', withItem({ Id: 'a', Blobs: { Kind: 1 } }), /Items\[0\]\.Blobs must be an array/],
    ['a blob that is null', withBlob(null), /Blobs\[0\] must be an object, got null/],
    ['Kind missing', withBlob({ Flags: 1, Data: 'x' }), /Blobs\[0\]\.Kind is missing/],
    [
      'Kind a string',
      withBlob({ ...blob, Kind: 'sha256' }),
      /Kind must be a non-negative integer, got the string "sha256"/,
    ],
    ['Kind fractional', withBlob({ ...blob, Kind: 1.5 }), /Kind must be a non-negative integer, got 1.5/],
    ['Kind negative', withBlob({ ...blob, Kind: -1 }), /Kind must be a non-negative integer/],
    ['Kind beyond 2^53', withBlob({ ...blob, Kind: 2 ** 60 }), /Kind must be a non-negative integer/],
    ['Flags missing', withBlob({ Kind: 1, Data: 'x' }), /Flags is missing/],
    ['Flags a boolean', withBlob({ ...blob, Flags: true }), /Flags must be a non-negative integer, got boolean/],
    ['Data missing', withBlob({ Kind: 1, Flags: 1 }), /Data is missing/],
    ['Data an array', withBlob({ ...blob, Data: [1] }), /Data must be a string, got an array/],
    ['Data bad base64', withBlob({ Kind: 3, Flags: 0, Data: 'MII*not-base64' }), /Data is not valid base64/],
    ['Data base64 of bad length', withBlob({ Kind: 3, Flags: 0, Data: 'QUJD?' }), /Data is not valid base64/],
    ['Timestamp a string', withBlob({ ...blob, Timestamp: '2024-01-01' }), /Timestamp must be an integer/],
    ['Target a string', withBlob({ ...blob, Target: 'sha256' }), /Target must be a non-negative integer/],
    ['AppstreamId a number', withBlob({ ...blob, AppstreamId: 3 }), /AppstreamId must be a string/],
  ])('rejects %s as jcat-invalid', (_name, bytes, message) => {
    expectInvalid(bytes, message);
  });

  it('bounds the inflated size (a small gzip bomb is jcat-invalid)', () => {
    const bomb = new Uint8Array(gzipSync(Buffer.alloc(JCAT_MAX_INFLATED_BYTES + 1024, 0x20), { level: 9 }));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expectInvalid(bomb, /inflates to more than 16777216 bytes/);
  });

  it('rejects deeply nested JSON as jcat-invalid, not a stack overflow', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expectInvalid(new Uint8Array(gzipSync(deep)));
  });

  it('never throws anything but jcat-invalid for mutated JCat bytes (seeded)', () => {
    const original = readSample('firmware.jcat');
    let seed = 0x5eed;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    let parsed = 0;
    for (let round = 0; round < 400; round++) {
      const bytes = original.slice();
      const changes = 1 + Math.floor(random() * 4);
      for (let i = 0; i < changes; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      try {
        parseJcat(bytes);
        parsed++;
      } catch (error) {
        expect(error).toBeInstanceOf(CapstanError);
        expect((error as CapstanError).code).toBe('jcat-invalid');
      }
    }
    expect(parsed).toBeLessThan(400);
  });

  it('also rejects mutated JSON (before gzip) only with jcat-invalid (seeded)', () => {
    const json = JSON.stringify({
      JcatVersionMajor: 0,
      JcatVersionMinor: 1,
      Items: [{ Id: 'f.bin', AliasIds: ['g'], Blobs: [{ Kind: 1, Flags: 0, Data: 'YWJj', Timestamp: 1, Target: 1 }] }],
    });
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const alphabet = '{}[]":,0123456789-.eE truefalsenullKindFlagsDataItemsBlobs\\u';
    for (let round = 0; round < 400; round++) {
      const chars = [...json];
      chars[Math.floor(random() * chars.length)] = alphabet[Math.floor(random() * alphabet.length)] ?? ' ';
      try {
        parseJcat(new Uint8Array(gzipSync(chars.join(''))));
      } catch (error) {
        expect((error as CapstanError).code).toBe('jcat-invalid');
      }
    }
  });
});

describe('findJcatItem and mergeJcatFiles', () => {
  const a = parseJcat(
    buildJcat([
      { Id: 'firmware.bin', Blobs: [{ Kind: 1, Flags: 1, Data: 'aa' }] },
      { Id: 'firmware.metainfo.xml', AliasIds: ['meta.xml'], Blobs: [{ Kind: 1, Flags: 1, Data: 'bb' }] },
    ]),
  );
  const b = parseJcat(
    buildJcat([
      { Id: 'firmware.bin', AliasIds: ['fw.bin'], Blobs: [{ Kind: 3, Flags: 1, Data: 'sig' }] },
      { Id: 'other.bin', Blobs: [] },
    ]),
  );

  it('prefers an Id match over an alias match', () => {
    const file = parseJcat(
      buildJcat([
        { Id: 'x.bin', AliasIds: ['y.bin'], Blobs: [] },
        { Id: 'y.bin', Blobs: [] },
      ]),
    );
    expect(findJcatItem(file, 'y.bin')?.id).toBe('y.bin');
    expect(findJcatItem(file, 'dir\\x.bin')?.id).toBe('x.bin');
  });

  it('merges items with the same Id from several files', () => {
    const merged = mergeJcatFiles([a, b]);
    expect(merged.items.map((item) => item.id)).toEqual(['firmware.bin', 'firmware.metainfo.xml', 'other.bin']);
    const firmware = findJcatItem(merged, 'fw.bin');
    expect(firmware?.blobs.map((x) => x.kindName)).toEqual(['sha256', 'pkcs7']);
    expect(firmware?.aliasIds).toEqual(['fw.bin']);
    expect(a.items[0]?.blobs).toHaveLength(1);
    expect(mergeJcatFiles([])).toEqual({ versionMajor: 0, versionMinor: 1, items: [] });
  });
});

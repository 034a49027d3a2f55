import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BuildCabOptions,
  buildCab,
  deflateAsOneStream,
  makeBlocks,
  pseudoRandomBytes,
} from '../../../test/catalogs/cab/build-cab.js';
import { bytesSource, collectCabinet } from '../../../test/catalogs/cab/collect.js';
import { expectCabError } from '../../../test/catalogs/cab/expect-cab-error.js';
import {
  type CabinetMember,
  extractCabinet,
  extractCabinetToDirectory,
  hashCabinetMembers,
  readCabinetMembers,
} from './index.js';

const SAMPLES = path.resolve(import.meta.dirname, '../../../test/catalogs/cab');
const sample = (name: string): Buffer => fs.readFileSync(path.join(SAMPLES, name));

const big = pseudoRandomBytes(150_000, 11, true);
/** 20 000 random bytes repeated: deflating with a dictionary references the previous block. */
const repetitive = Buffer.concat(Array.from({ length: 6 }, () => pseudoRandomBytes(20_000, 14)));
const small = pseudoRandomBytes(3_000, 12);
const mid = pseudoRandomBytes(45_000, 13, true);
const empty = new Uint8Array(0);

const temporaries: string[] = [];
afterEach(() => {
  for (const dir of temporaries.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function temporaryDirectory(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-cab-test-'));
  temporaries.push(dir);
  return dir;
}

describe('extractCabinet', () => {
  it('extracts the reference examples', async () => {
    for (const file of ['example-stored.cab', 'example-mszip.cab']) {
      const { files } = await collectCabinet({ kind: 'file', path: path.join(SAMPLES, file) });
      expect(files.get('firmware.bin')?.toString()).toBe('CAPSULE-PAYLOAD-0123456789abcdef\n');
      expect(files.get('firmware.metainfo.xml')).toHaveLength(326);
      expect(files.get('firmware.metainfo.xml')?.toString()).toMatch(/^<\?xml/);
    }
  });

  const layouts: [string, BuildCabOptions][] = [
    [
      'stored',
      {
        files: [
          { name: 'big', data: big },
          { name: 'empty', data: empty },
          { name: 'small', data: small },
        ],
      },
    ],
    [
      'MSZIP, independent blocks (gcab, fwupd)',
      {
        files: [
          { name: 'big', data: big },
          { name: 'empty', data: empty },
          { name: 'small', data: small },
        ],
        folders: [{ compression: 'mszip' }],
      },
    ],
    [
      'MSZIP with history: every block deflated with the previous 32 KiB as dictionary',
      {
        files: [
          { name: 'big', data: big },
          { name: 'small', data: small },
        ],
        folders: [{ compression: 'mszip', mszip: 'dictionary' }],
      },
    ],
    [
      'stored with blocks of every size',
      {
        files: [
          { name: 'repetitive', data: repetitive },
          { name: 'small', data: small },
        ],
        folders: [{ blockSizes: [1000, 20000, 5, 32768, 700] }],
      },
    ],
    [
      'three folders (MSZIP, stored, MSZIP with history) with reserve fields',
      {
        files: [
          { name: 'dir\\big', data: big },
          { name: 'small', data: small, folder: 1 },
          { name: 'empty', data: empty, folder: 1 },
          { name: 'dir\\sub\\repetitive', data: repetitive, folder: 2 },
          { name: 'tail', data: small, folder: 2 },
        ],
        folders: [
          { compression: 'mszip' },
          { compression: 'none', blockSizes: 1000 },
          { compression: 'mszip', mszip: 'dictionary' },
        ],
        reserve: { header: 20, folder: 7, data: 3 },
      },
    ],
  ];

  it.each(layouts)('extracts %s byte for byte', async (_what, options) => {
    const { files, index, largestChunk } = await collectCabinet(bytesSource(buildCab(options)));
    for (const file of options.files) {
      const name = String(file.name).replaceAll('\\', '/');
      expect(Buffer.compare(files.get(name) ?? Buffer.alloc(1), Buffer.from(file.data)), name).toBe(0);
    }
    expect(index.members).toHaveLength(options.files.length);
    expect(largestChunk).toBeLessThanOrEqual(32768);
  });

  it('needs the history for those layouts: a later block alone does not inflate', () => {
    const blocks = makeBlocks(repetitive, { compression: 'mszip', mszip: 'dictionary' });
    expect(() => zlib.inflateRawSync((blocks[1]?.data ?? new Uint8Array(0)).subarray(2))).toThrow(/too far back/);
  });

  it('extracts MSZIP cut from one deflate stream at Z_SYNC_FLUSH points (history across blocks)', async () => {
    const stream = Buffer.concat([repetitive, small]);
    const chunks = [];
    for (let at = 0; at < stream.length; at += 32768) chunks.push(stream.subarray(at, at + 32768));
    const blocks = await deflateAsOneStream(chunks);
    // Those blocks do reference earlier blocks: alone, block 1 cannot be inflated.
    expect(() => zlib.inflateRawSync((blocks[1]?.data ?? new Uint8Array(0)).subarray(2))).toThrow(/too far back/);
    const cab = buildCab({
      files: [
        { name: 'repetitive', data: repetitive },
        { name: 'small', data: small },
      ],
      folders: [{ compression: 'mszip', blocks }],
    });
    const { files } = await collectCabinet(bytesSource(cab));
    expect(Buffer.compare(files.get('repetitive') ?? Buffer.alloc(0), repetitive)).toBe(0);
    expect(Buffer.compare(files.get('small') ?? Buffer.alloc(0), Buffer.from(small))).toBe(0);
  });

  it('resets the history at each folder', async () => {
    // Folder 1's first block is deflated with folder 0's tail as dictionary: it must not decode.
    const blocks0 = makeBlocks(repetitive, { compression: 'mszip' });
    const dictionary = repetitive.subarray(repetitive.length - 32768);
    const second = dictionary.subarray(0, 20000);
    const data1 = Buffer.concat([Buffer.from('CK'), zlib.deflateRawSync(second, { dictionary })]);
    const cab = buildCab({
      files: [
        { name: 'a', data: repetitive },
        { name: 'b', data: second, folder: 1 },
      ],
      folders: [
        { compression: 'mszip', blocks: blocks0 },
        { compression: 'mszip', blocks: [{ data: data1, uncompressed: 20000 }] },
      ],
    });
    await expectCabError(
      collectCabinet(bytesSource(cab)),
      'cab-invalid',
      /^CFDATA 0 of folder 1 at offset \d+ is not valid MSZIP data: invalid distance too far back$/,
    );
  });

  it('opens members in folder order, then offset order, and skips those `only` rejects', async () => {
    const cab = buildCab({
      files: [
        { name: 'second-in-folder-1', data: small, folder: 1, uoffFolderStart: 3000 },
        { name: 'folder-0', data: small },
        { name: 'first-in-folder-1', data: small, folder: 1, uoffFolderStart: 0 },
      ],
      folders: [{}, { blocks: makeBlocks(Buffer.concat([small, small]), {}) }],
    });
    expect((await collectCabinet(bytesSource(cab))).order).toEqual([
      'folder-0',
      'first-in-folder-1',
      'second-in-folder-1',
    ]);
    const only = (m: CabinetMember): boolean => m.name.startsWith('first');
    expect((await collectCabinet(bytesSource(cab), {}, only)).order).toEqual(['first-in-folder-1']);
  });

  it('verifies members it skips', async () => {
    const cab = buildCab({
      files: [
        { name: 'wanted', data: small },
        { name: 'skipped', data: big, folder: 1 },
      ],
      folders: [{}, { compression: 'mszip' }],
      checksum: (folder, block, correct) => (folder === 1 && block === 4 ? correct ^ 1 : correct),
    });
    await expectCabError(
      collectCabinet(bytesSource(cab), {}, (m) => m.name === 'wanted'),
      'cab-invalid',
      /^CFDATA 4 of folder 1 at offset \d+ fails its checksum: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}$/,
    );
  });

  it('skips verification when csum is 0 (gcab, fwupd and MS-CAB agree)', async () => {
    const { files } = await collectCabinet(
      bytesSource(buildCab({ files: [{ name: 'a', data: big }], checksum: 'zero' })),
    );
    expect(files.get('a')).toHaveLength(big.length);
  });

  const mszipBlock = (data: Uint8Array): Uint8Array => Buffer.concat([Buffer.from('CK'), zlib.deflateRawSync(data)]);
  it.each([
    [
      'no CK signature',
      Buffer.concat([Buffer.from('ck'), zlib.deflateRawSync(small)]),
      3000,
      /does not start with the MSZIP signature CK$/,
    ],
    [
      'bytes after the deflate stream (as gcab refuses)',
      Buffer.concat([mszipBlock(small), Buffer.from([1, 2])]),
      3000,
      /has data after the end of its deflate stream: 2 bytes$/,
    ],
    [
      'fewer bytes than cbUncomp',
      mszipBlock(small.subarray(0, 2999)),
      3000,
      /expands to 2999 bytes, cbUncomp says 3000$/,
    ],
    [
      'more bytes than cbUncomp',
      mszipBlock(Buffer.concat([small, small.subarray(0, 1)])),
      3000,
      /expands to more than cbUncomp: 3000 bytes$/,
    ],
    ['garbage', Buffer.from('CK\xff\xff\xff\xff', 'latin1'), 3000, /is not valid MSZIP data: invalid block type$/],
    [
      'a deflate stream cut short',
      mszipBlock(small).subarray(0, 100),
      3000,
      /is not valid MSZIP data: unexpected end of file$/,
    ],
  ])('refuses an MSZIP block with %s', async (_what, data, uncompressed, message) => {
    const cab = buildCab({
      files: [{ name: 'a', data: small }],
      folders: [{ compression: 'mszip', blocks: [{ data, uncompressed }] }],
    });
    await expectCabError(collectCabinet(bytesSource(cab)), 'cab-invalid', message);
  });

  it('aborts the open writer, and never closes it, when a block fails', async () => {
    const cab = buildCab({
      files: [{ name: 'a', data: big }],
      checksum: (_folder, block, correct) => (block === 2 ? correct + 1 : correct),
    });
    const events: string[] = [];
    await expectCabError(
      extractCabinet(bytesSource(cab), {
        open: (m) => ({
          write: (chunk) => {
            events.push(`write ${chunk.byteLength}`);
          },
          close: () => {
            events.push(`close ${m.name}`);
          },
          abort: (reason) => {
            events.push(`abort ${(reason as Error).message.slice(0, 8)}`);
          },
        }),
      }),
      'cab-invalid',
      /fails its checksum/,
    );
    expect(events).toEqual(['write 32768', 'write 32768', 'abort CFDATA 2']);
  });

  it('propagates an error thrown by the sink', async () => {
    const failing = extractCabinet(bytesSource(sample('example-mszip.cab')), {
      open: () => {
        throw new Error('sink is full');
      },
    });
    await expect(failing).rejects.toThrow('sink is full');
  });

  it('reads a file source in bounded chunks with the same result as bytes (blocks straddling chunks)', async () => {
    const data = pseudoRandomBytes(900_000, 21, true);
    const cab = buildCab({
      files: [
        { name: 'a', data },
        { name: 'b', data: big, folder: 1 },
      ],
      folders: [{ compression: 'none', blockSizes: [32768, 31111] }, { compression: 'mszip' }],
      reserve: { header: 13, folder: 1, data: 5 },
    });
    const file = path.join(temporaryDirectory(), 'x.cab');
    fs.writeFileSync(file, cab);
    const fromFile = await collectCabinet({ kind: 'file', path: file });
    const fromBytes = await collectCabinet(bytesSource(cab));
    expect(fromFile.index).toEqual(fromBytes.index);
    expect(Buffer.compare(fromFile.files.get('a') ?? Buffer.alloc(0), Buffer.from(data))).toBe(0);
    expect(Buffer.compare(fromFile.files.get('b') ?? Buffer.alloc(0), Buffer.from(big))).toBe(0);
  });
});

describe('readCabinetMembers', () => {
  const cab = buildCab({
    files: [
      { name: 'firmware.metainfo.xml', data: small },
      { name: 'firmware.bin', data: big },
      { name: 'firmware.jcat', data: mid },
    ],
    folders: [{ compression: 'mszip' }],
  });
  const wanted = (m: CabinetMember): boolean => !m.name.endsWith('.bin');

  it('reads the selected small members into memory', async () => {
    const members = await readCabinetMembers(bytesSource(cab), wanted, 64 * 1024);
    expect([...members.keys()]).toEqual(['firmware.metainfo.xml', 'firmware.jcat']);
    expect(Buffer.compare(Buffer.from(members.get('firmware.jcat') ?? []), Buffer.from(mid))).toBe(0);
  });

  it('refuses a selected member above maxBytesEach', async () => {
    await expectCabError(
      readCabinetMembers(bytesSource(cab), wanted, 40_000),
      'cab-limit-exceeded',
      'file "firmware.jcat" is too large to read into memory: 45000 bytes, the limit is 40000',
    );
  });
});

describe('hashCabinetMembers', () => {
  it('hashes every member, streaming, with each algorithm', async () => {
    const cab = buildCab({
      files: [
        { name: 'a', data: big },
        { name: 'e', data: empty },
      ],
      folders: [{ compression: 'mszip' }],
    });
    const hashes = await hashCabinetMembers(bytesSource(cab), ['sha256', 'sha512', 'sha1']);
    for (const [name, data] of [
      ['a', big],
      ['e', empty],
    ] as const) {
      expect(hashes.get(name)).toEqual({
        sha256: createHash('sha256').update(data).digest('hex'),
        sha512: createHash('sha512').update(data).digest('hex'),
        sha1: createHash('sha1').update(data).digest('hex'),
      });
    }
  });
});

describe('extractCabinetToDirectory', () => {
  const nested = buildCab({
    files: [
      { name: 'firmware.bin', data: big, date: 0x586f, time: 0x645c },
      { name: 'dir\\sub\\inner.txt', data: small },
      { name: 'dir\\empty', data: empty, date: 0, time: 0 },
    ],
    folders: [{ compression: 'mszip' }],
  });

  it('writes every member under the directory, mode 0644, with its date', async () => {
    const dir = temporaryDirectory();
    const { written, index } = await extractCabinetToDirectory(bytesSource(nested), dir);
    expect(written).toEqual([
      path.join(dir, 'firmware.bin'),
      path.join(dir, 'dir/sub/inner.txt'),
      path.join(dir, 'dir/empty'),
    ]);
    expect(index.members).toHaveLength(3);
    expect(Buffer.compare(fs.readFileSync(path.join(dir, 'firmware.bin')), Buffer.from(big))).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'dir/sub/inner.txt'))).toEqual(Buffer.from(small));
    expect(fs.statSync(path.join(dir, 'dir/empty')).size).toBe(0);
    expect(fs.statSync(path.join(dir, 'firmware.bin')).mode & 0o777).toBe(0o644);
    expect(fs.statSync(path.join(dir, 'firmware.bin')).mtime.toISOString()).toBe('2024-03-15T12:34:56.000Z');
    expect(fs.readdirSync(dir).sort()).toEqual(['dir', 'firmware.bin']); // no temporary files left
  });

  it('honours `only`', async () => {
    const dir = temporaryDirectory();
    const { written } = await extractCabinetToDirectory(bytesSource(nested), dir, {
      only: (m) => m.name === 'firmware.bin',
    });
    expect(written).toEqual([path.join(dir, 'firmware.bin')]);
    expect(fs.readdirSync(dir)).toEqual(['firmware.bin']);
  });

  it('never overwrites a file, and removes what it wrote', async () => {
    const dir = temporaryDirectory();
    fs.mkdirSync(path.join(dir, 'dir'));
    fs.writeFileSync(path.join(dir, 'dir/empty'), 'keep me');
    const error = await expectCabError(
      extractCabinetToDirectory(bytesSource(nested), dir),
      'io-error',
      /^refusing to overwrite .*dir\/empty: it already exists$/,
    );
    expect(error.hint).toMatch(/empty directory/);
    expect(fs.readdirSync(dir)).toEqual(['dir']);
    expect(fs.readdirSync(path.join(dir, 'dir'))).toEqual(['empty']);
    expect(fs.readFileSync(path.join(dir, 'dir/empty'), 'utf8')).toBe('keep me');
  });

  it('never follows a symlink', async () => {
    const dir = temporaryDirectory();
    const elsewhere = temporaryDirectory();
    fs.symlinkSync(elsewhere, path.join(dir, 'dir'));
    await expectCabError(
      extractCabinetToDirectory(bytesSource(nested), dir),
      'io-error',
      /^refusing to extract through .*\/dir: a symlink$/,
    );
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(['dir']);
    fs.rmSync(path.join(dir, 'dir'));
    fs.symlinkSync(path.join(elsewhere, 'target'), path.join(dir, 'firmware.bin'));
    await expectCabError(
      extractCabinetToDirectory(bytesSource(nested), dir),
      'io-error',
      /refusing to overwrite .*firmware\.bin/,
    );
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it('removes everything it wrote, directories included, when the cabinet turns out corrupt', async () => {
    const cab = buildCab({
      files: [
        { name: 'a\\b\\first', data: small },
        { name: 'second', data: big, folder: 1 },
      ],
      folders: [{}, { compression: 'mszip' }],
      checksum: (folder, block, correct) => (folder === 1 && block === 3 ? correct ^ 0x100 : correct),
    });
    const dir = temporaryDirectory();
    fs.writeFileSync(path.join(dir, 'unrelated'), 'x');
    await expectCabError(extractCabinetToDirectory(bytesSource(cab), dir), 'cab-invalid', /fails its checksum/);
    expect(fs.readdirSync(dir)).toEqual(['unrelated']);
  });

  it('needs an existing directory', async () => {
    const dir = temporaryDirectory();
    await expectCabError(
      extractCabinetToDirectory(bytesSource(nested), path.join(dir, 'missing')),
      'io-error',
      /ENOENT$/,
    );
    fs.symlinkSync(dir, path.join(dir, 'link'));
    await expectCabError(
      extractCabinetToDirectory(bytesSource(nested), path.join(dir, 'link')),
      'io-error',
      /: not a directory$/,
    );
  });
});

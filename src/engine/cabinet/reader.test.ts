import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCab, pseudoRandomBytes } from '../../../test/catalogs/cab/build-cab.js';
import { bytesSource } from '../../../test/catalogs/cab/collect.js';
import { expectCabError } from '../../../test/catalogs/cab/expect-cab-error.js';
import { DEFAULT_CABINET_LIMITS, readCabinetIndex } from './index.js';

const SAMPLES = path.resolve(import.meta.dirname, '../../../test/catalogs/cab');
const sample = (name: string): Buffer => fs.readFileSync(path.join(SAMPLES, name));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const index = (bytes: Uint8Array, limits = {}) => readCabinetIndex(bytesSource(bytes), limits);

describe('readCabinetIndex on real cabinets', () => {
  it('reads example-mszip.cab (gcab 1.5 -z) as the reference annotates it', async () => {
    const result = await readCabinetIndex({ kind: 'file', path: path.join(SAMPLES, 'example-mszip.cab') });
    expect(result).toEqual({
      size: 366,
      folders: [{ index: 0, compression: 'mszip', blocks: 1, dataOffset: 0x6f, uncompressedSize: 359 }],
      members: [
        {
          name: 'firmware.bin',
          size: 33,
          folder: 0,
          offset: 0,
          modified: new Date('2024-03-15T12:34:56Z'),
          attributes: 0x20,
        },
        {
          name: 'firmware.metainfo.xml',
          size: 326,
          folder: 0,
          offset: 33,
          modified: new Date('2024-03-15T12:34:56Z'),
          attributes: 0x20,
        },
      ],
      reserveHeaderBytes: 0,
      setId: 0,
    });
  });

  it('reads example-stored.cab the same way, compression none', async () => {
    const result = await index(sample('example-stored.cab'));
    expect(result.size).toBe(478);
    expect(result.folders).toEqual([
      { index: 0, compression: 'none', blocks: 1, dataOffset: 0x6f, uncompressedSize: 359 },
    ]);
    expect(result.members.map((m) => [m.name, m.size, m.offset])).toEqual([
      ['firmware.bin', 33, 0],
      ['firmware.metainfo.xml', 326, 33],
    ]);
  });

  it('reads gcab UTF-8 names (attribs 0x80), a subdirectory and an empty file', async () => {
    const result = await index(sample('gcab-utf8-mszip.cab'));
    expect(result.members.map((m) => [m.name, m.size, m.attributes])).toEqual([
      ['na\u00efve-\u00fc.txt', 7, 0xa0],
      ['sub/inner.txt', 6, 0x20],
      ['empty.bin', 0, 0x20],
      ['repeat.txt', 5000, 0x20],
    ]);
  });
});

describe('readCabinetIndex on built cabinets', () => {
  const a = pseudoRandomBytes(70_000, 1, true);
  const b = pseudoRandomBytes(5_000, 2);
  const c = pseudoRandomBytes(40_000, 3, true);

  it('skips header, folder and data reserve bytes (RESERVE_PRESENT)', async () => {
    const cab = buildCab({
      files: [
        { name: 'a', data: a },
        { name: 'b', data: b, folder: 1 },
      ],
      folders: [{ compression: 'mszip' }, { compression: 'none' }],
      reserve: { header: 20, folder: 7, data: 3 },
      setId: 4242,
    });
    const result = await index(cab);
    expect(result.reserveHeaderBytes).toBe(20);
    expect(result.setId).toBe(4242);
    expect(result.folders.map((f) => [f.compression, f.blocks, f.uncompressedSize])).toEqual([
      ['mszip', 3, 70_000],
      ['none', 1, 5_000],
    ]);
    expect(result.folders[0]?.dataOffset).toBe(36 + 4 + 20 + 2 * (8 + 7) + (16 + 2) * 2);
  });

  it('lists members in CFFILE order across several folders', async () => {
    const cab = buildCab({
      files: [
        { name: 'c', data: c, folder: 1 },
        { name: 'a', data: a },
        { name: 'b', data: b, folder: 1 },
      ],
      folders: [{ compression: 'none' }, { compression: 'mszip' }],
    });
    const result = await index(cab);
    expect(result.members.map((m) => [m.name, m.folder, m.offset])).toEqual([
      ['c', 1, 0],
      ['a', 0, 0],
      ['b', 1, 40_000],
    ]);
  });

  it('accepts a folder of 0 blocks holding only empty files (gcab writes that)', async () => {
    const result = await index(buildCab({ files: [{ name: 'empty', data: new Uint8Array(0) }] }));
    expect(result.folders).toEqual([
      { index: 0, compression: 'none', blocks: 0, dataOffset: result.size, uncompressedSize: 0 },
    ]);
  });

  it('accepts stored blocks shorter than 32 KiB anywhere (gcab, cabextract and fwupd all do)', async () => {
    const cab = buildCab({ files: [{ name: 'a', data: a }], folders: [{ blockSizes: [100, 32768, 7, 32768] }] });
    expect((await index(cab)).folders[0]?.blocks).toBe(5);
  });

  it('refuses an empty block: MS-CAB reads cbUncomp 0 as continued in the next cabinet (cabextract too)', async () => {
    const cab = buildCab({ files: [{ name: 'a', data: a }], folders: [{ blockSizes: [32768, 0, 32768] }] });
    const error = await expectCabError(
      index(cab),
      'cab-unsupported',
      /^multi-cabinet sets are not supported: CFDATA 1 of folder 0 at offset \d+ continues in the next cabinet \(cbUncomp 0\)$/,
    );
    expect(error.hint).toMatch(/single self-contained cabinet/);
  });

  it('refuses an MSZIP block shorter than 32 KiB before the last (peers disagree on its history)', async () => {
    const cab = buildCab({
      files: [{ name: 'a', data: a }],
      folders: [{ compression: 'mszip', blockSizes: [32768, 20000] }],
    });
    await expectCabError(
      index(cab),
      'cab-invalid',
      /^CFDATA 1 of folder 0 at offset \d+ is a short MSZIP block before the folder's last: cbUncomp 20000, not 32768$/,
    );
    const last = buildCab({
      files: [{ name: 'a', data: a }],
      folders: [{ compression: 'mszip', blockSizes: [32768, 32768, 4464] }],
    });
    expect((await index(last)).folders[0]?.blocks).toBe(3);
  });

  it('reads the same from a file as from bytes', async () => {
    const cab = buildCab({ files: [{ name: 'a', data: a }], folders: [{ compression: 'mszip' }] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-cab-'));
    try {
      const file = path.join(dir, 'x.cab');
      fs.writeFileSync(file, cab);
      expect(await readCabinetIndex({ kind: 'file', path: file })).toEqual(await index(cab));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readCabinetIndex refusals', () => {
  const data = pseudoRandomBytes(1000, 9);
  const one = (extra: Parameters<typeof buildCab>[0] extends infer O ? Partial<O> : never = {}) =>
    buildCab({ files: [{ name: 'x.bin', data }], ...extra });

  it('not a cabinet', async () => {
    await expectCabError(
      index(text('PK\x03\x04 this is a zip file, not a cabinet')),
      'cab-invalid',
      /^not a cabinet: signature is 0x04034b50$/,
    );
  });

  it('a file longer than cbCabinet (as fwupd refuses)', async () => {
    const cab = Buffer.concat([one(), Buffer.from([0, 0, 0])]);
    const error = await expectCabError(
      index(cab),
      'cab-invalid',
      /^file is longer than the cabinet: cbCabinet is \d+, file has \d+ bytes$/,
    );
    expect(error.details).toMatchObject({ fileSize: cab.length, cbCabinet: cab.length - 3 });
  });

  it('a file shorter than cbCabinet', async () => {
    await expectCabError(index(one({ cbCabinetDelta: 1 })), 'cab-invalid', /^truncated cabinet: cbCabinet is/);
  });

  it('truncated at (almost) every length, always with the offset', async () => {
    const cab = buildCab({
      files: [
        { name: 'a.bin', data: pseudoRandomBytes(40_000, 4, true) },
        { name: 'b.bin', data, folder: 1 },
      ],
      folders: [{ compression: 'mszip' }, { compression: 'none' }],
      reserve: { header: 4, folder: 2, data: 1 },
    });
    // Every length through the tables and the first blocks, then every 7th.
    for (let length = 0; length < cab.length; length += length < 4096 ? 1 : 7) {
      const cut = cab.slice(0, length);
      // Keep cbCabinet consistent with the cut, so the structures themselves are found short.
      if (length >= 12) new DataView(cut.buffer).setUint32(8, length, true);
      const error = await expectCabError(index(cut), 'cab-invalid');
      if (length >= 12) {
        expect(error.message).toMatch(
          /^truncated cabinet: .* at offset \d+ needs \d+ bytes, \d+ left$|^folder \d has less data/,
        );
      }
    }
  });

  it('format versions other than 1.3', async () => {
    await expectCabError(
      index(one({ versionMinor: 2 })),
      'cab-unsupported',
      'cabinet format version 1.2 is not supported, only 1.3',
    );
  });

  it.each([
    ['PREV_CABINET', { flags: 1, prev: { cabinet: 'a.cab', disk: 'disk1' } }, /header flags 0x0001$/],
    ['NEXT_CABINET', { flags: 2, next: { cabinet: 'c.cab', disk: 'disk3' } }, /header flags 0x0002$/],
    ['iCabinet 1', { iCabinet: 1 }, /iCabinet is 1$/],
  ])('multi-cabinet sets: %s', async (_what, options, message) => {
    const error = await expectCabError(index(one(options)), 'cab-unsupported', message);
    expect(error.message).toMatch(/^multi-cabinet sets are not supported/);
    expect(error.hint).toMatch(/single self-contained cabinet/);
  });

  it.each([0xfffd, 0xfffe, 0xffff])('files continued across cabinets: iFolder 0x%s', async (iFolder) => {
    const cab = buildCab({ files: [{ name: 'x', data, iFolder }] });
    await expectCabError(
      index(cab),
      'cab-unsupported',
      new RegExp(`continues across cabinets, iFolder 0x${iFolder.toString(16)}$`),
    );
  });

  it('LZX, naming the method and window', async () => {
    const error = await expectCabError(
      index(
        buildCab({
          files: [{ name: 'x', data }],
          folders: [{ typeCompress: 0x1503, blocks: [{ data, uncompressed: 1000 }] }],
        }),
      ),
      'cab-unsupported',
      'folder 0 is compressed with an unsupported method: LZX (window 2^21)',
    );
    expect(error.hint).toMatch(/MSZIP/);
  });

  it('Quantum, naming the method', async () => {
    await expectCabError(
      index(
        buildCab({
          files: [{ name: 'x', data }],
          folders: [{ typeCompress: 0x1472, blocks: [{ data, uncompressed: 1000 }] }],
        }),
      ),
      'cab-unsupported',
      'folder 0 is compressed with an unsupported method: Quantum (level 7, memory 2^20)',
    );
  });

  it.each([
    [
      'unknown compression types',
      { typeCompress: 0x0004 },
      'folder 0 has an unknown compression type: typeCompress 0x0004',
    ],
    [
      'parameters on NONE',
      { typeCompress: 0x0100 },
      'folder 0 has parameters on a method that takes none: typeCompress 0x0100',
    ],
    ['parameters on MSZIP', { typeCompress: 0x0f01 }, /typeCompress 0x0f01$/],
  ])('%s', async (_what, folder, message) => {
    await expectCabError(index(buildCab({ files: [{ name: 'x', data }], folders: [folder] })), 'cab-invalid', message);
  });

  it.each([
    ['unknown header flags', { flags: 0x0010 }, 'unknown header flags: 0x0010'],
    ['no folder', { cFolders: 0 }, 'cabinet has no folder: cFolders is 0'],
    ['no file', { cFiles: 0 }, 'cabinet has no file: cFiles is 0'],
    ['coffFiles inside the folder table', { coffFiles: 40 }, 'coffFiles points inside the header or folder table: 40'],
  ])('%s', async (_what, options, message) => {
    await expectCabError(index(one(options)), 'cab-invalid', message);
  });

  it('a header reserve above 60000 bytes', async () => {
    const cab = one({ reserve: { header: 60001, folder: 0, data: 0 } });
    await expectCabError(index(cab), 'cab-invalid', 'header reserve is larger than 60000 bytes: 60001');
  });

  it('a name without its NUL within 256 bytes', async () => {
    await expectCabError(
      index(buildCab({ files: [{ name: 'n'.repeat(256), data }] })),
      'cab-invalid',
      /name longer than 255 bytes$/,
    );
    expect((await index(buildCab({ files: [{ name: 'n'.repeat(255), data }] }))).members[0]?.name).toHaveLength(255);
  });

  it('a file naming a folder that does not exist', async () => {
    await expectCabError(
      index(buildCab({ files: [{ name: 'x', data, iFolder: 1 }] })),
      'cab-invalid',
      'file 0 names folder 1, the cabinet has 1',
    );
  });

  it('duplicate names and files that are directories of others', async () => {
    await expectCabError(
      index(
        buildCab({
          files: [
            { name: 'a\\b', data },
            { name: 'a/b', data },
          ],
        }),
      ),
      'cab-invalid',
      'files 0 and 1 have the same name: "a/b"',
    );
    await expectCabError(
      index(
        buildCab({
          files: [
            { name: 'a', data },
            { name: 'a\\b', data },
          ],
        }),
      ),
      'cab-invalid',
      /file 0 is also a directory of file 1/,
    );
  });

  it('overlapping members, even identical ranges (gcab and fwupd never write them)', async () => {
    await expectCabError(
      index(
        buildCab({
          files: [
            { name: 'a', data },
            { name: 'b', data: data.subarray(0, 10), uoffFolderStart: 990 },
          ],
        }),
      ),
      'cab-invalid',
      'files "a" and "b" overlap in folder 0 at offset 990',
    );
    await expectCabError(
      index(
        buildCab({
          files: [
            { name: 'a', data },
            { name: 'b', data, uoffFolderStart: 0 },
          ],
          folders: [{ blocks: [{ data, uncompressed: 1000 }] }],
        }),
      ),
      'cab-invalid',
      /overlap in folder 0 at offset 0$/,
    );
  });

  it('bytes of a folder that belong to no member, between or after them', async () => {
    await expectCabError(
      index(
        buildCab({
          files: [
            { name: 'a', data, cbFile: 10 },
            { name: 'b', data },
          ],
        }),
      ),
      'cab-invalid',
      'folder 0 has 990 bytes that belong to no file at offset 10',
    );
    await expectCabError(
      index(buildCab({ files: [{ name: 'a', data, cbFile: 999 }] })),
      'cab-invalid',
      /^folder 0 has more data than its files hold: 1000 bytes by block 0, the files hold 999$/,
    );
    await expectCabError(
      index(buildCab({ files: [{ name: 'a', data, cbFile: 1001 }] })),
      'cab-invalid',
      'folder 0 has less data than its files hold: 1000 bytes, the files hold 1001',
    );
  });

  it('a folder holding no file', async () => {
    await expectCabError(
      index(buildCab({ files: [{ name: 'a', data }], folders: [{}, { blocks: [{ data, uncompressed: 1000 }] }] })),
      'cab-invalid',
      'folder 1 holds no file',
    );
  });

  it('folders sharing data', async () => {
    const cab = buildCab({
      files: [
        { name: 'a', data },
        { name: 'b', data, folder: 1 },
      ],
      folders: [{}, {}],
    });
    const firstStart = new DataView(cab.buffer).getUint32(36, true);
    new DataView(cab.buffer).setUint32(36 + 8, firstStart, true);
    await expectCabError(index(cab), 'cab-invalid', /^folders 0 and 1 share their data: both start at \d+$/);
    const overlapping = buildCab({
      files: [
        { name: 'a', data },
        { name: 'b', data, folder: 1 },
      ],
      folders: [{ blockSizes: 500 }, { blockSizes: 500 }],
    });
    const view = new DataView(overlapping.buffer);
    view.setUint32(36 + 8, view.getUint32(36 + 8, true) - 508, true); // folder 1 starts at folder 0's 2nd block
    view.setUint16(36 + 8 + 4, 3, true);
    await expectCabError(index(overlapping), 'cab-invalid', /runs into the data of another folder/);
  });

  it('folder data before the end of the file table', async () => {
    await expectCabError(
      index(buildCab({ files: [{ name: 'a', data }], folders: [{ coffCabStart: 50 }] })),
      'cab-invalid',
      'folder 0 data starts inside the header or file table: offset 50',
    );
  });

  it.each([
    [
      'cbUncomp above 32768',
      { blocks: [{ data: new Uint8Array(32769), uncompressed: 32769 }] },
      /expands to more than 32768 bytes: cbUncomp 32769$/,
    ],
    [
      'stored sizes that differ',
      { blocks: [{ data, uncompressed: 999 }] },
      /is stored but its sizes differ: cbData 1000, cbUncomp 999$/,
    ],
    [
      'an MSZIP block above 32780 bytes',
      { compression: 'mszip' as const, blocks: [{ data: new Uint8Array(32781), uncompressed: 1000 }] },
      /is larger than an MSZIP block can be: cbData 32781$/,
    ],
    [
      'an MSZIP block too short for CK and deflate',
      { compression: 'mszip' as const, blocks: [{ data: text('CK'), uncompressed: 1000 }] },
      /is too short for MSZIP data: cbData 2$/,
    ],
  ])('blocks with %s', async (_what, folder, message) => {
    await expectCabError(index(buildCab({ files: [{ name: 'a', data }], folders: [folder] })), 'cab-invalid', message);
  });
});

describe('readCabinetIndex limits', () => {
  const data = pseudoRandomBytes(1000, 5);

  it('has fwupd-like defaults', () => {
    expect(DEFAULT_CABINET_LIMITS).toEqual({
      maxFiles: 1024,
      maxFolders: 64,
      maxFileSize: 512 * 1024 * 1024,
      maxTotalUncompressed: 1024 * 1024 * 1024,
      maxCompressionRatio: 1000,
    });
  });

  it('maxFiles', async () => {
    const cab = buildCab({
      files: [
        { name: 'a', data },
        { name: 'b', data },
        { name: 'c', data },
      ],
    });
    await expectCabError(index(cab, { maxFiles: 2 }), 'cab-limit-exceeded', 'too many files: 3, the limit is 2');
    const files = Array.from({ length: 1025 }, (_, i) => ({ name: `f${i}`, data: new Uint8Array(0) }));
    await expectCabError(index(buildCab({ files })), 'cab-limit-exceeded', 'too many files: 1025, the limit is 1024');
  });

  it('maxFolders', async () => {
    const folders = Array.from({ length: 65 }, () => ({}));
    const files = folders.map((_, i) => ({ name: `f${i}`, data, folder: i }));
    await expectCabError(
      index(buildCab({ files, folders })),
      'cab-limit-exceeded',
      'too many folders: 65, the limit is 64',
    );
  });

  it('maxFileSize', async () => {
    await expectCabError(
      index(buildCab({ files: [{ name: 'a', data }] }), { maxFileSize: 999 }),
      'cab-limit-exceeded',
      'file "a" is too large: 1000 bytes, the limit is 999',
    );
  });

  it('maxTotalUncompressed, before any block is read', async () => {
    const cab = buildCab({
      files: [
        { name: 'a', data },
        { name: 'b', data, folder: 1 },
      ],
      folders: [{}, {}],
    });
    const error = await expectCabError(
      index(cab, { maxTotalUncompressed: 1999 }),
      'cab-limit-exceeded',
      'cabinet expands to more than the limit of 1999 bytes: 2000',
    );
    expect(error.hint).toMatch(/check where the cabinet came from/);
  });

  it('maxCompressionRatio: an MSZIP bomb of zeros', async () => {
    const zeros = new Uint8Array(32768 * 8);
    const cab = buildCab({ files: [{ name: 'z', data: zeros }], folders: [{ compression: 'mszip', level: 9 }] });
    await expectCabError(
      index(cab, { maxCompressionRatio: 100 }),
      'cab-limit-exceeded',
      /^folder 0 has a suspicious compression ratio: 32768 bytes from \d+ by block 0, the limit is 100:1$/,
    );
    await expect(index(cab)).resolves.toBeDefined();
  });
});

describe('readCabinetIndex I/O errors', () => {
  it('a missing file is io-error', async () => {
    await expectCabError(
      readCabinetIndex({ kind: 'file', path: '/nonexistent/x.cab' }),
      'io-error',
      /^opening cabinet \/nonexistent\/x\.cab: ENOENT$/,
    );
  });
  it('a directory is io-error', async () => {
    await expectCabError(
      readCabinetIndex({ kind: 'file', path: os.tmpdir() }),
      'io-error',
      /not a regular file$|EISDIR$/,
    );
  });
});

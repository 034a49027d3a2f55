/**
 * capstan's reader against the real tools: cabinets made by gcab (stored and MSZIP) and by
 * `fwupdtool build-cabinet`, the reference examples and hand-built cabinets (several folders,
 * reserve fields, MSZIP blocks that reference earlier blocks) must extract byte for byte as
 * `cabextract` (and `gcab -x`) extract them, with the same member list.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BuildCabOptions,
  buildCab,
  deflateAsOneStream,
  pseudoRandomBytes,
} from '../../../test/catalogs/cab/build-cab.js';
import { haveTool } from '../../../test/helpers/tools.js';
import { extractCabinetToDirectory, readCabinetIndex } from './index.js';

const SAMPLES = path.resolve(import.meta.dirname, '../../../test/catalogs/cab');
const HAVE_CABEXTRACT = haveTool('cabextract');
const HAVE_GCAB = haveTool('gcab');
const HAVE_FWUPDTOOL = haveTool('fwupdtool');

let work = '';
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-cab-peers-'));
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

let counter = 0;
function freshDirectory(label: string): string {
  const dir = path.join(work, `${label}-${counter++}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every regular file under `dir`, relative path → bytes. */
function readTree(dir: string): Map<string, Buffer> {
  const tree = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath ?? entry.path, entry.name);
    tree.set(path.relative(dir, full), fs.readFileSync(full));
  }
  return tree;
}

function expectSameTree(actual: Map<string, Buffer>, expected: Map<string, Buffer>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, bytes] of expected) {
    expect(Buffer.compare(actual.get(name) ?? Buffer.alloc(0), bytes), `${name} differs`).toBe(0);
  }
}

/** Extracts with cabextract and with capstan; compares trees and the member list; returns the tree. */
async function compareWithCabextract(cab: string): Promise<Map<string, Buffer>> {
  const theirs = freshDirectory('cabextract');
  execFileSync('cabextract', ['-q', '-d', theirs, cab], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ours = freshDirectory('capstan');
  const { index, written } = await extractCabinetToDirectory({ kind: 'file', path: cab }, ours);
  const expected = readTree(theirs);
  expectSameTree(readTree(ours), expected);
  expect(index.members.map((m) => m.name).sort()).toEqual([...expected.keys()].sort());
  expect(written).toHaveLength(index.members.length);
  // Producers write members back to back: what capstan requires (no gap, no overlap).
  for (const folder of index.folders) {
    const members = index.members.filter((m) => m.folder === folder.index).sort((a, b) => a.offset - b.offset);
    let at = 0;
    for (const member of members) {
      expect(member.offset).toBe(at);
      at += member.size;
    }
    expect(at).toBe(folder.uncompressedSize);
  }
  return expected;
}

function gcabExtract(cab: string): Map<string, Buffer> {
  const dir = freshDirectory('gcab');
  execFileSync('gcab', ['-x', '-C', dir, cab], { stdio: ['ignore', 'ignore', 'pipe'] });
  return readTree(dir);
}

/** Input files for gcab: a 150 kB compressible file, 70 kB of noise, an empty file, a UTF-8 name, a subdirectory. */
function makeInputs(): { dir: string; names: string[]; mtime: Date } {
  const dir = freshDirectory('inputs');
  const mtime = new Date('2024-03-15T12:34:56Z');
  const files: [string, Uint8Array][] = [
    ['big.bin', pseudoRandomBytes(150_000, 31, true)],
    ['noise.bin', pseudoRandomBytes(70_000, 32)],
    ['empty.bin', new Uint8Array(0)],
    ['na\u00efve-\u00fc.txt', new TextEncoder().encode('h\u00e9llo\n')],
    [path.join('sub', 'inner.txt'), new TextEncoder().encode('inner\n')],
    ['firmware.metainfo.xml', fs.readFileSync(path.join(SAMPLES, 'example-stored.cab')).subarray(0x77 + 33)],
  ];
  for (const [name, data] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), data);
    fs.utimesSync(path.join(dir, name), mtime, mtime);
  }
  return { dir, names: files.map(([name]) => name), mtime };
}

describe.skipIf(!HAVE_CABEXTRACT)('byte-identical with cabextract', () => {
  it.each(['example-stored.cab', 'example-mszip.cab', 'gcab-utf8-stored.cab', 'gcab-utf8-mszip.cab'])(
    'sample %s',
    async (file) => {
      const tree = await compareWithCabextract(path.join(SAMPLES, file));
      expect(tree.size).toBeGreaterThanOrEqual(2);
    },
  );

  describe.skipIf(!HAVE_GCAB)('cabinets made by gcab', () => {
    it.each([
      ['gcab -c', []],
      ['gcab -c -z', ['-z']],
    ])('%s: several files, > 100 kB, empty, UTF-8 name, subdirectory', async (_what, flags) => {
      const inputs = makeInputs();
      const cab = path.join(freshDirectory('cab'), 'gcab.cab');
      execFileSync('gcab', ['-c', ...flags, cab, ...inputs.names], { cwd: inputs.dir });
      const tree = await compareWithCabextract(cab);
      expectSameTree(tree, readTree(inputs.dir));
      expectSameTree(gcabExtract(cab), tree);
      const index = await readCabinetIndex({ kind: 'file', path: cab });
      expect(index.folders.map((f) => f.compression)).toEqual([flags.length > 0 ? 'mszip' : 'none']);
      // gcab: date/time are the mtime in UTC, attribs 0x20 plus 0x80 for the UTF-8 name.
      for (const member of index.members) {
        expect(member.modified?.toISOString()).toBe(inputs.mtime.toISOString());
        expect(member.attributes).toBe(/^[\x20-\x7e]*$/.test(member.name) ? 0x20 : 0xa0);
      }
    });
  });

  describe.skipIf(!HAVE_FWUPDTOOL)('cabinets made by fwupdtool build-cabinet', () => {
    it('firmware.bin (100 kB) + metainfo', async () => {
      const dir = freshDirectory('fwupd-inputs');
      fs.writeFileSync(path.join(dir, 'firmware.bin'), pseudoRandomBytes(100_000, 41, true));
      fs.writeFileSync(
        path.join(dir, 'firmware.metainfo.xml'),
        [
          '<?xml version="1.0" encoding="UTF-8"?>',
          '<component type="firmware">',
          '  <id>org.capstan.Test.firmware</id>',
          '  <name>Test</name>',
          '  <summary>Test firmware</summary>',
          '  <provides><firmware type="flashed">2082b5e0-7a64-478a-b1b2-e3404fab6dad</firmware></provides>',
          '  <releases><release version="1.2.3" date="2024-01-01"/></releases>',
          '  <metadata_license>CC0-1.0</metadata_license>',
          '  <project_license>proprietary</project_license>',
          '</component>',
          '',
        ].join('\n'),
      );
      const cab = path.join(freshDirectory('cab'), 'fwupd.cab');
      // Named fw.bin, fwupd fails: "no image id firmware.bin found in firmware".
      execFileSync('fwupdtool', ['build-cabinet', cab, 'firmware.bin', 'firmware.metainfo.xml'], {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      expectSameTree(await compareWithCabextract(cab), readTree(dir));
      const index = await readCabinetIndex({ kind: 'file', path: cab });
      // fwupd writes stored data, attribs 0 and a 0/0 date.
      expect(index.folders.map((f) => f.compression)).toEqual(['none']);
      expect(index.members.map((m) => [m.name, m.attributes, m.modified])).toEqual([
        ['firmware.bin', 0, null],
        ['firmware.metainfo.xml', 0, null],
      ]);
    });
  });

  describe('hand-built cabinets', () => {
    const a = pseudoRandomBytes(150_000, 51, true);
    const b = pseudoRandomBytes(9_000, 52);
    const repetitive = Buffer.concat(Array.from({ length: 5 }, () => pseudoRandomBytes(20_000, 53)));
    const layouts: [string, BuildCabOptions | (() => Promise<BuildCabOptions>)][] = [
      [
        'three folders with header, folder and data reserve',
        {
          files: [
            { name: 'a.bin', data: a },
            { name: 'dir\\b.bin', data: b, folder: 1 },
            { name: 'dir\\empty', data: new Uint8Array(0), folder: 1 },
            { name: 'repetitive.bin', data: repetitive, folder: 2 },
          ],
          folders: [{ compression: 'mszip' }, { compression: 'none' }, { compression: 'mszip', mszip: 'dictionary' }],
          reserve: { header: 20, folder: 7, data: 3 },
        },
      ],
      [
        'MSZIP blocks deflated against the previous 32 KiB (dictionary)',
        {
          files: [
            { name: 'repetitive.bin', data: repetitive },
            { name: 'b.bin', data: b },
          ],
          folders: [{ compression: 'mszip', mszip: 'dictionary' }],
        },
      ],
      [
        'stored blocks of odd sizes',
        {
          files: [
            { name: 'repetitive.bin', data: repetitive },
            { name: 'b.bin', data: b },
          ],
          folders: [{ blockSizes: [5000, 32768, 100, 32768] }],
        },
      ],
      [
        'MSZIP blocks cut from one deflate stream at Z_SYNC_FLUSH points',
        async () => {
          const stream = Buffer.concat([repetitive, b]);
          const chunks = [];
          for (let at = 0; at < stream.length; at += 32768) chunks.push(stream.subarray(at, at + 32768));
          return {
            files: [
              { name: 'repetitive.bin', data: repetitive },
              { name: 'b.bin', data: b },
            ],
            folders: [{ compression: 'mszip', blocks: await deflateAsOneStream(chunks) }],
          };
        },
      ],
    ];

    it.each(layouts)('%s', async (_what, layout) => {
      const options = typeof layout === 'function' ? await layout() : layout;
      const cab = path.join(freshDirectory('cab'), 'built.cab');
      fs.writeFileSync(cab, buildCab(options));
      const tree = await compareWithCabextract(cab);
      expect(tree.size).toBe(options.files.length);
      if (HAVE_GCAB) expectSameTree(gcabExtract(cab), tree);
    });
  });
});

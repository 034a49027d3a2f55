import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type BuildCabOptions,
  buildCab,
  deflateAsOneStream,
  pseudoRandomBytes,
} from '../../../test/catalogs/cab/build-cab.js';
import { bytesSource, collectCabinet } from '../../../test/catalogs/cab/collect.js';
import { extractCabinetToDirectory, hashCabinetMembers, readCabinetMembers } from './index.js';
import { OutputPool, POOLED_BYTES, releaseChunk } from './pool.js';

describe('OutputPool', () => {
  it('reuses a buffer only once every holder has released it', () => {
    const pool = new OutputPool();
    const a = pool.take();
    expect(a.byteLength).toBe(POOLED_BYTES);
    const view = a.subarray(0, 100);
    pool.retain(view); // a writer
    pool.retain(a.subarray(100, 200)); // another writer, for the next member
    pool.release(a); // the extraction loop
    pool.release(view);
    expect(pool.take().buffer).not.toBe(a.buffer);
    releaseChunk(a.subarray(100, 200)); // the last holder, without knowing the pool
    expect(pool.take().buffer).toBe(a.buffer);
  });

  it('never reuses a buffer that went to a writer which may keep it, nor bytes it did not hand out', () => {
    const pool = new OutputPool();
    const a = pool.take();
    pool.escape(a.subarray(0, 10));
    pool.release(a);
    releaseChunk(a);
    const foreign = Buffer.allocUnsafeSlow(POOLED_BYTES);
    pool.release(foreign);
    releaseChunk(foreign);
    const next = pool.take();
    expect(next.buffer).not.toBe(a.buffer);
    expect(next.buffer).not.toBe(foreign.buffer);
  });
});

/**
 * Every buffer is scribbled over the moment it returns to the free list: if anything still read it
 * (a write in flight, a pending batch, the MSZIP history, the next member's part of a block, a sink
 * that keeps its chunks), the extracted bytes would differ.
 */
describe('extraction with buffer reuse', () => {
  let reused = 0;
  let allocated = 0;
  beforeEach(() => {
    reused = 0;
    allocated = 0;
    const release = OutputPool.prototype.release;
    vi.spyOn(OutputPool.prototype, 'release').mockImplementation(function (this: OutputPool, chunk: Uint8Array) {
      const free = (this as unknown as { free: Buffer[] }).free;
      const before = free.length;
      release.call(this, chunk);
      if (free.length > before) free[free.length - 1]?.fill(0xee);
    });
    const take = OutputPool.prototype.take;
    vi.spyOn(OutputPool.prototype, 'take').mockImplementation(function (this: OutputPool) {
      const free = (this as unknown as { free: Buffer[] }).free;
      if (free.length > 0) reused++;
      else allocated++;
      return take.call(this);
    });
  });
  const temporaries: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const dir of temporaries.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  // Members end mid-block, span several 512 KiB write batches, and share blocks with their neighbours.
  const large = pseudoRandomBytes(1_100_000, 21, true);
  const odd = pseudoRandomBytes(300_001, 22, true);
  const small = pseudoRandomBytes(3_000, 23);
  const noise = pseudoRandomBytes(90_000, 24, true);
  const files = [
    { name: 'a/large', data: large },
    { name: 'small', data: small },
    { name: 'empty', data: new Uint8Array(0) },
    { name: 'a/b/odd', data: odd },
    { name: 'noise', data: noise, folder: 1 },
    { name: 'small2', data: small, folder: 1 },
    { name: 'odd2', data: odd, folder: 2 },
    { name: 'noise2', data: noise, folder: 2 },
  ];
  const layouts: [string, BuildCabOptions][] = [
    [
      'independent MSZIP, MSZIP with history, stored blocks of odd sizes',
      {
        files,
        folders: [
          { compression: 'mszip' },
          { compression: 'mszip', mszip: 'dictionary' },
          { compression: 'none', blockSizes: [1000, 32768, 7, 32768] },
        ],
      },
    ],
    [
      'stored, then independent MSZIP, then MSZIP with history',
      {
        files,
        folders: [{ compression: 'none' }, { compression: 'mszip' }, { compression: 'mszip', mszip: 'dictionary' }],
      },
    ],
  ];

  it.each(layouts)('writes every member byte for byte to a directory: %s', async (_what, options) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-cab-pool-'));
    temporaries.push(dir);
    const cab = path.join(dir, 'test.cab');
    fs.writeFileSync(cab, buildCab(options));
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    await extractCabinetToDirectory({ kind: 'file', path: cab }, out);
    for (const file of options.files) {
      const written = fs.readFileSync(path.join(out, String(file.name)));
      expect(written.equals(Buffer.from(file.data)), String(file.name)).toBe(true);
    }
    // The point of the pool: buffers in use at once (two 512 KiB write batches, the history, the block
    // being decoded) are all that is ever allocated; every other block reuses one.
    expect(allocated).toBeLessThanOrEqual(40);
    expect(reused).toBeGreaterThan(0);
  });

  it.each(layouts)('hashes, reads and collects every member unchanged: %s', async (_what, options) => {
    const cab = buildCab(options);
    const hashes = await hashCabinetMembers(bytesSource(cab), ['sha256']);
    const read = await readCabinetMembers(bytesSource(cab), () => true, 2_000_000);
    // collectCabinet keeps every chunk it is given until the end: those buffers must never be reused.
    const { files: collected } = await collectCabinet(bytesSource(cab));
    for (const file of options.files) {
      const name = String(file.name);
      expect(hashes.get(name)?.sha256, name).toBe(createHash('sha256').update(file.data).digest('hex'));
      expect(Buffer.from(read.get(name) ?? []).equals(Buffer.from(file.data)), name).toBe(true);
      expect(collected.get(name)?.equals(Buffer.from(file.data)), name).toBe(true);
    }
  });

  it('writes MSZIP cut from one deflate stream (every block needs the history) byte for byte', async () => {
    const stream = Buffer.concat([odd, small]);
    const chunks = [];
    for (let at = 0; at < stream.length; at += 32768) chunks.push(stream.subarray(at, at + 32768));
    const blocks = await deflateAsOneStream(chunks);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-cab-pool-'));
    temporaries.push(dir);
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const cab = buildCab({
      files: [
        { name: 'odd', data: odd },
        { name: 'small', data: small },
      ],
      folders: [{ compression: 'mszip', blocks }],
    });
    await extractCabinetToDirectory(bytesSource(cab), out);
    expect(fs.readFileSync(path.join(out, 'odd')).equals(Buffer.from(odd))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'small')).equals(Buffer.from(small))).toBe(true);
  });
});

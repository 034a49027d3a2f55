import zlib from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeBlocks, pseudoRandomBytes, type RawBlock } from '../../../test/catalogs/cab/build-cab.js';
import { CapstanError } from '../../core/errors.js';
import { MszipDecoder } from './mszip.js';

const at = (block: number) => ({ folder: 0, block, offset: 1000 + block });
const ck = (deflated: Uint8Array) => Buffer.concat([Buffer.from('CK'), deflated]);

/** gcab's layout: every block deflated on its own. */
const stream = pseudoRandomBytes(8 * 32768 + 1234, 11, true);
const independent = makeBlocks(stream, { compression: 'mszip' });
const withHistory = makeBlocks(stream, { compression: 'mszip', mszip: 'dictionary' });

function decodeAll(decoder: MszipDecoder, blocks: RawBlock[]): Buffer {
  return Buffer.concat(blocks.map((b, i) => decoder.decode(b.data, b.uncompressed, at(i))));
}

/** A `cab-invalid` CapstanError (checked by name: a module loaded after resetModules has its own class). */
function refusal(run: () => unknown): CapstanError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).constructor.name).toBe(CapstanError.name);
    expect((error as CapstanError).code).toBe('cab-invalid');
    return error as CapstanError;
  }
  throw new Error('expected a refusal');
}

/** The refusals every decoder (reused handle or inflateRawSync) must make, with the same messages. */
function checkRefusals(Decoder: typeof MszipDecoder): void {
  const good = independent[0] as RawBlock;
  const deflated = good.data.subarray(2);
  const cases: [string, Uint8Array, number, RegExp][] = [
    ['no CK', Buffer.from(deflated), 32768, /MSZIP signature CK/],
    ['a flipped byte', flip(good.data, 40), 32768, /not valid MSZIP data|expands to/],
    ['cut short', good.data.subarray(0, good.data.length - 5), 32768, /not valid MSZIP data|expands to/],
    ['trailing bytes', Buffer.concat([good.data, Buffer.from([1, 2, 3])]), 32768, /data after the end.*3 bytes/],
    ['cbUncomp too small', good.data, 32000, /expands to more than cbUncomp: 32000/],
    ['cbUncomp too large', good.data, 32768 + 10, /expands to 32768 bytes, cbUncomp says 32778/],
    ['an invalid block type', ck(Buffer.from([0x07, 0xff, 0xff])), 100, /not valid MSZIP data/],
    ['a stream without its final block', ck(Buffer.from([0x00, 0x01, 0x00, 0xfe, 0xff, 0x41])), 1, /not valid/],
  ];
  for (const [what, data, cbUncomp, message] of cases) {
    // After a good block of the same size, so a stale result from it cannot pass for this one.
    const decoder = new Decoder();
    expect(Buffer.from(decoder.decode(good.data, 32768, at(0))).equals(stream.subarray(0, 32768))).toBe(true);
    decoder.reset();
    const error = refusal(() => decoder.decode(data, cbUncomp, at(7)));
    expect(error.message, what).toMatch(message);
    expect(error.message, what).toMatch(/^CFDATA 7 of folder 0 at offset 1007 /);
    // The decoder recovers: the next folder decodes.
    decoder.reset();
    expect(decodeAll(decoder, independent).equals(stream), what).toBe(true);
    decoder.close();
  }
}

function flip(data: Uint8Array, index: number): Buffer {
  const copy = Buffer.from(data);
  copy[index] = (copy[index] ?? 0) ^ 0xff;
  return copy;
}

describe('MszipDecoder', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('decodes independent blocks (gcab) and dictionary blocks byte for byte, folder after folder', () => {
    const decoder = new MszipDecoder();
    for (let round = 0; round < 3; round++) {
      decoder.reset();
      expect(decodeAll(decoder, independent).equals(stream)).toBe(true);
      decoder.reset();
      expect(decodeAll(decoder, withHistory).equals(stream)).toBe(true);
    }
    decoder.close();
  });

  it('hands out fresh buffers of exactly cbUncomp bytes that later blocks never overwrite', () => {
    const decoder = new MszipDecoder();
    const outputs = independent.map((b, i) => decoder.decode(b.data, b.uncompressed, at(i)));
    const copies = outputs.map((o) => Buffer.from(o));
    decodeAll(decoder, independent);
    outputs.forEach((output, i) => {
      expect(output.byteLength).toBe(independent[i]?.uncompressed);
      expect(Buffer.from(output).equals(copies[i] as Buffer)).toBe(true);
    });
    decoder.close();
  });

  it('refuses corrupt, short, long and trailing data, even right after a good block of the same size', () => {
    checkRefusals(MszipDecoder);
  });

  it('keeps one zlib stream for a whole extraction instead of one per block', () => {
    const decoder = new MszipDecoder();
    decoder.decode(independent[0]?.data ?? new Uint8Array(0), 32768, at(0)); // past the one-off self-test
    const create = vi.spyOn(zlib, 'createInflateRaw');
    const sync = vi.spyOn(zlib, 'inflateRawSync');
    decoder.reset();
    expect(decodeAll(decoder, independent).equals(stream)).toBe(true);
    expect(create).not.toHaveBeenCalled();
    expect(sync).not.toHaveBeenCalled();
    // A failed block costs a new stream, and the blocks after it reuse that one.
    refusal(() => decoder.decode(flip(independent[0]?.data ?? new Uint8Array(0), 40), 32768, at(0)));
    decoder.reset();
    expect(decodeAll(decoder, independent).equals(stream)).toBe(true);
    expect(create).toHaveBeenCalledTimes(1);
    decoder.close();
  });

  it('falls back to inflateRawSync, with the same results and refusals, when the zlib internals are missing', async () => {
    vi.resetModules();
    const original = zlib.createInflateRaw;
    vi.spyOn(zlib, 'createInflateRaw').mockImplementation((options) => {
      const stream = original(options);
      Object.defineProperty(stream, '_handle', { value: undefined, configurable: true, writable: true });
      return stream;
    });
    const sync = vi.spyOn(zlib, 'inflateRawSync');
    const fresh = (await import('./mszip.js')) as typeof import('./mszip.js');
    const decoder = new fresh.MszipDecoder();
    expect(decodeAll(decoder, independent).equals(stream)).toBe(true);
    expect(sync).toHaveBeenCalledTimes(independent.length);
    decoder.reset();
    expect(decodeAll(decoder, withHistory).equals(stream)).toBe(true);
    decoder.close();
    checkRefusals(fresh.MszipDecoder);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cabChecksum, pseudoRandomBytes } from '../../../test/catalogs/cab/build-cab.js';
import { computeCabChecksum } from './checksum.js';

const SAMPLES = path.resolve(import.meta.dirname, '../../../test/catalogs/cab');

describe('computeCabChecksum', () => {
  it('matches the reference worked example: "ABCDEFG" → 0x44010401', () => {
    expect(computeCabChecksum(new TextEncoder().encode('ABCDEFG'), 7)).toBe(0x44010401);
  });

  it('matches the csum gcab stored in example-stored.cab (0x0f5e4815) and example-mszip.cab (0x8ce3bfbb)', () => {
    for (const [file, expected] of [
      ['example-stored.cab', 0x0f5e4815],
      ['example-mszip.cab', 0x8ce3bfbb],
    ] as const) {
      const cab = fs.readFileSync(path.join(SAMPLES, file));
      const stored = cab.readUInt32LE(0x6f);
      const cbData = cab.readUInt16LE(0x73);
      const cbUncomp = cab.readUInt16LE(0x75);
      expect(stored).toBe(expected);
      expect(computeCabChecksum(cab.subarray(0x77, 0x77 + cbData), cbUncomp)).toBe(expected);
    }
  });

  it('folds 1, 2 and 3 trailing bytes first-byte-highest', () => {
    expect(computeCabChecksum(Uint8Array.of(0xaa), 1)).toBe((0xaa ^ (1 | (1 << 16))) >>> 0);
    expect(computeCabChecksum(Uint8Array.of(0xaa, 0xbb), 2)).toBe((0xaabb ^ (2 | (2 << 16))) >>> 0);
    expect(computeCabChecksum(Uint8Array.of(0xaa, 0xbb, 0xcc), 3)).toBe((0xaabbcc ^ (3 | (3 << 16))) >>> 0);
    expect(computeCabChecksum(new Uint8Array(0), 0)).toBe(0);
  });

  it('agrees with the independent test implementation at every alignment and length', () => {
    const backing = pseudoRandomBytes(40_000, 7);
    for (let offset = 0; offset < 8; offset++) {
      for (const length of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 63, 64, 65, 32768, 32775]) {
        const data = backing.subarray(offset, offset + length);
        expect(computeCabChecksum(data, length & 0x7fff)).toBe(cabChecksum(data, length & 0x7fff));
      }
    }
  });
});

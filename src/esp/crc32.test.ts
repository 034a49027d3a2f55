import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { zlibCrc32 } from '../../test/catalogs/esp/build-disk.js';
import { crc32, formatCrc32 } from './crc32.js';

describe('crc32', () => {
  it('matches the standard check values', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('continues over chunks', () => {
    const data = randomBytes(1000);
    expect(crc32(data.subarray(300), crc32(data.subarray(0, 300)))).toBe(crc32(data));
  });

  it('agrees with zlib (the gzip trailer) on random data', () => {
    for (const size of [1, 92, 512, 16384, 65537]) {
      const data = randomBytes(size);
      expect(crc32(data)).toBe(zlibCrc32(data));
    }
  });

  it('formats as 0x-prefixed hex', () => {
    expect(formatCrc32(0xab)).toBe('0x000000ab');
  });
});

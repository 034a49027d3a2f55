import { describe, expect, it } from 'vitest';
import { CapstanError } from '../core/errors.js';
import { checkEsrt } from './check.js';
import { formatEsrtDump, parseEsrtDump } from './raw.js';
import type { EsrtEntryRecord } from './types.js';

const SYSTEM: EsrtEntryRecord = {
  fwClass: 'c0f11a4b-2d3e-4f50-8a1b-2c3d4e5f6a7b',
  fwType: 1,
  fwVersion: 65586,
  lowestSupportedFwVersion: 65582,
  capsuleFlags: 0,
  lastAttemptVersion: 0,
  lastAttemptStatus: 0,
};
const DEVICE: EsrtEntryRecord = {
  fwClass: '5e1f7a2b-3c4d-4e5f-9a0b-1c2d3e4f5a6b',
  fwType: 2,
  fwVersion: 3090287969,
  lowestSupportedFwVersion: 1,
  capsuleFlags: 0x8010,
  lastAttemptVersion: 0,
  lastAttemptStatus: 0,
};

describe('raw ESRT dump', () => {
  it('encodes the UEFI layout byte for byte', () => {
    const bytes = formatEsrtDump([SYSTEM]);
    expect(bytes.length).toBe(16 + 40);
    // header: count 1, max 1, version 1 (u64)
    expect(Buffer.from(bytes.subarray(0, 16)).toString('hex')).toBe('0100000001000000' + '0100000000000000');
    // EFI_GUID is mixed-endian: c0f11a4b-2d3e-4f50 -> 4b1af1c0 3e2d 504f, then 8a1b 2c3d4e5f6a7b as is
    expect(Buffer.from(bytes.subarray(16, 32)).toString('hex')).toBe('4b1af1c03e2d504f8a1b2c3d4e5f6a7b');
    // fw_type 1, fw_version 65586 = 0x00010032, lowest 65582 = 0x0001002e, flags, lav, las
    expect(Buffer.from(bytes.subarray(32, 56)).toString('hex')).toBe(
      '01000000' + '32000100' + '2e000100' + '00000000' + '00000000' + '00000000',
    );
  });

  it('round-trips through parse and the checks', () => {
    const table = parseEsrtDump(formatEsrtDump([SYSTEM, DEVICE]), 'dump.bin');
    const verdict = checkEsrt(table, { notes: [] });
    expect(verdict.status).toBe('trusted');
    expect(verdict.entries.map((e) => [e.fwClass, e.fwType, e.fwVersion, e.capsuleFlags])).toEqual([
      [SYSTEM.fwClass, 1, 65586, 0],
      [DEVICE.fwClass, 2, 3090287969, 0x8010],
    ]);
  });

  it('refuses a file shorter than the header with a typed error', () => {
    expect(() => parseEsrtDump(new Uint8Array(15), 'short.bin')).toThrow(CapstanError);
    try {
      parseEsrtDump(new Uint8Array(15), 'short.bin');
    } catch (error) {
      expect((error as CapstanError).code).toBe('esrt-file-invalid');
      expect((error as CapstanError).hint).toMatch(/export-esrt/);
    }
  });

  it('refuses a truncated entry array', () => {
    const bytes = formatEsrtDump([SYSTEM, DEVICE]).subarray(0, 16 + 40 + 20);
    expect(() => parseEsrtDump(bytes, 'cut.bin')).toThrow(/truncated, 76 bytes but 2 entries need 96/);
  });

  it('hides a huge count without reading past the buffer', () => {
    const bytes = new Uint8Array(formatEsrtDump([SYSTEM]));
    new DataView(bytes.buffer).setUint32(0, 0xffffffff, true);
    new DataView(bytes.buffer).setUint32(4, 0xffffffff, true);
    const verdict = checkEsrt(parseEsrtDump(bytes, 'huge.bin'), { notes: [] });
    expect(verdict.status).toBe('hidden');
    expect(verdict.problems.map((p) => p.code)).toContain('esrt-count-invalid');
  });

  it('hides an unknown table version', () => {
    const bytes = new Uint8Array(formatEsrtDump([SYSTEM]));
    new DataView(bytes.buffer).setBigUint64(8, 2n, true);
    const verdict = checkEsrt(parseEsrtDump(bytes, 'v2.bin'), { notes: [] });
    expect(verdict.status).toBe('hidden');
    expect(verdict.problems.map((p) => p.code)).toEqual(['esrt-version-unsupported']);
  });

  it('warns about trailing bytes but keeps the table', () => {
    const bytes = new Uint8Array(16 + 40 + 7);
    bytes.set(formatEsrtDump([SYSTEM]));
    const verdict = checkEsrt(parseEsrtDump(bytes, 'tail.bin'), { notes: [] });
    expect(verdict.status).toBe('trusted-with-warnings');
    expect(verdict.problems.map((p) => p.code)).toEqual(['esrt-file-trailing-bytes']);
  });

  it('flags garbage entries from a dump like sysfs ones', () => {
    const bytes = formatEsrtDump([SYSTEM, { ...DEVICE, fwType: 9, capsuleFlags: 0xafafafaf, lastAttemptStatus: 77 }]);
    const verdict = checkEsrt(parseEsrtDump(bytes, 'bad.bin'), { notes: [] });
    expect(verdict.status).toBe('trusted-with-warnings');
    expect(verdict.entries[1]?.usable).toBe(false);
    expect(verdict.entries[1]?.problems.map((p) => p.code).sort()).toEqual([
      'entry-capsule-flags-reserved',
      'entry-fw-type-invalid',
      'entry-last-attempt-status-invalid',
    ]);
  });

  it('never throws anything but a typed error on random bytes (seeded)', () => {
    let seed = 0x5eed;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 16;
    };
    for (let round = 0; round < 2000; round++) {
      const bytes = new Uint8Array(next() % 200);
      for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff;
      // make some headers plausible so entries get parsed too
      if (round % 2 === 0 && bytes.length >= 16) {
        const view = new DataView(bytes.buffer);
        view.setUint32(0, next() % 5, true);
        view.setBigUint64(8, 1n, true);
      }
      try {
        const verdict = checkEsrt(parseEsrtDump(bytes, 'fuzz.bin'), { notes: [] });
        expect(['trusted', 'trusted-with-warnings', 'hidden']).toContain(verdict.status);
      } catch (error) {
        expect(error).toBeInstanceOf(CapstanError);
        expect((error as CapstanError).code).toBe('esrt-file-invalid');
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { CapstanError } from '../core/errors.js';
import { formatGuidBytes } from '../efi/guid.js';
import { fixupCapsuleFlags, formatCapsuleHeader } from '../efi/structs/capsule-header.js';
import { planCapsuleLayout } from './capsule.js';

const DEVICE = 'ddc0ee61-e7f0-4e7d-acc5-c070a398838e';

describe('capsule header (uefi-capsule-update.md §6)', () => {
  it('prepends fwupd\u2019s 4096-byte header to a raw payload, as observed for a 64-byte payload', () => {
    const payload = new Uint8Array(64).fill(0xaa);
    const layout = planCapsuleLayout(payload, payload.length, DEVICE, 0);
    expect(layout.kind).toBe('raw');
    if (layout.kind !== 'raw') return;
    expect(layout.header.length).toBe(4096);
    // observed: 61 ee c0 dd … 8e | 00 10 00 00 | 00 00 05 00 | 40 10 00 00
    expect(Buffer.from(layout.header.subarray(0, 28)).toString('hex')).toBe(
      '61eec0ddf0e77d4eacc5c070a398838e' + '00100000' + '00000500' + '40100000',
    );
    expect(layout.header.subarray(28).every((b) => b === 0)).toBe(true);
  });

  it.each([
    [0x0, 0x50000],
    [0xfe, 0x500fe],
    [0x10000, 0x10000],
    [0x40000, 0x40000],
    [0x8010, 0x58010],
    [0x20000, 0x70000],
  ])('fixes up ESRT flags 0x%s', (esrt, expected) => {
    expect(fixupCapsuleFlags(esrt)).toBe(expected);
  });

  it.each([
    ['the device GUID', DEVICE, 'starts-with-device-guid'],
    ['the FMP capsule GUID', '6dcbd5ed-e82d-4c44-bda1-7194199ad92a', 'starts-with-fmp-guid'],
  ])('leaves a payload starting with %s unchanged', (_what, guid, reason) => {
    const header = formatCapsuleHeader({ capsuleGuid: guid, headerSize: 28, flags: 0x50000, capsuleImageSize: 128 });
    const payload = new Uint8Array(128);
    payload.set(header);
    expect(planCapsuleLayout(payload, 128, DEVICE, 0)).toEqual({
      kind: 'headered',
      reason,
      headerSize: 28,
      flags: 0x50000,
    });
  });

  it('matches the device GUID case-insensitively', () => {
    const payload = new Uint8Array(64);
    payload.set(formatGuidBytes(DEVICE));
    payload.set([28, 0, 0, 0], 16);
    payload.set([64, 0, 0, 0], 24);
    expect(planCapsuleLayout(payload, 64, DEVICE.toUpperCase(), 0).kind).toBe('headered');
  });

  it.each([
    ['a payload under 16 bytes', new Uint8Array(15), 15],
    [
      'a headered capsule claiming more bytes than the file',
      formatCapsuleHeader({ capsuleGuid: DEVICE, headerSize: 28, flags: 0, capsuleImageSize: 4096 }),
      28,
    ],
    [
      'a header size beyond the file',
      formatCapsuleHeader({ capsuleGuid: DEVICE, headerSize: 4096, flags: 0, capsuleImageSize: 64 }).subarray(0, 64),
      64,
    ],
  ])('refuses %s', (_what, bytes, size) => {
    expect(() => planCapsuleLayout(bytes, size, DEVICE, 0)).toThrow(CapstanError);
    try {
      planCapsuleLayout(bytes, size, DEVICE, 0);
    } catch (error) {
      expect((error as CapstanError).code).toBe('capsule-invalid');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../test/catalogs/efi/reference-bytes.js';
import {
  EFI_UNSPECIFIED_TIMEZONE,
  type EfiTime,
  efiTimeFromDate,
  efiTimeToDate,
  formatEfiTime,
  parseEfiTime,
  validateEfiTime,
} from './efi-time.js';

const TIME: EfiTime = {
  year: 2026,
  month: 2,
  day: 28,
  hour: 23,
  minute: 59,
  second: 58,
  nanosecond: 123_000_000,
  timeZone: -60,
  daylight: 1,
};

describe('EFI_TIME', () => {
  it('lays the fields out as UEFI §8.3 says', () => {
    const bytes = formatEfiTime(TIME);
    expect(bytes).toEqual(fromHex('ea 07 02 1c 17 3b 3a 00 c0 d4 54 07 c4 ff 01 00'));
    expect(parseEfiTime(bytes)).toEqual({ ok: true, time: TIME });
  });

  it('all zero is null, both ways', () => {
    expect(formatEfiTime(null)).toEqual(new Uint8Array(16));
    expect(parseEfiTime(new Uint8Array(16))).toEqual({ ok: true, time: null });
  });

  it('fails only on length, at any offset', () => {
    expect(parseEfiTime(new Uint8Array(15))).toMatchObject({ ok: false });
    expect(parseEfiTime(new Uint8Array(20), 5)).toMatchObject({ ok: false });
    expect(parseEfiTime(new Uint8Array(20), -1)).toMatchObject({ ok: false });
    const odd = parseEfiTime(fromHex('00 00 63 00 00 00 00 00 00 00 00 00 00 00 00 00'));
    expect(odd).toMatchObject({ ok: true, time: { month: 99 } });
    expect(odd.ok && odd.time !== null && validateEfiTime(odd.time)).toMatch(/year 0/);
  });

  it('validates ranges, including the day of the month', () => {
    expect(validateEfiTime(TIME)).toBeUndefined();
    expect(validateEfiTime({ ...TIME, day: 29 })).toMatch(/day 29/);
    expect(validateEfiTime({ ...TIME, year: 2028, day: 29 })).toBeUndefined();
    expect(validateEfiTime({ ...TIME, timeZone: 1441 })).toMatch(/timeZone/);
    expect(validateEfiTime({ ...TIME, timeZone: EFI_UNSPECIFIED_TIMEZONE })).toBeUndefined();
    expect(validateEfiTime({ ...TIME, nanosecond: 1e9 })).toMatch(/nanosecond/);
    expect(validateEfiTime({ ...TIME, daylight: 4 })).toMatch(/daylight/);
    expect(() => formatEfiTime({ ...TIME, hour: 24 })).toThrow(TypeError);
  });

  it('converts to and from instants', () => {
    const date = new Date(Date.UTC(2026, 7, 14, 3, 2, 1, 500));
    const time = efiTimeFromDate(date);
    expect(time).toMatchObject({ year: 2026, month: 8, day: 14, timeZone: 0, nanosecond: 500_000_000 });
    expect(efiTimeToDate(time)?.toISOString()).toBe(date.toISOString());
    // Localtime = UTC - TimeZone: 23:59:58 local at TimeZone -60 is 22:59:58 UTC.
    expect(efiTimeToDate(TIME)?.toISOString()).toBe('2026-02-28T22:59:58.123Z');
    expect(efiTimeToDate({ ...TIME, timeZone: EFI_UNSPECIFIED_TIMEZONE })).toBeUndefined();
    expect(efiTimeToDate({ ...TIME, month: 0 })).toBeUndefined();
  });
});

/**
 * EFI_TIME (UEFI 2.10 §8.3), 16 bytes: Year u16 @0, Month u8 @2, Day @3, Hour @4, Minute @5,
 * Second @6, Pad1 @7, Nanosecond u32 @8, TimeZone i16 @12 (0x07FF = unspecified), Daylight u8 @14,
 * Pad2 @15. All zero means "not set" (fwupd writes zeros; the helper fills in RT->GetTime()).
 */
import { type Decoded, dataView, decodeFailure } from '../bytes.js';

export const EFI_TIME_SIZE = 16;
export const EFI_UNSPECIFIED_TIMEZONE = 0x07ff;
export const EFI_TIME_ADJUST_DAYLIGHT = 0x01;
export const EFI_TIME_IN_DAYLIGHT = 0x02;

export interface EfiTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  /** Minutes from UTC (-1440..1440), or 0x07FF (EFI_UNSPECIFIED_TIMEZONE: local time). */
  timeZone: number;
  daylight: number;
}

/**
 * Decodes 16 bytes at `offset`; all-zero → `time: null`. Only the length can fail here: a clock
 * value the firmware wrote is reported as it is (check it with `validateEfiTime`), because a
 * strange RTC must not make an otherwise valid record unreadable.
 */
export function parseEfiTime(bytes: Uint8Array, offset = 0): Decoded<{ time: EfiTime | null }> {
  if (offset < 0 || offset + EFI_TIME_SIZE > bytes.length) {
    return decodeFailure(`EFI_TIME at offset ${offset} needs 16 bytes, ${Math.max(0, bytes.length - offset)} left`);
  }
  const raw = bytes.subarray(offset, offset + EFI_TIME_SIZE);
  if (raw.every((b) => b === 0)) return { ok: true, time: null };
  const view = dataView(raw);
  return {
    ok: true,
    time: {
      year: view.getUint16(0, true),
      month: view.getUint8(2),
      day: view.getUint8(3),
      hour: view.getUint8(4),
      minute: view.getUint8(5),
      second: view.getUint8(6),
      nanosecond: view.getUint32(8, true),
      timeZone: view.getInt16(12, true),
      daylight: view.getUint8(14),
    },
  };
}

/** The UEFI ranges; undefined if the time is valid, else the first field that is out of range. */
export function validateEfiTime(time: EfiTime): string | undefined {
  const checks: Array<[keyof EfiTime, number, number]> = [
    ['year', 1900, 9999],
    ['month', 1, 12],
    ['day', 1, daysInMonth(time.year, time.month)],
    ['hour', 0, 23],
    ['minute', 0, 59],
    ['second', 0, 59],
    ['nanosecond', 0, 999_999_999],
    ['daylight', 0, EFI_TIME_ADJUST_DAYLIGHT | EFI_TIME_IN_DAYLIGHT],
  ];
  for (const [field, min, max] of checks) {
    const value = time[field];
    if (!Number.isInteger(value) || value < min || value > max) return `${field} ${value} is outside ${min}..${max}`;
  }
  const zone = time.timeZone;
  if (!Number.isInteger(zone) || (zone !== EFI_UNSPECIFIED_TIMEZONE && (zone < -1440 || zone > 1440))) {
    return `timeZone ${zone} is outside -1440..1440 and not 0x7ff`;
  }
  return undefined;
}

function daysInMonth(year: number, month: number): number {
  if (month < 1 || month > 12) return 31;
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Encodes a time (null → 16 zero bytes). Throws TypeError on an out-of-range field. */
export function formatEfiTime(time: EfiTime | null): Uint8Array {
  const out = new Uint8Array(EFI_TIME_SIZE);
  if (time === null) return out;
  const invalid = validateEfiTime(time);
  if (invalid !== undefined) throw new TypeError(`invalid EFI_TIME: ${invalid}`);
  const view = dataView(out);
  view.setUint16(0, time.year, true);
  view.setUint8(2, time.month);
  view.setUint8(3, time.day);
  view.setUint8(4, time.hour);
  view.setUint8(5, time.minute);
  view.setUint8(6, time.second);
  view.setUint32(8, time.nanosecond, true);
  view.setInt16(12, time.timeZone, true);
  view.setUint8(14, time.daylight);
  return out;
}

/** A UTC instant as EFI_TIME with TimeZone 0. */
export function efiTimeFromDate(date: Date): EfiTime {
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    nanosecond: date.getUTCMilliseconds() * 1_000_000,
    timeZone: 0,
    daylight: 0,
  };
}

/**
 * The instant an EFI_TIME names, or undefined when it is invalid or its zone is unspecified
 * (firmware local time, which Linux cannot know for certain).
 */
export function efiTimeToDate(time: EfiTime): Date | undefined {
  if (validateEfiTime(time) !== undefined || time.timeZone === EFI_UNSPECIFIED_TIMEZONE) return undefined;
  const utc = Date.UTC(
    time.year,
    time.month - 1,
    time.day,
    time.hour,
    time.minute,
    time.second,
    Math.floor(time.nanosecond / 1_000_000),
  );
  // UEFI: Localtime = UTC - TimeZone, so UTC = Localtime + TimeZone.
  return new Date(utc + time.timeZone * 60_000);
}

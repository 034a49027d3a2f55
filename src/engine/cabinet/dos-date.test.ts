import { describe, expect, it } from 'vitest';
import { decodeDosDateTime } from './dos-date.js';

const dosDate = (year: number, month: number, day: number): number => ((year - 1980) << 9) | (month << 5) | day;
const dosTime = (hour: number, minute: number, second: number): number => (hour << 11) | (minute << 5) | (second >> 1);

describe('decodeDosDateTime', () => {
  it('decodes the reference example 0x586f / 0x645c as UTC', () => {
    expect(decodeDosDateTime(0x586f, 0x645c)?.toISOString()).toBe('2024-03-15T12:34:56.000Z');
  });

  it.each([
    ['1980-01-01T00:00:00.000Z', dosDate(1980, 1, 1), 0],
    ['2107-12-31T23:59:58.000Z', dosDate(2107, 12, 31), dosTime(23, 59, 58)],
    ['2024-02-29T00:00:00.000Z', dosDate(2024, 2, 29), 0],
    ['2000-06-15T08:09:10.000Z', dosDate(2000, 6, 15), dosTime(8, 9, 10)],
  ])('decodes %s', (iso, date, time) => {
    expect(decodeDosDateTime(date, time)?.toISOString()).toBe(iso);
  });

  it.each([
    ['0/0, as fwupd build-cabinet writes', 0, 0],
    ['month 0', dosDate(2024, 0, 1), 0],
    ['month 13', dosDate(2024, 13, 1), 0],
    ['day 0', dosDate(2024, 1, 0), 0],
    ['30 February', dosDate(2024, 2, 30), 0],
    ['29 February of a common year', dosDate(2023, 2, 29), 0],
    ['31 April', dosDate(2024, 4, 31), 0],
    ['hour 24', dosDate(2024, 1, 1), dosTime(24, 0, 0)],
    ['minute 60', dosDate(2024, 1, 1), dosTime(0, 60, 0)],
    ['second 60', dosDate(2024, 1, 1), 30],
    ['a time without a date', 0, dosTime(12, 0, 0)],
  ])('returns null for %s', (_what, date, time) => {
    expect(decodeDosDateTime(date, time)).toBeNull();
  });
});

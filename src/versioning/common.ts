import type { VersionFormat, VersionFormatApi } from './types.js';

/*
 * fwupd 2.0.20 (`libfwupdplugin/fu-version-common.c`) works on C strings, so the comparisons here
 * work on UTF-8 bytes and stop at the first NUL, as C would. Number parsing follows glibc's
 * strtoll/strtoull in the C locale, which is what `g_ascii_strtoll`/`fu_strtoull` call.
 */

const UTF8 = new TextEncoder();
const ASCII = new TextDecoder('latin1');

const BYTE_DOT = 0x2e;
const BYTE_TILDE = 0x7e;
const BYTE_PLUS = 0x2b;
const BYTE_MINUS = 0x2d;
const BYTE_ZERO = 0x30;
const BYTE_NINE = 0x39;

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
/** Longest digit run that still fits a double exactly. */
const SAFE_DIGITS = 15;

export const UINT32_MAX = 0xffffffff;

/** The text a C function would see: everything from the first NUL on is cut off. */
function toCString(text: string): string {
  const nul = text.indexOf('\0');
  return nul === -1 ? text : text.slice(0, nul);
}

function encodeCString(text: string): Uint8Array {
  return UTF8.encode(toCString(text));
}

/** A byte as x86-64 `char` (signed) sees it: UTF-8 lead and continuation bytes are negative. */
function toSignedChar(byte: number): number {
  return byte >= 0x80 ? byte - 0x100 : byte;
}

/** C's isspace() in the C locale. */
function isCSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

function isDigit(byte: number): boolean {
  return byte >= BYTE_ZERO && byte <= BYTE_NINE;
}

/** The byte at `index`, or 0 past the end (the C terminator). */
function peekByte(bytes: Uint8Array, index: number): number {
  return bytes[index] ?? 0;
}

function haveSameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

function toSign(value: number): number {
  return value < 0 ? -1 : value > 0 ? 1 : 0;
}

/** `g_strsplit(text, ".", -1)`: an empty string has no sections at all. */
function splitSections(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length === 0) return [];
  const sections: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === BYTE_DOT) {
      sections.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  return sections;
}

interface LeadingInteger {
  value: bigint;
  /** What strtoll left unparsed: the whole section when it found no digits. */
  rest: Uint8Array;
}

/** `g_ascii_strtoll(section, &end, 10)`: spaces, a sign, digits, clamped to int64. */
function parseLeadingInt64(section: Uint8Array): LeadingInteger {
  let i = 0;
  while (i < section.length && isCSpace(peekByte(section, i))) i++;
  let negative = false;
  if (peekByte(section, i) === BYTE_MINUS) {
    negative = true;
    i++;
  } else if (peekByte(section, i) === BYTE_PLUS) {
    i++;
  }
  const start = i;
  let small = 0;
  while (i < section.length && isDigit(peekByte(section, i))) {
    small = small * 10 + (peekByte(section, i) - BYTE_ZERO);
    i++;
  }
  if (i === start) return { value: 0n, rest: section };
  let value = i - start <= SAFE_DIGITS ? BigInt(small) : BigInt(ASCII.decode(section.subarray(start, i)));
  if (negative) value = -value;
  if (value > INT64_MAX) value = INT64_MAX;
  if (value < INT64_MIN) value = INT64_MIN;
  return { value, rest: section.subarray(i) };
}

/** One character of a non-numeric remainder: `~` sorts before anything, even the end. */
function compareChars(a: number, b: number): number {
  if (a === b) return 0;
  if (a === BYTE_TILDE) return -1;
  if (b === BYTE_TILDE) return 1;
  return toSignedChar(a) < toSignedChar(b) ? -1 : 1;
}

function compareRemainders(a: Uint8Array, b: Uint8Array): number {
  if (haveSameBytes(a, b)) return 0;
  let i = 0;
  for (; i < a.length && i < b.length; i++) {
    const rc = compareChars(peekByte(a, i), peekByte(b, i));
    if (rc !== 0) return rc;
  }
  return compareChars(peekByte(a, i), peekByte(b, i));
}

/**
 * fwupd's general rule (`fu_version_compare` for every format but plain and hex): split on `.`,
 * a side that runs out of sections is smaller, each section compares by its leading base-10
 * integer and then by the rest of its characters. Returns -1, 0 or 1.
 */
export function compareFwupdVersions(a: string, b: string): number {
  const bytesA = encodeCString(a);
  const bytesB = encodeCString(b);
  if (haveSameBytes(bytesA, bytesB)) return 0;
  const sectionsA = splitSections(bytesA);
  const sectionsB = splitSections(bytesB);
  const count = Math.max(sectionsA.length, sectionsB.length);
  for (let i = 0; i < count; i++) {
    const sectionA = sectionsA[i];
    const sectionB = sectionsB[i];
    if (sectionA === undefined) return -1;
    if (sectionB === undefined) return 1;
    const numberA = parseLeadingInt64(sectionA);
    const numberB = parseLeadingInt64(sectionB);
    if (numberA.value !== numberB.value) return numberA.value < numberB.value ? -1 : 1;
    if (numberA.rest.length > 0 || numberB.rest.length > 0) {
      const rc = compareRemainders(numberA.rest, numberB.rest);
      if (rc !== 0) return rc;
    }
  }
  return 0;
}

/** The plain rule: `strcmp`, unsigned bytes (so `10 < 9`). Returns -1, 0 or 1. */
export function compareBytewise(a: string, b: string): number {
  const bytesA = encodeCString(a);
  const bytesB = encodeCString(b);
  const length = Math.min(bytesA.length, bytesB.length);
  for (let i = 0; i < length; i++) {
    const rc = peekByte(bytesA, i) - peekByte(bytesB, i);
    if (rc !== 0) return toSign(rc);
  }
  return toSign(bytesA.length - bytesB.length);
}

const DECIMAL_TEXT = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)(?:\n[\s\S]*)?$/;
const HEX_TEXT = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX])?([0-9a-fA-F]+)(?:\n[\s\S]*)?$/;

/**
 * `fu_strtoull(text, 0, G_MAXUINT32, FU_INTEGER_BASE_AUTO)`: a lower-case `0x` prefix selects
 * base 16; glibc's strtoull then allows leading spaces, a sign and (base 16) a second `0x`, and
 * fwupd accepts a newline and anything after it. Negative non-zero values wrap and are refused.
 */
function tryParseFwupdUint32(text: string): number | undefined {
  const hex = text.startsWith('0x');
  const match = (hex ? HEX_TEXT : DECIMAL_TEXT).exec(hex ? text.slice(2) : text);
  const digits = match?.[2];
  if (match === null || digits === undefined) return undefined;
  const value = BigInt(hex ? `0x${digits}` : digits);
  if (value === 0n) return 0;
  if (match[1] === '-' || value > BigInt(UINT32_MAX)) return undefined;
  return Number(value);
}

/** A hex-format side as fwupd rewrites it before comparing (`fu_version_parse_from_format`). */
function normalizeHexSide(version: string): string {
  const text = toCString(version);
  if (text.includes('.')) return text;
  // eight bytes starting "20" are taken for a YYYYMMDD date and left alone
  if (text.startsWith('20') && UTF8.encode(text).length === 8) return text;
  const value = tryParseFwupdUint32(text);
  return value === undefined || value === 0 ? text : formatHex32(value);
}

/** The hex rule: a side without `.` that parses as a non-zero uint32 becomes `0x%08x`. */
export function compareHexVersions(a: string, b: string): number {
  return compareFwupdVersions(normalizeHexSide(a), normalizeHexSide(b));
}

/** Throws a TypeError unless `raw` is an integer in 0..0xffffffff; returns it as a uint32. */
export function assertUint32(raw: number): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > UINT32_MAX) {
    throw new TypeError(`raw version must be an integer in 0..0xffffffff, got ${String(raw)}`);
  }
  return raw >>> 0;
}

export function formatDecimal32(raw: number): string {
  return String(raw >>> 0);
}

/** `0x%08x`. */
export function formatHex32(raw: number): string {
  return `0x${(raw >>> 0).toString(16).padStart(8, '0')}`;
}

/** `0x` and one to eight hex digits. */
export function isHex32Text(version: string): boolean {
  return /^0x[0-9a-fA-F]{1,8}$/.test(version);
}

/** A run of bits of the raw uint32 shown as one dotted section. */
export interface BitField {
  /** Position of the field's lowest bit. */
  shift: number;
  bits: number;
  /** Added to the extracted value (intel-me: 11). */
  offset: number;
  /** The field is one byte shown as BCD: `(b >> 4) * 10 + (b & 15)`. */
  bcd: boolean;
}

export function defineBitField(shift: number, bits: number, offset = 0): BitField {
  return { shift, bits, offset, bcd: false };
}

export function defineBcdByte(shift: number): BitField {
  return { shift, bits: 8, offset: 0, bcd: true };
}

function extractField(raw: number, field: BitField): number {
  const value = ((raw >>> field.shift) & (2 ** field.bits - 1)) >>> 0;
  return field.bcd ? (value >>> 4) * 10 + (value & 0x0f) : value + field.offset;
}

/** Largest value a section may show: BCD digits stop at 99, the rest at the field's width. */
function getFieldMax(field: BitField): number {
  return field.bcd ? 99 : 2 ** field.bits - 1 + field.offset;
}

/** Renderer and shape check for a format that shows bit fields as dotted decimal sections. */
export function defineDottedFields(fields: readonly BitField[]): Pick<VersionFormatApi, 'fromUint32' | 'isValid'> {
  return {
    fromUint32: (raw) => fields.map((field) => String(extractField(raw, field))).join('.'),
    isValid: (version) => {
      const sections = version.split('.');
      if (sections.length !== fields.length) return false;
      return fields.every((field, i) => {
        const section = sections[i] ?? '';
        if (!/^[0-9]+$/.test(section)) return false;
        const value = Number(section);
        return value >= field.offset && value <= getFieldMax(field);
      });
    },
  };
}

export interface VersionFormatSpec extends Omit<VersionFormat, 'api'> {
  fromUint32(raw: number): string;
  isValid(version: string): boolean;
  /** Defaults to fwupd's general rule. */
  compare?: (a: string, b: string) => number;
}

/** Builds a format module; `fromUint32` always sees a validated uint32. */
export function defineVersionFormat(spec: VersionFormatSpec): VersionFormat {
  const { fromUint32, isValid, compare = compareFwupdVersions, ...meta } = spec;
  return {
    ...meta,
    api: {
      fromUint32: (raw) => fromUint32(assertUint32(raw)),
      compare,
      isValid,
    },
  };
}

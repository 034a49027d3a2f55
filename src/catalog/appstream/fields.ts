import { createHash } from 'node:crypto';
import { tryNormalizeGuid } from '../../efi/guid.js';
import type { Checksum, ChecksumTarget, ChecksumType } from './types.js';

/** Throws the caller's error (a `metainfo-invalid` CapstanError naming the component, release and line). */
export type Fail = (message: string) => never;

const HEX_LENGTH: Record<ChecksumType, number> = { sha1: 40, sha256: 64, sha384: 96, sha512: 128 };
const TYPE_BY_LENGTH: ReadonlyMap<number, ChecksumType> = new Map([
  [40, 'sha1'],
  [64, 'sha256'],
  [96, 'sha384'],
  [128, 'sha512'],
]);
const TARGETS: ReadonlySet<string> = new Set<ChecksumTarget>(['container', 'content', 'device', 'signature']);
const HEX = /^[0-9a-fA-F]*$/;
const UNSIGNED = /^(?:0[xX]([0-9a-fA-F]+)|([0-9]+))$/;

export function isChecksumTarget(text: string): text is ChecksumTarget {
  return TARGETS.has(text);
}

function isChecksumType(text: string): text is ChecksumType {
  return Object.hasOwn(HEX_LENGTH, text);
}

/**
 * A `<checksum>` with a value. The type comes from `@type`, or (as fwupd guesses it) from the hex length.
 * For `container` and `content` targets an unknown type or a bad value is an error; for `device` and
 * `signature` an unknown type is ignored (undefined). A known type always needs hex of its exact length.
 */
export function parseChecksum(
  attrs: Record<string, string>,
  text: string,
  target: ChecksumTarget,
  fail: Fail,
): Checksum | undefined {
  const value = text.trim();
  const strict = target === 'container' || target === 'content';
  const typeAttr = attrs.type?.trim().toLowerCase();
  let type: ChecksumType | undefined;
  if (typeAttr !== undefined && typeAttr !== '') {
    if (isChecksumType(typeAttr)) type = typeAttr;
    else if (strict) fail(`${target} checksum has unknown type "${attrs.type ?? ''}"`);
    else return undefined;
  } else {
    type = HEX.test(value) ? TYPE_BY_LENGTH.get(value.length) : undefined;
    if (type === undefined) {
      if (strict) fail(`${target} checksum has no type and ${value.length} characters, which is no known hash length`);
      return undefined;
    }
  }
  if (!HEX.test(value)) fail(`${type} ${target} checksum is not hexadecimal: "${truncate(value)}"`);
  if (value.length !== HEX_LENGTH[type]) {
    fail(`${type} ${target} checksum has ${value.length} hex digits, expected ${HEX_LENGTH[type]}`);
  }
  const checksum: Checksum = { type, value: value.toLowerCase(), target };
  const filename = attrs.filename;
  if (filename !== undefined && filename !== '') checksum.filename = filename;
  return checksum;
}

/** A non-negative integer as fwupd reads one (decimal or 0x hex), within Number's safe range. */
export function parseUnsigned(text: string, what: string, fail: Fail): number {
  const trimmed = text.trim();
  if (/^-\s*[0-9]/.test(trimmed)) fail(`${what} is negative: "${truncate(trimmed)}"`);
  const match = UNSIGNED.exec(trimmed);
  if (match === null) fail(`${what} is not an integer: "${truncate(trimmed)}"`);
  const value = match[1] !== undefined ? Number.parseInt(match[1], 16) : Number(match[2]);
  if (!Number.isSafeInteger(value)) fail(`${what} is too large: "${truncate(trimmed)}"`);
  return value;
}

/** A signed integer (decimal or 0x hex) or undefined: used where malformed input must fail closed, not throw. */
export function tryParseSigned(text: string): number | undefined {
  const trimmed = text.trim();
  const negative = trimmed.startsWith('-');
  const match = UNSIGNED.exec(negative ? trimmed.slice(1) : trimmed);
  if (match === null) return undefined;
  const value = match[1] !== undefined ? Number.parseInt(match[1], 16) : Number(match[2]);
  if (!Number.isSafeInteger(value)) return undefined;
  return negative ? -value : value;
}

/** fwupd's `fwupd_guid_is_valid` (canonical form, not all zero), lower-cased; undefined otherwise. */
export function tryParseGuid(text: string): string | undefined {
  const guid = tryNormalizeGuid(text);
  return guid === undefined || guid === '00000000-0000-0000-0000-000000000000' ? undefined : guid;
}

/** fwupd's `fwupd_guid_hash_string`: an RFC 4122 version-5 UUID in the DNS namespace. */
export function hashGuid(text: string): string {
  const namespace = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');
  const hash = createHash('sha1').update(namespace).update(text, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A `provides/firmware` value as fwupd matches it: a GUID as is, anything else (an instance ID) hashed. */
export function normalizeProvide(text: string): string {
  return tryParseGuid(text) ?? hashGuid(text);
}

/** Keeps user-controlled text short inside messages. */
export function truncate(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

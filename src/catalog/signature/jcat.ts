import { gunzipSync } from 'node:zlib';
import { CapstanError } from '../../core/errors.js';

/**
 * JCat (libjcat 0.2.x) files: gzip around one JSON object listing, per signed file, checksum and
 * signature blobs. Parsed strictly here, before any blob is trusted or any payload is parsed.
 */

export type JcatBlobKind = 'sha256' | 'gpg' | 'pkcs7' | 'sha1' | 'ed25519' | 'sha512' | 'unknown';

/** Blob kind numbers as libjcat writes them (`Kind`, and `Target` for large-payload signatures). */
export const JCAT_BLOB_KIND = {
  unknown: 0,
  sha256: 1,
  gpg: 2,
  pkcs7: 3,
  sha1: 4,
  btManifest: 5,
  btCheckpoint: 6,
  btInclusionProof: 7,
  btVerifier: 8,
  ed25519: 9,
  sha512: 10,
  btLogindex: 11,
} as const;

const KIND_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'unknown'],
  [1, 'sha256'],
  [2, 'gpg'],
  [3, 'pkcs7'],
  [4, 'sha1'],
  [5, 'bt-manifest'],
  [6, 'bt-checkpoint'],
  [7, 'bt-inclusion-proof'],
  [8, 'bt-verifier'],
  [9, 'ed25519'],
  [10, 'sha512'],
  [11, 'bt-logindex'],
]);

/** `Flags` bit 0: `Data` is the blob itself (hex digest, PEM, armour), not base64. */
export const JCAT_BLOB_FLAG_IS_UTF8 = 1;

/** The inflated JSON may not exceed this (real JCat files are a few KiB; LVFS metadata ones < 20 KiB). */
export const JCAT_MAX_INFLATED_BYTES = 16 * 1024 * 1024;

export interface JcatBlob {
  /** The raw `Kind` number, kept even when capstan does not know it. */
  kind: number;
  /** libjcat's name for the kind (`sha256`, `pkcs7`, `bt-manifest`, …) or `unknown`. */
  kindName: JcatBlobKind | string;
  flags: number;
  /** Decoded: with IS_UTF8 the UTF-8 bytes of the `Data` string, otherwise base64-decoded `Data`. */
  data: Uint8Array;
  /** The `Data` string itself when IS_UTF8 is set. */
  text?: string;
  /** `Timestamp`, Unix seconds (when the blob was made; not a trusted time). */
  timestamp?: number;
  appstreamId?: string;
  /** `Target`: the kind of checksum whose lower-case hex string this blob signs instead of the payload. */
  target?: number;
}

export interface JcatItem {
  /** The basename of the signed file. */
  id: string;
  aliasIds: string[];
  blobs: JcatBlob[];
}

export interface JcatFile {
  versionMajor: number;
  versionMinor: number;
  items: JcatItem[];
}

export function blobKindName(kind: number): JcatBlobKind | string {
  return KIND_NAMES.get(kind) ?? 'unknown';
}

/**
 * Gunzips and validates a JCat file. Anything that is not gzip, inflates beyond
 * JCAT_MAX_INFLATED_BYTES, is not UTF-8 JSON, or lacks a required member of the right type is
 * `jcat-invalid`; no other exception escapes. Unknown members and unknown blob kinds are kept or
 * ignored as libjcat does.
 */
export function parseJcat(bytes: Uint8Array): JcatFile {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw invalid('not a gzip file (a JCat file starts with 1f 8b)');
  }
  let inflated: Buffer;
  try {
    inflated = gunzipSync(bytes, { maxOutputLength: JCAT_MAX_INFLATED_BYTES });
  } catch (error) {
    if (errorCode(error) === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw invalid(`inflates to more than ${JCAT_MAX_INFLATED_BYTES} bytes`, error);
    }
    throw invalid(`corrupt gzip data: ${messageOf(error)}`, error);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(inflated);
  } catch (error) {
    throw invalid('the JSON is not valid UTF-8', error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(`not JSON: ${messageOf(error)}`, error);
  }
  return readFile(json);
}

/** The item for a file: by `Id`, then by `AliasIds`, comparing basenames. */
export function findJcatItem(file: JcatFile, id: string): JcatItem | undefined {
  const wanted = basename(id);
  return (
    file.items.find((item) => basename(item.id) === wanted) ??
    file.items.find((item) => item.aliasIds.some((alias) => basename(alias) === wanted))
  );
}

/**
 * One JCat file from several (a cabinet may carry more than one `.jcat` member). Items with the
 * same Id (by basename) become one item holding all their blobs, so every checksum from every file
 * must match and any one trusted signature suffices.
 */
export function mergeJcatFiles(files: JcatFile[]): JcatFile {
  const items: JcatItem[] = [];
  for (const file of files) {
    for (const item of file.items) {
      const existing = items.find((candidate) => basename(candidate.id) === basename(item.id));
      if (existing === undefined) {
        items.push({ id: item.id, aliasIds: [...item.aliasIds], blobs: [...item.blobs] });
        continue;
      }
      for (const alias of item.aliasIds) if (!existing.aliasIds.includes(alias)) existing.aliasIds.push(alias);
      existing.blobs.push(...item.blobs);
    }
  }
  return {
    versionMajor: 0,
    versionMinor: files.reduce((minor, file) => Math.max(minor, file.versionMinor), 1),
    items,
  };
}

function readFile(json: unknown): JcatFile {
  const root = expectObject(json, 'the JSON root');
  const versionMajor = expectInt(root.JcatVersionMajor, 'JcatVersionMajor');
  const versionMinor = expectInt(root.JcatVersionMinor, 'JcatVersionMinor');
  if (versionMajor !== 0) throw invalid(`unsupported JcatVersionMajor ${versionMajor} (capstan reads 0.x)`);
  const items = expectArray(root.Items, 'Items').map((raw, index) => readItem(raw, `Items[${index}]`));
  return { versionMajor, versionMinor, items };
}

function readItem(raw: unknown, where: string): JcatItem {
  const item = expectObject(raw, where);
  const id = expectString(item.Id, `${where}.Id`);
  if (id === '') throw invalid(`${where}.Id is empty`);
  const aliasIds =
    item.AliasIds === undefined
      ? []
      : expectArray(item.AliasIds, `${where}.AliasIds`).map((alias, index) =>
          expectString(alias, `${where}.AliasIds[${index}]`),
        );
  const blobs = expectArray(item.Blobs, `${where}.Blobs`).map((blob, index) =>
    readBlob(blob, `${where}.Blobs[${index}]`),
  );
  return { id, aliasIds, blobs };
}

function readBlob(raw: unknown, where: string): JcatBlob {
  const member = expectObject(raw, where);
  const kind = expectInt(member.Kind, `${where}.Kind`);
  const flags = expectInt(member.Flags, `${where}.Flags`);
  const encoded = expectString(member.Data, `${where}.Data`);
  const blob: JcatBlob = { kind, kindName: blobKindName(kind), flags, data: new Uint8Array(0) };
  if ((flags & JCAT_BLOB_FLAG_IS_UTF8) !== 0) {
    blob.data = new TextEncoder().encode(encoded);
    blob.text = encoded;
  } else {
    blob.data = decodeBase64(encoded, `${where}.Data`);
  }
  if (member.Timestamp !== undefined) blob.timestamp = expectInt(member.Timestamp, `${where}.Timestamp`, true);
  if (member.AppstreamId !== undefined) blob.appstreamId = expectString(member.AppstreamId, `${where}.AppstreamId`);
  if (member.Target !== undefined) blob.target = expectInt(member.Target, `${where}.Target`);
  return blob;
}

/** Strict base64 (whitespace allowed, as in wrapped output); GLib would skip junk silently. */
function decodeBase64(text: string, where: string): Uint8Array {
  const compact = text.replace(/[\s]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw invalid(`${where} is not valid base64 (Flags has no IS_UTF8 bit, so Data must be base64)`);
  }
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

function expectObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${where} must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function expectArray(value: unknown, where: string): unknown[] {
  if (value === undefined) throw invalid(`${where} is missing`);
  if (!Array.isArray(value)) throw invalid(`${where} must be an array, got ${describe(value)}`);
  return value;
}

function expectString(value: unknown, where: string): string {
  if (value === undefined) throw invalid(`${where} is missing`);
  if (typeof value !== 'string') throw invalid(`${where} must be a string, got ${describe(value)}`);
  return value;
}

function expectInt(value: unknown, where: string, allowNegative = false): number {
  if (value === undefined) throw invalid(`${where} is missing`);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || (!allowNegative && value < 0)) {
    throw invalid(`${where} must be a${allowNegative ? 'n' : ' non-negative'} integer, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

function invalid(fact: string, cause?: unknown): CapstanError {
  return new CapstanError('jcat-invalid', `malformed JCat file: ${fact}`, {
    hint: 'download the signature file again; if it stays malformed, report it to the remote or the vendor',
    ...(cause === undefined ? {} : { cause }),
  });
}

function basename(name: string): string {
  const parts = name.split(/[/\\]/);
  return parts[parts.length - 1] ?? name;
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { createHash } from 'node:crypto';
import { JCAT_BLOB_KIND, type JcatBlob } from './jcat.js';
import type { BlobResult } from './types.js';

/** Lower-case hex digests of a payload, as fwupd computes them for checksum and `Target` blobs. */
export interface PayloadDigests {
  sha256: string;
  sha512: string;
}

/** The checksum kinds fwupd's JCat context allows (sha1 blobs are present in LVFS files but ignored). */
export const ALLOWED_CHECKSUM_KINDS: ReadonlySet<number> = new Set([JCAT_BLOB_KIND.sha256, JCAT_BLOB_KIND.sha512]);

export function digestHex(algorithm: 'sha256' | 'sha512', bytes: Uint8Array): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

/**
 * Digests computed on first use: a payload given as bytes is hashed at most once per algorithm;
 * a payload given as digests (a large file hashed while streaming) is used as it is.
 */
export function payloadDigests(payload: Uint8Array | PayloadDigests): PayloadDigests {
  if (!(payload instanceof Uint8Array)) {
    return { sha256: payload.sha256.toLowerCase(), sha512: payload.sha512.toLowerCase() };
  }
  const cache: Partial<PayloadDigests> = {};
  return {
    get sha256() {
      cache.sha256 ??= digestHex('sha256', payload);
      return cache.sha256;
    },
    get sha512() {
      cache.sha512 ??= digestHex('sha512', payload);
      return cache.sha512;
    },
  };
}

/** The digest string a checksum kind (or a `Target`) refers to, or undefined for other kinds. */
export function digestForKind(kind: number, digests: PayloadDigests): string | undefined {
  if (kind === JCAT_BLOB_KIND.sha256) return digests.sha256;
  if (kind === JCAT_BLOB_KIND.sha512) return digests.sha512;
  return undefined;
}

/**
 * Compares one checksum blob with the payload. The blob's data is the hex string (libjcat writes it
 * as text, Flags 1; base64 of the hex text is read the same way); case and surrounding whitespace
 * are ignored.
 */
export function verifyChecksumBlob(blob: JcatBlob, digests: PayloadDigests): BlobResult {
  const kind = String(blob.kindName);
  const actual = digestForKind(blob.kind, digests);
  if (actual === undefined) return { kind, ok: false, reason: `${kind} is not a checksum kind` };
  const expected = new TextDecoder().decode(blob.data).trim().toLowerCase();
  if (expected === actual) return { kind, ok: true };
  return {
    kind,
    ok: false,
    reason: `failed to verify data, expected ${printable(expected)} and got ${actual}`,
  };
}

function printable(text: string): string {
  const shown = text.length > 160 ? `${text.slice(0, 160)}…` : text;
  return /^[0-9a-f]*$/.test(shown) ? shown : JSON.stringify(shown);
}

import { CapstanError } from '../../core/errors.js';
import {
  ALLOWED_CHECKSUM_KINDS,
  digestForKind,
  type PayloadDigests,
  payloadDigests,
  verifyChecksumBlob,
} from './checksum.js';
import { blobKindName, JCAT_BLOB_KIND, type JcatBlob, type JcatItem } from './jcat.js';
import { verifyOpenpgpSignature } from './openpgp.js';
import { verifyPkcs7Signature } from './pkcs7.js';
import type { TrustAnchors } from './trust-anchors.js';
import type { BlobResult, VerifyOptions, VerifyResult } from './types.js';

/** The signature kinds fwupd's JCat context allows; ed25519 (and sha1 among checksums) is skipped. */
export const ALLOWED_SIGNATURE_KINDS: ReadonlySet<number> = new Set([JCAT_BLOB_KIND.gpg, JCAT_BLOB_KIND.pkcs7]);

/**
 * libjcat's `jcat_context_verify_item` with the engines fwupd enables (sha256, sha512, pkcs7, gpg):
 *
 * 1. an item without blobs fails (`signature-missing`);
 * 2. every sha256/sha512 blob must match the payload (`checksum-mismatch` otherwise);
 * 3. `requireChecksum`: at least one of them exists (`signature-missing` otherwise);
 * 4. every pkcs7/gpg blob is tried and its failure recorded; `requireSignature`: at least one must
 *    verify against the anchors (`signature-missing` if there is none, `signature-invalid` if none
 *    verifies, with each blob's reason in `details.signatures`);
 * 5. blobs of other kinds (sha1, ed25519, bt-*, unknown) are skipped.
 *
 * A signature blob with `Target` (1 = sha256, 10 = sha512) signs the lower-case hex digest string of
 * the payload instead of the payload. The payload may be given as its digests (a large file hashed
 * while streaming); then only checksum and Target blobs can be checked.
 */
export async function verifyJcatItem(
  item: JcatItem,
  payload: Uint8Array | PayloadDigests,
  anchors: TrustAnchors,
  options: VerifyOptions,
): Promise<VerifyResult> {
  if (item.blobs.length === 0) {
    throw new CapstanError('signature-missing', `failed to verify ${item.id}: the JCat item has no blobs`, {
      hint: 'obtain a signed copy from the vendor or the remote',
      details: { item: item.id },
    });
  }
  const digests = payloadDigests(payload);

  const checksumBlobs = item.blobs.filter((blob) => ALLOWED_CHECKSUM_KINDS.has(blob.kind));
  const checksums = checksumBlobs.map((blob) => verifyChecksumBlob(blob, digests));
  const mismatch = checksums.find((result) => !result.ok);
  if (mismatch !== undefined) {
    throw new CapstanError(
      'checksum-mismatch',
      `failed to verify ${item.id}: ${mismatch.kind} checksum failure: ${mismatch.reason}`,
      {
        hint: 'download the file again; if the checksum still differs, the file was changed after it was signed',
        details: { item: item.id, checksums },
      },
    );
  }
  if (options.requireChecksum && checksums.length === 0) {
    throw new CapstanError(
      'signature-missing',
      `failed to verify ${item.id}: checksums were required, but none supported (${kindsOf(item.blobs)})`,
      {
        hint: 'the signature file needs a sha256 or sha512 blob for this file; obtain an up-to-date one from the vendor or remote',
        details: { item: item.id, blobs: item.blobs.map((blob) => blob.kindName) },
      },
    );
  }

  const signatureBlobs = item.blobs.filter((blob) => ALLOWED_SIGNATURE_KINDS.has(blob.kind));
  const signatures: BlobResult[] = [];
  for (const blob of signatureBlobs)
    signatures.push(await verifySignatureBlob(blob, payload, digests, anchors, options));
  const verified = signatures.filter((result) => result.ok);
  if (options.requireSignature && signatureBlobs.length === 0) {
    throw new CapstanError(
      'signature-missing',
      `failed to verify ${item.id}: signatures were required, but none supported (${kindsOf(item.blobs)})`,
      {
        hint: 'obtain a copy signed with PKCS#7 or OpenPGP from the vendor or the remote',
        details: { item: item.id, blobs: item.blobs.map((blob) => blob.kindName) },
      },
    );
  }
  if (options.requireSignature && verified.length === 0) {
    const reasons = signatures.map((result) => `${result.kind}: ${result.reason ?? 'failed'}`).join('; ');
    throw new CapstanError(
      'signature-invalid',
      `failed to verify ${item.id}: no signature verified against the trust anchors (${reasons})`,
      {
        hint: 'install the signer\u2019s CA certificate or GPG key in /etc/pki/fwupd only if you trust it; never bypass this check',
        details: { item: item.id, checksums, signatures, anchors: anchors.sources },
      },
    );
  }
  const times = verified.flatMap((result) => (result.signedAt === undefined ? [] : [result.signedAt.getTime()]));
  return {
    checksums,
    signatures,
    ...(times.length === 0 ? {} : { newestSignature: new Date(Math.max(...times)) }),
    trusted: verified.length > 0,
  };
}

async function verifySignatureBlob(
  blob: JcatBlob,
  payload: Uint8Array | PayloadDigests,
  digests: PayloadDigests,
  anchors: TrustAnchors,
  options: VerifyOptions,
): Promise<BlobResult> {
  const target = blob.target !== undefined && blob.target !== JCAT_BLOB_KIND.unknown ? blob.target : undefined;
  const kind = target === undefined ? String(blob.kindName) : `${blob.kindName}-of-${blobKindName(target)}`;
  let content: Uint8Array;
  if (target !== undefined) {
    const digest = digestForKind(target, digests);
    if (digest === undefined) return { kind, ok: false, reason: `unsupported Target kind ${target}` };
    content = new TextEncoder().encode(digest);
  } else if (payload instanceof Uint8Array) {
    content = payload;
  } else {
    return { kind, ok: false, reason: 'signs the payload bytes, but only the payload digests were given' };
  }
  const time = { checkTime: options.checkTime, now: options.now };
  return blob.kind === JCAT_BLOB_KIND.pkcs7
    ? verifyPkcs7Signature(blob.data, content, anchors, time, kind)
    : verifyOpenpgpSignature(blob.data, content, anchors, time, kind);
}

function kindsOf(blobs: JcatBlob[]): string {
  return `blobs: ${blobs.map((blob) => blob.kindName).join(', ')}`;
}

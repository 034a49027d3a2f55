import type { Key, PublicKey, Signature } from 'openpgp';
import type { OpenpgpAnchor, TrustAnchors } from './trust-anchors.js';
import type { BlobResult, TimeCheck } from './types.js';

type OpenpgpModule = typeof import('openpgp');

/** openpgp is 17 MB; it is imported only when an OpenPGP signature is actually checked. */
function loadOpenpgp(): Promise<OpenpgpModule> {
  return import('openpgp');
}

interface ParsedAnchor {
  keys: PublicKey[];
  error?: string;
}

/** Parsed keys per anchor file, so a set of anchors is parsed once however many blobs it checks. */
const parsedAnchors = new WeakMap<OpenpgpAnchor, Promise<ParsedAnchor>>();

function parseAnchor(openpgp: OpenpgpModule, anchor: OpenpgpAnchor): Promise<ParsedAnchor> {
  let parsed = parsedAnchors.get(anchor);
  if (parsed === undefined) {
    const reading: Promise<Key[]> =
      anchor.format === 'armored'
        ? openpgp.readKeys({ armoredKeys: new TextDecoder().decode(anchor.bytes) })
        : openpgp.readKeys({ binaryKeys: anchor.bytes });
    parsed = reading.then(
      (keys) => ({ keys: keys.map((key) => key.toPublic()) }),
      (error: unknown) => ({ keys: [], error: `${anchor.source}: ${messageOf(error)}` }),
    );
    parsedAnchors.set(anchor, parsed);
  }
  return parsed;
}

/**
 * Verifies a detached OpenPGP signature (ASCII-armoured as libjcat stores it, or binary) over
 * `content` against the OpenPGP anchors. Every signature packet in it must verify (as GPGME
 * reports each one). With time checks on, the signature must not be dated after `now` nor have
 * expired by then; with them off, nothing is compared with `now`. Either way openpgp.js requires
 * the key to have been valid when it made the signature. Never throws: failures are a `reason`.
 */
export async function verifyOpenpgpSignature(
  signature: Uint8Array,
  content: Uint8Array,
  anchors: TrustAnchors,
  time: TimeCheck,
  kind = 'gpg',
): Promise<BlobResult> {
  const fail = (reason: string, extra: Partial<BlobResult> = {}): BlobResult => ({ kind, ok: false, reason, ...extra });
  if (anchors.openpgp.length === 0) return fail('no OpenPGP trust anchors are installed');
  const openpgp = await loadOpenpgp();
  let parsedSignature: Signature;
  try {
    const text = new TextDecoder().decode(signature);
    parsedSignature = text.includes('-----BEGIN PGP SIGNATURE-----')
      ? await openpgp.readSignature({ armoredSignature: text })
      : await openpgp.readSignature({ binarySignature: signature });
  } catch (error) {
    return fail(`not an OpenPGP signature: ${lowerFirst(messageOf(error))}`);
  }
  const parsed = await Promise.all(anchors.openpgp.map((anchor) => parseAnchor(openpgp, anchor)));
  const keys = parsed.flatMap((entry) => entry.keys);
  const unreadable = parsed.flatMap((entry) => (entry.error === undefined ? [] : [entry.error]));
  if (keys.length === 0) return fail(`no usable OpenPGP trust anchors (${unreadable.join('; ')})`);

  try {
    const message = await openpgp.createMessage({ binary: content });
    const verification = await openpgp.verify({
      message,
      signature: parsedSignature,
      verificationKeys: keys,
      date: time.checkTime ? time.now : null,
      format: 'binary',
    });
    if (verification.signatures.length === 0) return fail('the signature file holds no signature');
    let found: Partial<BlobResult> = {};
    for (const entry of verification.signatures) {
      const key = keys.find((candidate) => candidate.getKeys(entry.keyID).length > 0);
      const packet = (await entry.signature).packets[0];
      const created = packet?.created ?? undefined;
      const signingKey = key?.getKeys(entry.keyID)[0];
      const userId = key?.getUserIDs()[0];
      found = {
        signer:
          signingKey === undefined
            ? entry.keyID.toHex().toUpperCase()
            : fingerprint(signingKey.getFingerprint(), userId),
        ...(key === undefined ? {} : { authority: key.getFingerprint().toUpperCase() }),
        ...(created instanceof Date ? { signedAt: created } : {}),
      };
      try {
        await entry.verified;
      } catch (error) {
        return fail(`signature verification failed: ${lowerFirst(messageOf(error))}`, found);
      }
    }
    return { kind, ok: true, ...found };
  } catch (error) {
    return fail(`signature verification failed: ${lowerFirst(messageOf(error))}`);
  }
}

/**
 * A legacy detached `<payload>.asc` inside a cabinet (LVFS writes them for old clients; fwupd
 * tries one when the JCat has no item for the payload). Time checks are off by default, as fwupd
 * verifies cabinet payloads.
 */
export function verifyDetachedOpenpgp(
  signature: Uint8Array,
  payload: Uint8Array,
  anchors: TrustAnchors,
  time: TimeCheck = { checkTime: false, now: new Date(0) },
): Promise<BlobResult> {
  return verifyOpenpgpSignature(signature, payload, anchors, time);
}

function fingerprint(hex: string, userId: string | undefined): string {
  return userId === undefined || userId === '' ? hex.toUpperCase() : `${hex.toUpperCase()} (${userId})`;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import { Certificate, ContentInfo, CryptoEngine, SignedData, SignedDataVerifyError } from 'pkijs';
import { decodePem, looksLikeDer, looksLikePem } from './pem.js';
import { bytesEqual, formatDn, type TrustAnchors, toArrayBuffer } from './trust-anchors.js';
import type { BlobResult, TimeCheck } from './types.js';

const SIGNED_DATA_OID = '1.2.840.113549.1.7.2';
const SIGNING_TIME_OID = '1.2.840.113549.1.9.5';
/** Digest algorithms accepted for the signer: SHA-2 only (libjcat signs with SHA-256). */
const DIGESTS: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

/** pkijs on Node's WebCrypto, passed explicitly rather than through pkijs's process-wide engine. */
const engine = new CryptoEngine({
  name: 'node-webcrypto',
  crypto: webcrypto as unknown as ConstructorParameters<typeof CryptoEngine>[0]['crypto'],
});

/**
 * Verifies a detached PKCS#7/CMS SignedData signature over `content` against the X.509 anchors.
 * Accepts PEM labelled `PKCS7` (what libjcat writes) or `CMS`, and DER; GnuTLS accepts only the
 * `PKCS7` PEM form. The signer certificate must be embedded and must chain to an anchor (or be one).
 * Never throws: every failure is a `reason`.
 */
export async function verifyPkcs7Signature(
  signature: Uint8Array,
  content: Uint8Array,
  anchors: TrustAnchors,
  time: TimeCheck,
  kind = 'pkcs7',
): Promise<BlobResult> {
  const fail = (reason: string, extra: Partial<BlobResult> = {}): BlobResult => ({ kind, ok: false, reason, ...extra });
  const decoded = decodeSignedData(signature);
  if (typeof decoded === 'string') return fail(decoded);
  const signed = decoded;
  if (signed.encapContentInfo.eContent !== undefined) {
    return fail('not a detached signature: the SignedData carries its own content');
  }
  if (signed.signerInfos.length === 0) return fail('the SignedData has no signer');
  if (anchors.x509.length === 0) return fail('no X.509 trust anchors are installed');
  const outcomes: SignerOutcome[] = [];
  for (let index = 0; index < signed.signerInfos.length; index++) {
    const outcome = await verifySigner(signed, index, content, anchors, time);
    if (outcome.ok) return { kind, ...outcome };
    outcomes.push(outcome);
  }
  if (outcomes.length === 1) return { kind, ...outcomes[0], ok: false };
  return fail(outcomes.map((outcome, index) => `signer ${index + 1}: ${outcome.reason}`).join('; '));
}

function decodeSignedData(signature: Uint8Array): SignedData | string {
  let der: Uint8Array;
  if (looksLikePem(signature)) {
    const blocks = decodePem(new TextDecoder().decode(signature));
    const block = blocks.find((candidate) => candidate.label === 'PKCS7' || candidate.label === 'CMS');
    if (block === undefined) {
      const labels = blocks.map((candidate) => candidate.label).join(', ');
      return `no PEM block labelled PKCS7 or CMS${labels === '' ? '' : ` (found ${labels})`}`;
    }
    if (block.der.length === 0) return `the PEM ${block.label} block is not valid base64`;
    der = block.der;
  } else if (looksLikeDer(signature)) {
    der = signature;
  } else {
    return 'neither PEM nor DER PKCS#7 data';
  }
  const asn1 = asn1js.fromBER(toArrayBuffer(der));
  if (asn1.offset === -1) return `not DER: ${asn1.result.error}`;
  if (asn1.offset !== der.byteLength) return 'trailing bytes after the PKCS#7 structure';
  try {
    const info = new ContentInfo({ schema: asn1.result });
    if (info.contentType !== SIGNED_DATA_OID) return `not PKCS#7 SignedData (content type ${info.contentType})`;
    return new SignedData({ schema: info.content });
  } catch (error) {
    return `not PKCS#7 SignedData: ${messageOf(error)}`;
  }
}

type SignerOutcome = Omit<BlobResult, 'kind'>;

async function verifySigner(
  signed: SignedData,
  index: number,
  content: Uint8Array,
  anchors: TrustAnchors,
  time: TimeCheck,
): Promise<SignerOutcome> {
  const info = signed.signerInfos[index];
  if (info === undefined) return { ok: false, reason: 'no such signer' };
  const digest = DIGESTS[info.digestAlgorithm.algorithmId];
  if (digest === undefined)
    return { ok: false, reason: `unsupported digest algorithm ${info.digestAlgorithm.algorithmId}` };
  const data = toArrayBuffer(content);

  // 1. The signature over the data (message-digest attribute and signature value), no chain yet.
  //    pkijs throws SignedDataVerifyError for most failures but only returns `false` for a bad
  //    signature value without signed attributes, so both are checked.
  let signer: Certificate;
  try {
    const result = await signed.verify({ signer: index, data, checkChain: false, extendedMode: true }, engine);
    if (result.signerCertificate == null) return { ok: false, reason: 'the signer certificate is not embedded' };
    signer = result.signerCertificate;
    if (result.signatureVerified !== true) {
      return { ok: false, reason: 'signature verification failed: the data does not match', ...names(signer) };
    }
  } catch (error) {
    return { ok: false, reason: describeFailure(error) };
  }
  const found = { ...names(signer), ...signingTime(signed, index) };

  // 2. The signer's certificate chain to a trust anchor.
  if (anchors.x509.some((anchor) => bytesEqual(anchor.certificate.tbsView, signer.tbsView))) {
    if (time.checkTime && !validAt(signer, time.now)) {
      return { ok: false, reason: 'the signer certificate is not yet valid or expired', ...found };
    }
    return { ok: true, ...found };
  }
  const trustedCerts = time.checkTime
    ? anchors.x509.map((anchor) => anchor.certificate)
    : anchors.x509.map((anchor) => ignoringValidity(Certificate.fromBER(toArrayBuffer(anchor.der))));
  if (!time.checkTime) {
    for (const certificate of signed.certificates ?? []) {
      if (certificate instanceof Certificate) ignoringValidity(certificate);
    }
  }
  try {
    const result = await signed.verify(
      { signer: index, data, trustedCerts, checkChain: true, checkDate: time.now, extendedMode: true },
      engine,
    );
    if (result.signatureVerified === true) return { ok: true, ...found };
    return { ok: false, reason: 'signature verification failed: the data does not match', ...found };
  } catch (error) {
    return { ok: false, reason: describeFailure(error), ...found };
  }
}

/**
 * fwupd verifies cabinet payloads with GnuTLS's DISABLE_TIME_CHECKS: no certificate's validity
 * period matters. pkijs has no such switch (its `checkDate` defaults to the wall clock when
 * undefined), so the copies used for that check get an unbounded validity period. This is safe
 * because pkijs reads the dates from these parsed fields while every signature check uses the
 * original TBS bytes (`tbsView`); the copies are private to one verification.
 */
function ignoringValidity(certificate: Certificate): Certificate {
  certificate.notBefore.value = new Date(-8_640_000_000_000_000);
  certificate.notAfter.value = new Date(8_640_000_000_000_000);
  return certificate;
}

function validAt(certificate: Certificate, date: Date): boolean {
  return certificate.notBefore.value <= date && date <= certificate.notAfter.value;
}

function names(certificate: Certificate): Pick<BlobResult, 'signer' | 'authority'> {
  return { signer: formatDn(certificate.subject), authority: formatDn(certificate.issuer) };
}

function signingTime(signed: SignedData, index: number): Pick<BlobResult, 'signedAt'> {
  const attribute = signed.signerInfos[index]?.signedAttrs?.attributes.find((item) => item.type === SIGNING_TIME_OID);
  const value: unknown = attribute?.values[0];
  if (value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime) {
    const date = value.toDate();
    if (!Number.isNaN(date.getTime())) return { signedAt: date };
  }
  return {};
}

function describeFailure(error: unknown): string {
  if (error instanceof SignedDataVerifyError) {
    const text = error.message.replace(/^Error during verification: /, '');
    if (error.code === 5)
      return `signer certificate not trusted: ${lowerFirst(text.replace(/^Validation of signer's certificate failed( with error)?: /, ''))}`;
    if (error.code === 3) return 'the signer certificate is not embedded';
    if (error.code === 2) return 'no certificates are embedded in the signature';
    return `signature verification failed: ${lowerFirst(text)}`;
  }
  return `signature verification failed: ${lowerFirst(messageOf(error))}`;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'resultMessage' in error) return String(error.resultMessage);
  return String(error);
}

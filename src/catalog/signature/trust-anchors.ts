import * as asn1js from 'asn1js';
import { Certificate, type RelativeDistinguishedNames } from 'pkijs';
import type { Context } from '../../core/context.js';
import { decodePem, looksLikeDer, looksLikePem } from './pem.js';

/** fwupd's trust directories (Debian's fwupd package installs them under /etc/pki). */
export const FWUPD_TRUST_DIRECTORIES = ['/etc/pki/fwupd', '/etc/pki/fwupd-metadata'] as const;

export interface X509Anchor {
  /** The system path of the file it came from. */
  source: string;
  /** RFC 4514 subject DN, as GnuTLS prints it (`O=…,CN=…`). */
  subject: string;
  der: Uint8Array;
  certificate: Certificate;
}

/** An OpenPGP public key file; parsed on first use, because openpgp is loaded lazily. */
export interface OpenpgpAnchor {
  source: string;
  format: 'armored' | 'binary';
  bytes: Uint8Array;
}

export interface RejectedAnchor {
  source: string;
  reason: string;
}

export interface TrustAnchors {
  x509: X509Anchor[];
  openpgp: OpenpgpAnchor[];
  /** Files that contributed at least one anchor (system paths, in load order). */
  sources: string[];
  /** Files or certificates not accepted as anchors, with the reason (never an exception). */
  rejected: RejectedAnchor[];
}

export interface AnchorFile {
  source: string;
  bytes: Uint8Array;
}

const KEY_USAGE_OID = '2.5.29.15';
const KU_DIGITAL_SIGNATURE = 0x80;
const KU_KEY_CERT_SIGN = 0x04;

/**
 * Loads PEM certificates (`*.pem`, `*.crt`) and OpenPGP public keys (`GPG-KEY-*`, `*.asc`,
 * `*.gpg`) from system directories, through ctx.fs (so a test root works). Absent directories are
 * skipped. A certificate without KeyUsage digitalSignature or keyCertSign is rejected as fwupd
 * does; rejections are recorded in `rejected`, never thrown. I/O errors other than "absent" are
 * thrown as ctx.fs reports them (permission-denied, io-error).
 */
export function loadTrustAnchors(ctx: Context, directories: string[]): TrustAnchors {
  const files: AnchorFile[] = [];
  for (const directory of directories) {
    const names = ctx.fs.tryListDir(directory);
    if (names === undefined) {
      ctx.log.debug('trust directory absent', { directory: ctx.paths.display(directory) });
      continue;
    }
    for (const name of names) {
      const source = `${directory.replace(/\/+$/, '')}/${name}`;
      if (anchorFileKind(name) === undefined || ctx.fs.isDirectory(source)) continue;
      const bytes = ctx.fs.tryReadBytes(source);
      if (bytes !== undefined) files.push({ source, bytes: new Uint8Array(bytes) });
    }
  }
  const anchors = trustAnchorsFromFiles(files);
  for (const rejected of anchors.rejected) {
    ctx.log.warn('trust anchor rejected', { source: ctx.paths.display(rejected.source), reason: rejected.reason });
  }
  ctx.log.debug('trust anchors loaded', {
    x509: anchors.x509.map((anchor) => anchor.subject),
    openpgp: anchors.openpgp.map((anchor) => anchor.source),
  });
  return anchors;
}

/** Which loader a file name belongs to, by fwupd's and libjcat's naming conventions. */
export function anchorFileKind(name: string): 'x509' | 'openpgp' | undefined {
  if (/\.(pem|crt)$/i.test(name)) return 'x509';
  if (name.startsWith('GPG-KEY-') || /\.(asc|gpg)$/i.test(name)) return 'openpgp';
  return undefined;
}

/** The pure part of loadTrustAnchors: classify, parse and check already-read files. */
export function trustAnchorsFromFiles(files: AnchorFile[]): TrustAnchors {
  const anchors: TrustAnchors = { x509: [], openpgp: [], sources: [], rejected: [] };
  for (const file of files) {
    const name = file.source.slice(file.source.lastIndexOf('/') + 1);
    const kind = anchorFileKind(name);
    const before = anchors.x509.length + anchors.openpgp.length;
    if (kind === 'x509') addX509File(anchors, file);
    if (kind === 'openpgp') addOpenpgpFile(anchors, file);
    if (anchors.x509.length + anchors.openpgp.length > before) anchors.sources.push(file.source);
  }
  return anchors;
}

function addX509File(anchors: TrustAnchors, file: AnchorFile): void {
  const reject = (reason: string): void => {
    anchors.rejected.push({ source: file.source, reason });
  };
  let ders: Uint8Array[];
  if (looksLikePem(file.bytes)) {
    const blocks = decodePem(new TextDecoder().decode(file.bytes)).filter((block) =>
      /^(X509 |TRUSTED )?CERTIFICATE$/.test(block.label),
    );
    if (blocks.length === 0) {
      reject('no PEM CERTIFICATE block in the file');
      return;
    }
    ders = blocks.map((block) => block.der);
  } else if (looksLikeDer(file.bytes)) {
    ders = [file.bytes];
  } else {
    reject('neither a PEM nor a DER certificate');
    return;
  }
  for (const [index, der] of ders.entries()) {
    const where = ders.length > 1 ? `certificate ${index + 1}: ` : '';
    const parsed = parseCertificate(der);
    if (typeof parsed === 'string') {
      reject(`${where}${parsed}`);
      continue;
    }
    const subject = formatDn(parsed.subject);
    const usage = checkAnchorKeyUsage(parsed);
    if (usage !== undefined) {
      reject(`${where}${subject}: ${usage}`);
      continue;
    }
    if (anchors.x509.some((anchor) => bytesEqual(anchor.der, der))) continue;
    anchors.x509.push({ source: file.source, subject, der, certificate: parsed });
  }
}

function addOpenpgpFile(anchors: TrustAnchors, file: AnchorFile): void {
  const text = new TextDecoder().decode(file.bytes.subarray(0, 4096));
  if (/-----BEGIN PGP (PRIVATE|SECRET) KEY BLOCK-----/.test(text)) {
    anchors.rejected.push({ source: file.source, reason: 'contains a private key; only public keys are anchors' });
    return;
  }
  let format: OpenpgpAnchor['format'];
  if (text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) format = 'armored';
  else if (file.bytes.length > 0 && ((file.bytes[0] ?? 0) & 0x80) !== 0) format = 'binary';
  else {
    anchors.rejected.push({ source: file.source, reason: 'not an OpenPGP public key (armoured or binary)' });
    return;
  }
  if (anchors.openpgp.some((anchor) => bytesEqual(anchor.bytes, file.bytes))) return;
  anchors.openpgp.push({ source: file.source, format, bytes: file.bytes });
}

/** A certificate, or the reason it cannot be parsed. */
export function parseCertificate(der: Uint8Array): Certificate | string {
  if (der.length === 0) return 'the PEM body is not valid base64';
  const asn1 = asn1js.fromBER(toArrayBuffer(der));
  if (asn1.offset === -1) return `not DER: ${asn1.result.error}`;
  if (asn1.offset !== der.byteLength) return 'trailing bytes after the certificate';
  try {
    return new Certificate({ schema: asn1.result });
  } catch (error) {
    return `not an X.509 certificate: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * fwupd (libjcat's GnuTLS engine) refuses anchors without a KeyUsage extension, and those whose
 * KeyUsage has neither digitalSignature nor keyCertSign. Returns the reason, or undefined if fine.
 */
export function checkAnchorKeyUsage(certificate: Certificate): string | undefined {
  const extension = certificate.extensions?.find((candidate) => candidate.extnID === KEY_USAGE_OID);
  if (extension === undefined) return 'failed to get key usage: the certificate has no KeyUsage extension';
  const asn1 = asn1js.fromBER(extension.extnValue.valueBlock.valueHexView);
  if (asn1.offset === -1 || !(asn1.result instanceof asn1js.BitString)) return 'the KeyUsage extension is malformed';
  const first = asn1.result.valueBlock.valueHexView[0] ?? 0;
  if ((first & (KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN)) === 0) {
    return 'certificate not suitable for use: KeyUsage has neither digitalSignature nor keyCertSign';
  }
  return undefined;
}

const DN_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'EMAIL',
};

/** RFC 4514 form, most significant RDN last, as GnuTLS (and so jcat-tool and fwupd) prints it. */
export function formatDn(name: RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((pair) => {
      const value = (pair.value as { valueBlock?: { value?: unknown } }).valueBlock?.value;
      const text = typeof value === 'string' ? value.replace(/([,+"\\<>;])/g, '\\$1') : '#';
      return `${DN_NAMES[pair.type] ?? pair.type}=${text}`;
    })
    .reverse()
    .join(',');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

import { spawnSync } from 'node:child_process';
import { createHash, webcrypto } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as asn1js from 'asn1js';
import {
  Attribute,
  Certificate,
  ContentInfo,
  CryptoEngine,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignedAndUnsignedAttributes,
  SignedData,
  SignerInfo,
} from 'pkijs';

/**
 * Test-side builders for JCat files and signatures, independent of jcat-tool: gzip+JSON by hand,
 * PKCS#7 with pkijs, OpenPGP with openpgp.js, all with the TEST-ONLY keys of make-pki.sh.
 */

export const PKI_DIR = path.dirname(fileURLToPath(import.meta.url));
export const JCAT_SAMPLES_DIR = path.join(PKI_DIR, '..', 'jcat');

export function readPki(name: string): string {
  return fs.readFileSync(path.join(PKI_DIR, name), 'utf8');
}

export function readSample(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(JCAT_SAMPLES_DIR, name)));
}

export interface RawBlob {
  Kind: number;
  Flags: number;
  Data: string;
  Timestamp?: number;
  AppstreamId?: string;
  Target?: number;
}

export interface RawItem {
  Id: string;
  AliasIds?: string[];
  Blobs: RawBlob[];
}

/** A JCat file as libjcat writes it: compact JSON, gzip. */
export function buildJcat(items: RawItem[]): Uint8Array {
  return gzipJson({ JcatVersionMajor: 0, JcatVersionMinor: 1, Items: items });
}

export function gzipJson(value: unknown): Uint8Array {
  return new Uint8Array(gzipSync(JSON.stringify(value)));
}

export function sha256Blob(payload: Uint8Array): RawBlob {
  return { Kind: 1, Flags: 1, Data: createHash('sha256').update(payload).digest('hex') };
}

export function sha512Blob(payload: Uint8Array): RawBlob {
  return { Kind: 10, Flags: 1, Data: createHash('sha512').update(payload).digest('hex') };
}

const engine = new CryptoEngine({
  name: 'test-webcrypto',
  crypto: webcrypto as unknown as ConstructorParameters<typeof CryptoEngine>[0]['crypto'],
});

function pemBody(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export interface Pkcs7Options {
  /** Signer certificate and PKCS#8 key file names in this directory (default test-signer). */
  signer?: string;
  signingTime?: Date;
  /** Omit signed attributes: the signature is then over the content itself. */
  noSignedAttributes?: boolean;
  /** Embed the content (an attached signature) instead of a detached one. */
  attached?: boolean;
  /** Leave the signer certificate out of the SignedData. */
  omitCertificate?: boolean;
  hash?: 'SHA-256' | 'SHA-1';
}

/** DER of a ContentInfo/SignedData signing `content` (detached unless `attached`). */
export async function signPkcs7Der(content: Uint8Array, options: Pkcs7Options = {}): Promise<Uint8Array> {
  const stem = options.signer ?? 'test-signer';
  const hash = options.hash ?? 'SHA-256';
  const certificate = Certificate.fromBER(toArrayBuffer(pemBody(readPki(`${stem}.pem`))));
  const key = await webcrypto.subtle.importKey(
    'pkcs8',
    pemBody(readPki(`${stem}.key`)),
    { name: 'RSASSA-PKCS1-v1_5', hash },
    false,
    ['sign'],
  );
  const signerInfo = new SignerInfo({
    version: 1,
    sid: new IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
  });
  if (options.noSignedAttributes !== true) {
    const digest = await webcrypto.subtle.digest(hash, content);
    signerInfo.signedAttrs = new SignedAndUnsignedAttributes({
      type: 0,
      attributes: [
        new Attribute({
          type: '1.2.840.113549.1.9.3',
          values: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })],
        }),
        new Attribute({
          type: '1.2.840.113549.1.9.5',
          values: [new asn1js.UTCTime({ valueDate: options.signingTime ?? new Date('2026-01-02T03:04:05Z') })],
        }),
        new Attribute({ type: '1.2.840.113549.1.9.4', values: [new asn1js.OctetString({ valueHex: digest })] }),
      ],
    });
  }
  const signed = new SignedData({
    version: 1,
    encapContentInfo: new EncapsulatedContentInfo({
      eContentType: '1.2.840.113549.1.7.1',
      ...(options.attached === true ? { eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(content) }) } : {}),
    }),
    signerInfos: [signerInfo],
    ...(options.omitCertificate === true ? {} : { certificates: [certificate] }),
  });
  await signed.sign(key, 0, hash, toArrayBuffer(content), engine);
  const info = new ContentInfo({ contentType: ContentInfo.SIGNED_DATA, content: signed.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER());
}

export function pem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** An ASCII-armoured detached OpenPGP signature made with openpgp.js. */
export async function signOpenpgp(content: Uint8Array, secretKeyFile = 'test-openpgp-secret.key'): Promise<string> {
  const openpgp = await import('openpgp');
  const signingKeys = await openpgp.readPrivateKey({ armoredKey: readPki(secretKeyFile) });
  const message = await openpgp.createMessage({ binary: content });
  return openpgp.sign({ message, signingKeys, detached: true, format: 'armored' });
}

/**
 * Runs jcat-tool with a clean environment (its own HOME, no user keyring), returning exit status
 * and output.
 */
export function runJcatTool(args: string[], cwd: string): { status: number | null; output: string } {
  const home = path.join(cwd, '.home');
  fs.mkdirSync(home, { recursive: true });
  const result = spawnSync('jcat-tool', args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8' },
    timeout: 20_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PKI_DIR, readPki } from '../../../test/catalogs/pki/build-jcat.js';
import { makeRoot } from '../../../test/helpers/make-root.js';
import { createContext } from '../../core/context.js';
import type { Logger } from '../../core/log.js';
import { anchorFileKind, FWUPD_TRUST_DIRECTORIES, loadTrustAnchors, trustAnchorsFromFiles } from './trust-anchors.js';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level}: ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { lines, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

const derOf = (pem: string): Buffer =>
  Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s/g, ''), 'base64');

describe('loadTrustAnchors', () => {
  it('loads certificates and OpenPGP keys from fwupd-style directories under the root', () => {
    const root = makeRoot({
      'etc/pki/fwupd/LVFS-CA.pem': readPki('test-ca.pem'),
      'etc/pki/fwupd/GPG-KEY-Linux-Vendor-Firmware-Service': readPki('test-openpgp-public.asc'),
      'etc/pki/fwupd/README': 'not a key\n',
      'etc/pki/fwupd/subdir.pem/x': 'a directory named like a certificate',
      'etc/pki/fwupd-metadata/LVFS-CA.pem': readPki('test-ca.pem'),
      'etc/pki/fwupd-metadata/wrong.crt': derOf(readPki('test-wrong-ca.pem')),
    });
    const log = recordingLogger();
    const anchors = loadTrustAnchors(createContext({ root, log }), [...FWUPD_TRUST_DIRECTORIES]);
    expect(anchors.x509.map((anchor) => [anchor.source, anchor.subject])).toEqual([
      ['/etc/pki/fwupd/LVFS-CA.pem', 'O=Capstan Test,CN=Capstan Test CA'],
      ['/etc/pki/fwupd-metadata/wrong.crt', 'O=Capstan Test,CN=Capstan Wrong Test CA'],
    ]);
    expect(anchors.openpgp).toEqual([
      expect.objectContaining({ source: '/etc/pki/fwupd/GPG-KEY-Linux-Vendor-Firmware-Service', format: 'armored' }),
    ]);
    expect(anchors.sources).toEqual([
      '/etc/pki/fwupd/GPG-KEY-Linux-Vendor-Firmware-Service',
      '/etc/pki/fwupd/LVFS-CA.pem',
      '/etc/pki/fwupd-metadata/wrong.crt',
    ]);
    expect(anchors.rejected).toEqual([]);
  });

  it('rejects a CA without KeyUsage (fwupd rule) without throwing, and says why', () => {
    const root = makeRoot({
      'etc/pki/fwupd/no-ku.pem': readPki('test-ca-no-ku.pem'),
      'etc/pki/fwupd/good.pem': readPki('test-ca.pem'),
    });
    const log = recordingLogger();
    const anchors = loadTrustAnchors(createContext({ root, log }), ['/etc/pki/fwupd']);
    expect(anchors.x509.map((anchor) => anchor.source)).toEqual(['/etc/pki/fwupd/good.pem']);
    expect(anchors.rejected).toEqual([
      {
        source: '/etc/pki/fwupd/no-ku.pem',
        reason:
          'O=Capstan Test,CN=Capstan Test CA without KeyUsage: failed to get key usage: the certificate has no KeyUsage extension',
      },
    ]);
    expect(log.lines.some((line) => line.startsWith('warn: trust anchor rejected'))).toBe(true);
  });

  it('accepts a leaf certificate with digitalSignature as an anchor', () => {
    const anchors = trustAnchorsFromFiles([
      { source: '/k/signer.pem', bytes: Buffer.from(readPki('test-signer.pem')) },
    ]);
    expect(anchors.x509.map((anchor) => anchor.subject)).toEqual(['O=Capstan Test,CN=Capstan Test Signer']);
  });

  it('reads every certificate of a bundle and records unusable files', () => {
    const bundle = readPki('test-ca.pem') + readPki('test-ca-no-ku.pem') + readPki('test-wrong-ca.pem');
    const anchors = trustAnchorsFromFiles([
      { source: '/k/bundle.pem', bytes: Buffer.from(bundle) },
      { source: '/k/empty.pem', bytes: Buffer.from('') },
      { source: '/k/key.pem', bytes: Buffer.from(readPki('test-signer.key')) },
      { source: '/k/garbage.crt', bytes: Buffer.from([0x30, 0x03, 0x01, 0x01]) },
      {
        source: '/k/badbase64.pem',
        bytes: Buffer.from('-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n'),
      },
      { source: '/k/secret.asc', bytes: Buffer.from(readPki('test-openpgp-secret.key')) },
      { source: '/k/text.asc', bytes: Buffer.from('hello') },
    ]);
    expect(anchors.x509.map((anchor) => anchor.subject)).toEqual([
      'O=Capstan Test,CN=Capstan Test CA',
      'O=Capstan Test,CN=Capstan Wrong Test CA',
    ]);
    expect(anchors.openpgp).toEqual([]);
    expect(anchors.rejected.map((entry) => `${entry.source}: ${entry.reason}`)).toEqual([
      '/k/bundle.pem: certificate 2: O=Capstan Test,CN=Capstan Test CA without KeyUsage: failed to get key usage: the certificate has no KeyUsage extension',
      '/k/empty.pem: neither a PEM nor a DER certificate',
      '/k/key.pem: no PEM CERTIFICATE block in the file',
      expect.stringMatching(/^\/k\/garbage\.crt: not (DER|an X\.509 certificate)/),
      '/k/badbase64.pem: the PEM body is not valid base64',
      '/k/secret.asc: contains a private key; only public keys are anchors',
      '/k/text.asc: not an OpenPGP public key (armoured or binary)',
    ]);
  });

  it('skips absent directories and names by convention', () => {
    const root = makeRoot({ 'etc/pki/other/x.pem': readPki('test-ca.pem') });
    const anchors = loadTrustAnchors(createContext({ root }), ['/etc/pki/fwupd', '/etc/pki/other/x.pem']);
    expect(anchors).toEqual({ x509: [], openpgp: [], sources: [], rejected: [] });
    expect(anchorFileKind('GPG-KEY-Linux-Foundation-Firmware')).toBe('openpgp');
    expect(anchorFileKind('key.gpg')).toBe('openpgp');
    expect(anchorFileKind('LVFS-CA-2025PQ.pem')).toBe('x509');
    expect(anchorFileKind('ca.CRT')).toBe('x509');
    expect(anchorFileKind('ca.der')).toBeUndefined();
  });

  it('loads the committed test PKI directory without surprises', () => {
    const files = fs
      .readdirSync(PKI_DIR)
      .filter((name) => anchorFileKind(name) !== undefined)
      .map((name) => ({ source: path.join('/pki', name), bytes: fs.readFileSync(path.join(PKI_DIR, name)) }));
    const anchors = trustAnchorsFromFiles(files);
    expect(anchors.rejected.map((entry) => entry.source)).toEqual(['/pki/test-ca-no-ku.pem']);
    expect(anchors.openpgp).toHaveLength(2);
  });
});

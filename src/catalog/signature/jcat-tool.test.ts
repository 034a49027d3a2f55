import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildJcat,
  PKI_DIR,
  pem,
  readPki,
  readSample,
  runJcatTool,
  sha256Blob,
  sha512Blob,
  signOpenpgp,
  signPkcs7Der,
} from '../../../test/catalogs/pki/build-jcat.js';
import { makeRoot } from '../../../test/helpers/make-root.js';
import { haveTool } from '../../../test/helpers/tools.js';
import { createContext } from '../../core/context.js';
import { CapstanError } from '../../core/errors.js';
import { findJcatItem, parseJcat } from './jcat.js';
import { loadTrustAnchors } from './trust-anchors.js';
import type { VerifyOptions } from './types.js';
import { verifyJcatItem } from './verify.js';

/**
 * Both directions against the real libjcat: files jcat-tool 0.2.3 writes now verify with capstan,
 * and files capstan's tests build by hand verify with `jcat-tool verify`. jcat-tool checks
 * certificate times against the real clock, so these tests do too.
 */
const payload = new TextEncoder().encode('fresh payload for jcat-tool\n');
/** Taken at verification time: a signature made a moment ago is dated after a `now` taken earlier. */
const strict = (): VerifyOptions => ({
  requireChecksum: true,
  requireSignature: true,
  checkTime: true,
  now: new Date(Date.now()),
});

/** A work directory holding the payload and a trust root with the test CA and OpenPGP key. */
function workspace(): {
  dir: string;
  anchorsDir: string;
  keyring: string;
  anchors: ReturnType<typeof loadTrustAnchors>;
} {
  const root = makeRoot({
    'work/firmware.bin': payload,
    'etc/pki/fwupd/test-ca.pem': readPki('test-ca.pem'),
    'etc/pki/fwupd/GPG-KEY-capstan-test': readPki('test-openpgp-public.asc'),
    'keyring/': null,
  });
  const anchors = loadTrustAnchors(createContext({ root }), ['/etc/pki/fwupd']);
  return {
    dir: path.join(root, 'work'),
    anchorsDir: path.join(root, 'etc/pki/fwupd'),
    keyring: path.join(root, 'keyring'),
    anchors,
  };
}

function jcatItem(file: string, id = 'firmware.bin') {
  const item = findJcatItem(parseJcat(new Uint8Array(fs.readFileSync(file))), id);
  if (item === undefined) throw new Error(`no ${id}`);
  return item;
}

describe.skipIf(!haveTool('jcat-tool'))('cross-checks with jcat-tool 0.2.3', () => {
  it('a JCat jcat-tool makes now (self-sign sha256/sha512, sign, --target sha256, import .asc) verifies', async () => {
    const w = workspace();
    const pki = (name: string): string => path.join(PKI_DIR, name);
    fs.writeFileSync(path.join(w.dir, 'firmware.bin.asc'), await signOpenpgp(payload));
    for (const args of [
      ['--kind', 'sha256', 'self-sign', 'out.jcat', 'firmware.bin'],
      ['--kind', 'sha512', 'self-sign', 'out.jcat', 'firmware.bin'],
      [
        '--appstream-id',
        'com.example.Test.firmware',
        'sign',
        'out.jcat',
        'firmware.bin',
        pki('test-signer.pem'),
        pki('test-signer.key'),
      ],
      ['--target', 'sha256', 'sign', 'out.jcat', 'firmware.bin', pki('test-signer.pem'), pki('test-signer.key')],
      ['import', 'out.jcat', 'firmware.bin', 'firmware.bin.asc'],
    ]) {
      const run = runJcatTool(args, w.dir);
      expect(run.status, run.output).toBe(0);
    }
    const item = jcatItem(path.join(w.dir, 'out.jcat'));
    expect(item.blobs.find((blob) => blob.kind === 3)?.appstreamId).toBe('com.example.Test.firmware');
    const result = await verifyJcatItem(item, payload, w.anchors, strict());
    expect(result.signatures.map((r) => [r.kind, r.ok])).toEqual([
      ['pkcs7', true],
      ['pkcs7-of-sha256', true],
      ['gpg', true],
    ]);
    // jcat-tool names the PKCS#7 authority the same way.
    const verify = runJcatTool(['--keyring', w.keyring, '--public-keys', w.anchorsDir, 'verify', 'out.jcat'], w.dir);
    expect(verify.status, verify.output).toBe(0);
    expect(verify.output).toContain(`PASSED pkcs7: ${result.signatures[0]?.authority}`);
    expect(verify.output).toContain('PASSED pkcs7-of-sha256: ');

    fs.appendFileSync(path.join(w.dir, 'firmware.bin'), 'x');
    const tampered = new Uint8Array(fs.readFileSync(path.join(w.dir, 'firmware.bin')));
    await expect(verifyJcatItem(item, tampered, w.anchors, strict())).rejects.toMatchObject({
      code: 'checksum-mismatch',
    });
    expect(runJcatTool(['--public-keys', w.anchorsDir, 'verify', 'out.jcat'], w.dir).status).not.toBe(0);
  });

  it('a JCat built by hand (gzip JSON, pkijs PKCS#7, openpgp.js) verifies with jcat-tool', async () => {
    const w = workspace();
    const der = await signPkcs7Der(payload);
    const digest = new TextEncoder().encode(sha256Blob(payload).Data);
    const target = await signPkcs7Der(digest);
    fs.writeFileSync(
      path.join(w.dir, 'hand.jcat'),
      buildJcat([
        {
          Id: 'firmware.bin',
          Blobs: [
            { ...sha256Blob(payload), Timestamp: 1_767_323_045 },
            sha512Blob(payload),
            { Kind: 3, Flags: 1, Data: pem('PKCS7', der), AppstreamId: 'com.example.Test' },
            { Kind: 3, Flags: 1, Data: pem('PKCS7', target), Target: 1 },
            { Kind: 2, Flags: 1, Data: await signOpenpgp(payload) },
          ],
        },
      ]),
    );
    const run = runJcatTool(['--keyring', w.keyring, '--public-keys', w.anchorsDir, 'verify', 'hand.jcat'], w.dir);
    expect(run.status, run.output).toBe(0);
    for (const line of [
      'PASSED sha256: OK',
      'PASSED sha512: OK',
      'PASSED pkcs7: ',
      'PASSED pkcs7-of-sha256: ',
      'PASSED gpg: ',
    ]) {
      expect(run.output).toContain(line);
    }
    const ours = await verifyJcatItem(jcatItem(path.join(w.dir, 'hand.jcat')), payload, w.anchors, strict());
    expect(ours.signatures.every((r) => r.ok)).toBe(true);
  });

  it('PEM labelled CMS: jcat-tool (GnuTLS) refuses it, capstan accepts it (documented leniency)', async () => {
    const w = workspace();
    const der = await signPkcs7Der(payload);
    fs.writeFileSync(
      path.join(w.dir, 'cms.jcat'),
      buildJcat([{ Id: 'firmware.bin', Blobs: [sha256Blob(payload), { Kind: 3, Flags: 1, Data: pem('CMS', der) }] }]),
    );
    const run = runJcatTool(['--public-keys', w.anchorsDir, 'verify', 'cms.jcat'], w.dir);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/FAILED pkcs7/);
    const ours = await verifyJcatItem(jcatItem(path.join(w.dir, 'cms.jcat')), payload, w.anchors, strict());
    expect(ours.trusted).toBe(true);
  });

  it('the committed expired-signer sample: both fail with time checks, both pass without', async () => {
    const w = workspace();
    fs.writeFileSync(path.join(w.dir, 'firmware.bin'), readSample('firmware.bin'));
    fs.writeFileSync(path.join(w.dir, 'expired.jcat'), readSample('expired.jcat'));
    const timed = runJcatTool(['--public-keys', w.anchorsDir, 'verify', 'expired.jcat'], w.dir);
    expect(timed.status).not.toBe(0);
    const untimed = runJcatTool(
      ['--disable-time-checks', '--public-keys', w.anchorsDir, 'verify', 'expired.jcat'],
      w.dir,
    );
    expect(untimed.status, untimed.output).toBe(0);
    const item = jcatItem(path.join(w.dir, 'expired.jcat'));
    const error = await verifyJcatItem(item, readSample('firmware.bin'), w.anchors, strict()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CapstanError);
    expect((error as CapstanError).code).toBe('signature-invalid');
    const result = await verifyJcatItem(item, readSample('firmware.bin'), w.anchors, { ...strict(), checkTime: false });
    expect(result.trusted).toBe(true);
  });

  it('a CA without KeyUsage: jcat-tool says "failed to get key usage", capstan rejects the anchor', async () => {
    const root = makeRoot({
      'work/firmware.bin': readSample('firmware.bin'),
      'work/no-ku-ca.jcat': readSample('no-ku-ca.jcat'),
      'etc/pki/fwupd/test-ca-no-ku.pem': readPki('test-ca-no-ku.pem'),
    });
    const run = runJcatTool(
      ['--public-keys', path.join(root, 'etc/pki/fwupd'), 'verify', 'no-ku-ca.jcat'],
      path.join(root, 'work'),
    );
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('failed to get key usage');
    const anchors = loadTrustAnchors(createContext({ root }), ['/etc/pki/fwupd']);
    expect(anchors.rejected[0]?.reason).toMatch(
      /^O=Capstan Test,CN=Capstan Test CA without KeyUsage: failed to get key usage/,
    );
    const item = jcatItem(path.join(root, 'work/no-ku-ca.jcat'));
    await expect(verifyJcatItem(item, readSample('firmware.bin'), anchors, strict())).rejects.toMatchObject({
      code: 'signature-invalid',
    });
  });
});

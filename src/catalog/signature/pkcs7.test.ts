import { describe, expect, it } from 'vitest';
import { buildJcat, pem, readPki, sha256Blob, signPkcs7Der } from '../../../test/catalogs/pki/build-jcat.js';
import { parseJcat } from './jcat.js';
import { verifyPkcs7Signature } from './pkcs7.js';
import { type TrustAnchors, trustAnchorsFromFiles } from './trust-anchors.js';
import { verifyJcatItem } from './verify.js';

const content = new TextEncoder().encode('payload signed by pkijs\n');
const NOW = new Date('2030-01-01T00:00:00Z');
const TIME = { checkTime: true, now: NOW };
const NO_TIME = { checkTime: false, now: NOW };

function anchorsOf(...names: string[]): TrustAnchors {
  return trustAnchorsFromFiles(names.map((name) => ({ source: `/pki/${name}`, bytes: Buffer.from(readPki(name)) })));
}
const testCa = anchorsOf('test-ca.pem');
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

describe('verifyPkcs7Signature (signatures made with pkijs)', () => {
  it('verifies PEM labelled PKCS7 and reads signing-time', async () => {
    const der = await signPkcs7Der(content, { signingTime: new Date('2026-03-04T05:06:07Z') });
    const result = await verifyPkcs7Signature(text(pem('PKCS7', der)), content, testCa, TIME);
    expect(result).toEqual({
      kind: 'pkcs7',
      ok: true,
      signer: 'O=Capstan Test,CN=Capstan Test Signer',
      authority: 'O=Capstan Test,CN=Capstan Test CA',
      signedAt: new Date('2026-03-04T05:06:07Z'),
    });
  });

  it('also accepts the CMS label and bare DER (GnuTLS only takes PEM PKCS7)', async () => {
    const der = await signPkcs7Der(content);
    await expect(verifyPkcs7Signature(text(pem('CMS', der)), content, testCa, TIME)).resolves.toMatchObject({
      ok: true,
    });
    await expect(verifyPkcs7Signature(der, content, testCa, TIME)).resolves.toMatchObject({ ok: true });
  });

  it('in a JCat: Flags 0 with base64 of DER, and base64 of the PEM text, both verify', async () => {
    const der = await signPkcs7Der(content);
    const jcat = buildJcat([
      {
        Id: 'a.bin',
        Blobs: [
          sha256Blob(content),
          { Kind: 3, Flags: 0, Data: Buffer.from(der).toString('base64') },
          { Kind: 3, Flags: 0, Data: Buffer.from(pem('PKCS7', der)).toString('base64') },
        ],
      },
    ]);
    const item = parseJcat(jcat).items[0];
    if (item === undefined) throw new Error('no item');
    const result = await verifyJcatItem(item, content, testCa, {
      requireChecksum: true,
      requireSignature: true,
      ...TIME,
    });
    expect(result.signatures.map((r) => r.ok)).toEqual([true, true]);
  });

  it('without signed attributes: valid verifies, tampered fails (pkijs returns false, no throw)', async () => {
    const der = await signPkcs7Der(content, { noSignedAttributes: true });
    const good = await verifyPkcs7Signature(der, content, testCa, TIME);
    expect(good).toMatchObject({ ok: true, signer: 'O=Capstan Test,CN=Capstan Test Signer' });
    expect(good.signedAt).toBeUndefined();
    const bad = await verifyPkcs7Signature(der, text('tampered'), testCa, TIME);
    expect(bad).toMatchObject({ ok: false, reason: 'signature verification failed: the data does not match' });
  });

  it('with signed attributes, tampered data fails on the message digest', async () => {
    const der = await signPkcs7Der(content);
    const bad = await verifyPkcs7Signature(der, text('tampered'), testCa, TIME);
    expect(bad.reason).toBe("signature verification failed: message digest doesn't match");
  });

  it('refuses attached signatures, missing certificates and SHA-1', async () => {
    const attached = await signPkcs7Der(content, { attached: true });
    expect((await verifyPkcs7Signature(attached, content, testCa, TIME)).reason).toBe(
      'not a detached signature: the SignedData carries its own content',
    );
    const bare = await signPkcs7Der(content, { omitCertificate: true });
    expect((await verifyPkcs7Signature(bare, content, testCa, TIME)).reason).toBe(
      'no certificates are embedded in the signature',
    );
    const sha1 = await signPkcs7Der(content, { hash: 'SHA-1' });
    expect((await verifyPkcs7Signature(sha1, content, testCa, TIME)).reason).toBe(
      'unsupported digest algorithm 1.3.14.3.2.26',
    );
  });

  it('a signer that is itself an anchor verifies; its own validity still counts with time checks', async () => {
    const der = await signPkcs7Der(content);
    await expect(verifyPkcs7Signature(der, content, anchorsOf('test-signer.pem'), TIME)).resolves.toMatchObject({
      ok: true,
    });
    const expired = await signPkcs7Der(content, { signer: 'test-signer-expired' });
    const anchors = anchorsOf('test-signer-expired.pem');
    expect((await verifyPkcs7Signature(expired, content, anchors, TIME)).reason).toBe(
      'the signer certificate is not yet valid or expired',
    );
    await expect(verifyPkcs7Signature(expired, content, anchors, NO_TIME)).resolves.toMatchObject({ ok: true });
  });

  it('chains to the right anchor among several, and names the failure for the wrong one', async () => {
    const der = await signPkcs7Der(content);
    const both = anchorsOf('test-wrong-ca.pem', 'test-ca.pem');
    await expect(verifyPkcs7Signature(der, content, both, TIME)).resolves.toMatchObject({ ok: true });
    const wrong = await verifyPkcs7Signature(der, content, anchorsOf('test-wrong-ca.pem'), TIME);
    expect(wrong.ok).toBe(false);
    expect(wrong.reason).toMatch(/^signer certificate not trusted: /);
    expect(wrong.signer).toBe('O=Capstan Test,CN=Capstan Test Signer');
  });

  it('time checks off does not leak into the anchors used afterwards', async () => {
    const expired = await signPkcs7Der(content, { signer: 'test-signer-expired' });
    await expect(verifyPkcs7Signature(expired, content, testCa, NO_TIME)).resolves.toMatchObject({ ok: true });
    const again = await verifyPkcs7Signature(expired, content, testCa, TIME);
    expect(again.reason).toMatch(/not yet valid or expired/);
    expect(testCa.x509[0]?.certificate.notBefore.value.getUTCFullYear()).toBe(2025);
  });

  it.each([
    [
      'a PEM certificate instead',
      text(readPki('test-ca.pem')),
      /^no PEM block labelled PKCS7 or CMS \(found CERTIFICATE\)$/,
    ],
    ['text', text('hello'), /^neither PEM nor DER PKCS#7 data$/],
    ['truncated DER', new Uint8Array([0x30, 0x82, 0x05, 0x00, 0x06]), /^not DER: /],
    [
      'a DER certificate',
      Buffer.from(readPki('test-ca.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64'),
      /^not PKCS#7/,
    ],
    ['bad base64 in PEM', text('-----BEGIN PKCS7-----\n%%%%\n-----END PKCS7-----\n'), /not valid base64/],
    ['an empty SEQUENCE', new Uint8Array([0x30, 0x00, 0x00]), /^(not DER|trailing bytes|not PKCS#7)/],
  ])('reports %s as a reason, never an exception', async (_name, bytes, reason) => {
    const result = await verifyPkcs7Signature(bytes, content, testCa, TIME);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(reason);
  });

  it('an empty payload cannot be verified (pkijs needs detached data); it fails closed', async () => {
    const der = await signPkcs7Der(content);
    const result = await verifyPkcs7Signature(der, new Uint8Array(0), testCa, TIME);
    expect(result).toMatchObject({
      ok: false,
      reason: 'signature verification failed: missed detached data input array',
    });
  });
});

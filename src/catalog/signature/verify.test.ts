import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildJcat, gzipJson, readPki, readSample, sha256Blob } from '../../../test/catalogs/pki/build-jcat.js';
import { CapstanError } from '../../core/errors.js';
import { findJcatItem, type JcatItem, parseJcat } from './jcat.js';
import { type TrustAnchors, trustAnchorsFromFiles } from './trust-anchors.js';
import type { VerifyOptions } from './types.js';
import { verifyJcatItem } from './verify.js';

/** Committed samples were made by jcat-tool 0.2.3 (test/catalogs/jcat/make-samples.sh). */
const payload = readSample('firmware.bin');
const NOW = new Date('2030-01-01T00:00:00Z');
const STRICT: VerifyOptions = { requireChecksum: true, requireSignature: true, checkTime: true, now: NOW };
const CAB_PAYLOAD: VerifyOptions = { ...STRICT, checkTime: false };

function anchorsOf(...names: string[]): TrustAnchors {
  return trustAnchorsFromFiles(
    names.map((name) => ({ source: `/etc/pki/fwupd/${name}`, bytes: Buffer.from(readPki(name)) })),
  );
}
const testCa = anchorsOf('test-ca.pem', 'test-openpgp-public.asc');
const wrongCa = anchorsOf('test-wrong-ca.pem', 'test-openpgp-wrong-public.asc');

function sampleItem(name: string, id = 'firmware.bin'): JcatItem {
  const item = findJcatItem(parseJcat(readSample(name)), id);
  if (item === undefined) throw new Error(`no ${id} in ${name}`);
  return item;
}

/** Rewrites a sample's JSON (after gunzip) and parses it again, as an attacker editing the file would. */
function editedItem(
  name: string,
  edit: (json: { Items: { Blobs: { Kind: number; Data: string }[] }[] }) => void,
): JcatItem {
  const json = JSON.parse(gunzipSync(readSample(name)).toString('utf8'));
  edit(json);
  const item = parseJcat(gzipJson(json)).items[0];
  if (item === undefined) throw new Error('no item');
  return item;
}

async function rejection(promise: Promise<unknown>): Promise<CapstanError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CapstanError);
    return error as CapstanError;
  }
  throw new Error('expected a rejection');
}

describe('verifyJcatItem on JCat files made by jcat-tool', () => {
  it('passes sha256 + sha512 + pkcs7 + pkcs7-of-sha256 + gpg, skipping sha1', async () => {
    const result = await verifyJcatItem(sampleItem('firmware.jcat'), payload, testCa, STRICT);
    expect(result.trusted).toBe(true);
    expect(result.checksums).toEqual([
      { kind: 'sha256', ok: true },
      { kind: 'sha512', ok: true },
    ]);
    expect(result.signatures.map((r) => [r.kind, r.ok, r.reason])).toEqual([
      ['pkcs7', true, undefined],
      ['pkcs7-of-sha256', true, undefined],
      ['gpg', true, undefined],
    ]);
    expect(result.signatures[0]).toMatchObject({
      signer: 'O=Capstan Test,CN=Capstan Test Signer',
      authority: 'O=Capstan Test,CN=Capstan Test CA',
    });
    expect(result.signatures[2]?.signer).toMatch(
      /^[0-9A-F]{40} \(Capstan Test Signing Key <test-signing@capstan\.invalid>\)$/,
    );
    const signedAt = result.signatures.map((r) => r.signedAt?.getTime() ?? 0);
    expect(Math.min(...signedAt)).toBeGreaterThan(Date.parse('2025-01-01'));
    expect(result.newestSignature?.getTime()).toBe(Math.max(...signedAt));
  });

  it('pkcs7 signing-time matches the Timestamp jcat-tool wrote (within a few seconds)', async () => {
    const item = sampleItem('firmware.jcat');
    const result = await verifyJcatItem(item, payload, testCa, STRICT);
    const timestamp = item.blobs.find((b) => b.kind === 3)?.timestamp ?? 0;
    expect(Math.abs((result.signatures[0]?.signedAt?.getTime() ?? 0) / 1000 - timestamp)).toBeLessThan(5);
  });

  it('a tampered payload is checksum-mismatch, naming both digests', async () => {
    const tampered = Buffer.concat([payload, Buffer.from('x')]);
    const error = await rejection(verifyJcatItem(sampleItem('firmware.jcat'), tampered, testCa, STRICT));
    const expected = createHash('sha256').update(payload).digest('hex');
    const actual = createHash('sha256').update(tampered).digest('hex');
    expect(error.code).toBe('checksum-mismatch');
    expect(error.message).toBe(
      `failed to verify firmware.bin: sha256 checksum failure: failed to verify data, expected ${expected} and got ${actual}`,
    );
    expect(error.hint).toMatch(/^download the file again/);
    expect(error.details?.checksums).toEqual([
      expect.objectContaining({ kind: 'sha256', ok: false }),
      expect.objectContaining({ kind: 'sha512', ok: false }),
    ]);
  });

  it('a digest edited inside the .jcat is checksum-mismatch', async () => {
    const item = editedItem('firmware.jcat', (json) => {
      const blob = json.Items[0]?.Blobs.find((b) => b.Kind === 10);
      if (blob) blob.Data = `0${blob.Data.slice(1)}`.replace(/^00/, '01');
    });
    const error = await rejection(verifyJcatItem(item, payload, testCa, STRICT));
    expect(error.code).toBe('checksum-mismatch');
    expect(error.message).toMatch(/^failed to verify firmware\.bin: sha512 checksum failure/);
  });

  it('checksums are compared case-insensitively (libjcat writes lower case)', async () => {
    const item = editedItem('firmware.jcat', (json) => {
      for (const blob of json.Items[0]?.Blobs ?? []) if (blob.Kind === 1) blob.Data = blob.Data.toUpperCase();
    });
    await expect(verifyJcatItem(item, payload, testCa, STRICT)).resolves.toMatchObject({ trusted: true });
  });

  it('wrong CA (and wrong OpenPGP key) is signature-invalid with every blob reason', async () => {
    const error = await rejection(verifyJcatItem(sampleItem('firmware.jcat'), payload, wrongCa, STRICT));
    expect(error.code).toBe('signature-invalid');
    expect(error.message).toMatch(
      /^failed to verify firmware\.bin: no signature verified against the trust anchors \(pkcs7: /,
    );
    const signatures = error.details?.signatures as { kind: string; ok: boolean; reason: string }[];
    expect(signatures.map((s) => [s.kind, s.ok])).toEqual([
      ['pkcs7', false],
      ['pkcs7-of-sha256', false],
      ['gpg', false],
    ]);
    expect(signatures[0]?.reason).toMatch(/^signer certificate not trusted: /);
    expect(signatures[2]?.reason).toMatch(/^signature verification failed: could not find signing key/i);
    expect(error.hint).toMatch(/\/etc\/pki\/fwupd/);
  });

  it('without requireSignature, untrusted signatures are reported, not thrown', async () => {
    const result = await verifyJcatItem(sampleItem('firmware.jcat'), payload, wrongCa, {
      ...STRICT,
      requireSignature: false,
    });
    expect(result.trusted).toBe(false);
    expect(result.newestSignature).toBeUndefined();
    expect(result.signatures.every((r) => !r.ok && r.reason !== undefined)).toBe(true);
  });

  it('no anchors at all is signature-invalid, saying none are installed', async () => {
    const error = await rejection(verifyJcatItem(sampleItem('firmware.jcat'), payload, anchorsOf(), STRICT));
    expect(error.code).toBe('signature-invalid');
    expect(error.message).toMatch(/pkcs7: no X\.509 trust anchors are installed/);
    expect(error.message).toMatch(/gpg: no OpenPGP trust anchors are installed/);
  });

  it('a pkcs7-only item with requireChecksum is signature-missing ("checksums were required")', async () => {
    const item = sampleItem('signature-only.jcat');
    const error = await rejection(verifyJcatItem(item, payload, testCa, STRICT));
    expect(error.code).toBe('signature-missing');
    expect(error.message).toBe(
      'failed to verify firmware.bin: checksums were required, but none supported (blobs: pkcs7)',
    );
    const relaxed = await verifyJcatItem(item, payload, testCa, { ...STRICT, requireChecksum: false });
    expect(relaxed).toMatchObject({ trusted: true, checksums: [] });
  });

  it('sha1 + pkcs7 fails like fwupd: sha1 is not an allowed checksum', async () => {
    const error = await rejection(verifyJcatItem(sampleItem('sha1-pkcs7.jcat'), payload, testCa, STRICT));
    expect(error.code).toBe('signature-missing');
    expect(error.message).toMatch(/checksums were required, but none supported \(blobs: sha1, pkcs7\)$/);
  });

  it('a signer whose CA lacks KeyUsage fails: that CA is rejected as an anchor', async () => {
    const anchors = anchorsOf('test-ca-no-ku.pem');
    expect(anchors.x509).toEqual([]);
    expect(anchors.rejected[0]?.reason).toMatch(/failed to get key usage/);
    const error = await rejection(verifyJcatItem(sampleItem('no-ku-ca.jcat'), payload, anchors, STRICT));
    expect(error.code).toBe('signature-invalid');
    expect(error.message).toMatch(/pkcs7: no X\.509 trust anchors are installed/);
    const withGoodCa = await rejection(verifyJcatItem(sampleItem('no-ku-ca.jcat'), payload, testCa, STRICT));
    expect(withGoodCa.code).toBe('signature-invalid');
  });

  it('an expired signer fails with time checks and passes without (cabinet payloads)', async () => {
    const item = sampleItem('expired.jcat');
    const error = await rejection(verifyJcatItem(item, payload, testCa, STRICT));
    expect(error.code).toBe('signature-invalid');
    expect(error.message).toMatch(
      /pkcs7: signer certificate not trusted: the certificate is either not yet valid or expired/,
    );
    const result = await verifyJcatItem(item, payload, testCa, CAB_PAYLOAD);
    expect(result.trusted).toBe(true);
    expect(result.signatures[0]?.signer).toBe('O=Capstan Test,CN=Capstan Expired Test Signer');
  });

  it('time checks use the injected clock, not the wall clock', async () => {
    const item = sampleItem('firmware.jcat');
    const before = { ...STRICT, now: new Date('2024-06-01T00:00:00Z') };
    const error = await rejection(verifyJcatItem(item, payload, testCa, before));
    expect(error.message).toMatch(/not yet valid or expired/);
    expect(error.message).toMatch(/gpg: signature verification failed: /);
  });

  it('an item with no blobs is signature-missing', async () => {
    const error = await rejection(verifyJcatItem({ id: 'x.bin', aliasIds: [], blobs: [] }, payload, testCa, STRICT));
    expect(error.code).toBe('signature-missing');
    expect(error.message).toBe('failed to verify x.bin: the JCat item has no blobs');
  });

  it('checksums only, with requireSignature, is signature-missing', async () => {
    const item = parseJcat(buildJcat([{ Id: 'firmware.bin', Blobs: [sha256Blob(payload)] }])).items[0];
    if (item === undefined) throw new Error('no item');
    const error = await rejection(verifyJcatItem(item, payload, testCa, STRICT));
    expect(error.code).toBe('signature-missing');
    expect(error.message).toMatch(/signatures were required, but none supported \(blobs: sha256\)$/);
    await expect(verifyJcatItem(item, payload, testCa, { ...STRICT, requireSignature: false })).resolves.toEqual({
      checksums: [{ kind: 'sha256', ok: true }],
      signatures: [],
      trusted: false,
    });
  });

  it('ed25519 and unknown kinds are skipped, not failed', async () => {
    const item = editedItem('firmware.jcat', (json) => {
      json.Items[0]?.Blobs.push(
        { Kind: 9, Data: 'AAAA', Flags: 0 } as never,
        { Kind: 77, Data: 'x', Flags: 1 } as never,
      );
    });
    const result = await verifyJcatItem(item, payload, testCa, STRICT);
    expect(result.signatures.map((r) => r.kind)).toEqual(['pkcs7', 'pkcs7-of-sha256', 'gpg']);
  });

  it('a large payload given as digests: Target signatures verify, payload signatures cannot', async () => {
    const digests = {
      sha256: createHash('sha256').update(payload).digest('hex').toUpperCase(),
      sha512: createHash('sha512').update(payload).digest('hex'),
    };
    const result = await verifyJcatItem(sampleItem('firmware.jcat'), digests, testCa, STRICT);
    expect(result.trusted).toBe(true);
    expect(result.signatures.map((r) => [r.kind, r.ok, r.reason])).toEqual([
      ['pkcs7', false, 'signs the payload bytes, but only the payload digests were given'],
      ['pkcs7-of-sha256', true, undefined],
      ['gpg', false, 'signs the payload bytes, but only the payload digests were given'],
    ]);
  });

  it('a Target signature over another payload digest fails', async () => {
    const item = sampleItem('firmware.jcat');
    const onlyTarget = { ...item, blobs: item.blobs.filter((b) => b.kind === 3 && b.target === 1) };
    const other = new TextEncoder().encode('other');
    const result = await verifyJcatItem(onlyTarget, other, testCa, {
      ...STRICT,
      requireChecksum: false,
      requireSignature: false,
    });
    expect(result.signatures[0]).toMatchObject({ kind: 'pkcs7-of-sha256', ok: false });
    expect(result.signatures[0]?.reason).toMatch(/message digest doesn't match/i);
    const badTarget = { ...onlyTarget, blobs: onlyTarget.blobs.map((b) => ({ ...b, target: 4 })) };
    const sha1Target = await verifyJcatItem(badTarget, payload, testCa, {
      ...STRICT,
      requireChecksum: false,
      requireSignature: false,
    });
    expect(sha1Target.signatures[0]).toEqual({ kind: 'pkcs7-of-sha1', ok: false, reason: 'unsupported Target kind 4' });
  });

  it('metadata-style item found by alias verifies the same way', async () => {
    const file = parseJcat(readSample('metadata.jcat'));
    const item = findJcatItem(file, 'firmware.xml.zst');
    if (item === undefined) throw new Error('no item');
    await expect(verifyJcatItem(item, payload, testCa, STRICT)).resolves.toMatchObject({ trusted: true });
  });
});

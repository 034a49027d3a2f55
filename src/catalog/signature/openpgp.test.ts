import { describe, expect, it } from 'vitest';
import { readPki, readSample, signOpenpgp } from '../../../test/catalogs/pki/build-jcat.js';
import { verifyDetachedOpenpgp, verifyOpenpgpSignature } from './openpgp.js';
import { type TrustAnchors, trustAnchorsFromFiles } from './trust-anchors.js';

const payload = readSample('firmware.bin');
/** Made by gpg 2.2 (test/catalogs/jcat/make-samples.sh), as LVFS writes `<payload>.asc`. */
const gpgSignature = readSample('firmware.bin.asc');
const NOW = new Date('2030-01-01T00:00:00Z');

function anchorsOf(...files: [string, string][]): TrustAnchors {
  return trustAnchorsFromFiles(
    files.map(([name, text]) => ({ source: `/etc/pki/fwupd/${name}`, bytes: Buffer.from(text) })),
  );
}
const testKey = anchorsOf(['GPG-KEY-capstan-test', readPki('test-openpgp-public.asc')]);
const wrongKey = anchorsOf(['GPG-KEY-wrong', readPki('test-openpgp-wrong-public.asc')]);

describe('OpenPGP detached signatures', () => {
  it('verifies a gpg-made .asc and names the key', async () => {
    const result = await verifyDetachedOpenpgp(gpgSignature, payload, testKey);
    expect(result.ok).toBe(true);
    expect(result.kind).toBe('gpg');
    expect(result.signer).toMatch(/^[0-9A-F]{40} \(Capstan Test Signing Key <test-signing@capstan\.invalid>\)$/);
    expect(result.authority).toMatch(/^[0-9A-F]{40}$/);
    expect(result.signedAt?.getTime()).toBeGreaterThan(Date.parse('2025-01-01'));
  });

  it('fails for the wrong key and for a tampered payload', async () => {
    const wrong = await verifyDetachedOpenpgp(gpgSignature, payload, wrongKey);
    expect(wrong.ok).toBe(false);
    expect(wrong.reason).toMatch(
      /^signature verification failed: could not find signing key with key ID [0-9a-f]{16}$/i,
    );
    const tampered = await verifyDetachedOpenpgp(gpgSignature, new TextEncoder().encode('tampered'), testKey);
    expect(tampered).toMatchObject({ ok: false, reason: expect.stringMatching(/^signature verification failed: /) });
  });

  it('accepts a binary (dearmoured) signature and an openpgp.js one', async () => {
    const openpgp = await import('openpgp');
    const binary = (await openpgp.readSignature({ armoredSignature: new TextDecoder().decode(gpgSignature) })).write();
    await expect(verifyDetachedOpenpgp(binary as Uint8Array, payload, testKey)).resolves.toMatchObject({ ok: true });
    const made = await signOpenpgp(payload);
    await expect(verifyDetachedOpenpgp(new TextEncoder().encode(made), payload, testKey)).resolves.toMatchObject({
      ok: true,
    });
  });

  it('every signature packet must verify', async () => {
    const openpgp = await import('openpgp');
    const signingKeys = await Promise.all(
      ['test-openpgp-secret.key', 'test-openpgp-wrong-secret.key'].map((name) =>
        openpgp.readPrivateKey({ armoredKey: readPki(name) }),
      ),
    );
    const message = await openpgp.createMessage({ binary: payload });
    const both = new TextEncoder().encode(await openpgp.sign({ message, signingKeys, detached: true }));
    const oneKnown = await verifyDetachedOpenpgp(both, payload, testKey);
    expect(oneKnown.ok).toBe(false);
    const bothKnown = anchorsOf(
      ['GPG-KEY-a', readPki('test-openpgp-public.asc')],
      ['GPG-KEY-b', readPki('test-openpgp-wrong-public.asc')],
    );
    await expect(verifyDetachedOpenpgp(both, payload, bothKnown)).resolves.toMatchObject({ ok: true });
  });

  it('with time checks, a signature from the future fails; without, it passes', async () => {
    const before = new Date('2024-01-01T00:00:00Z');
    const timed = await verifyOpenpgpSignature(gpgSignature, payload, testKey, { checkTime: true, now: before });
    expect(timed.ok).toBe(false);
    expect(timed.reason).toMatch(/signature verification failed: /);
    const untimed = await verifyOpenpgpSignature(gpgSignature, payload, testKey, { checkTime: false, now: before });
    expect(untimed.ok).toBe(true);
    const now = await verifyOpenpgpSignature(gpgSignature, payload, testKey, { checkTime: true, now: NOW });
    expect(now.ok).toBe(true);
  });

  it('reports garbage signatures and unusable keys as reasons', async () => {
    const garbage = await verifyDetachedOpenpgp(new TextEncoder().encode('not a signature'), payload, testKey);
    expect(garbage).toMatchObject({ ok: false, reason: expect.stringMatching(/^not an OpenPGP signature: /) });
    const armour = '-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n';
    const broken = await verifyDetachedOpenpgp(new TextEncoder().encode(armour), payload, testKey);
    expect(broken.ok).toBe(false);
    const badKey = anchorsOf([
      'GPG-KEY-broken',
      '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n',
    ]);
    const noKey = await verifyDetachedOpenpgp(gpgSignature, payload, badKey);
    expect(noKey.reason).toMatch(/^no usable OpenPGP trust anchors \(\/etc\/pki\/fwupd\/GPG-KEY-broken: /);
    const none = await verifyDetachedOpenpgp(gpgSignature, payload, anchorsOf());
    expect(none.reason).toBe('no OpenPGP trust anchors are installed');
  });
});

// Signed JCat for the benchmark catalog, made the way LVFS publishes metadata signatures
// (jcat-and-signatures.md §1, §6): gzip of compact JSON, one item with Id
// `firmware-NNNNN-stable.xml.zst` and AliasIds ["firmware.xml.zst"], blobs sha1 (Kind 4), sha256
// (Kind 1) and a detached PKCS#7 (Kind 3, PEM labelled PKCS7, signer certificate embedded,
// signingTime attribute), all Flags 1 (UTF-8 text).
//
// The PKCS#7 is made by `openssl cms -sign` with the committed TEST-ONLY signer
// (test/catalogs/pki/test-signer.{pem,key}, issued by test-ca.pem). OpenSSL labels PEM output
// `CMS`; libjcat's GnuTLS engine only imports `PKCS7`, so the label is rewritten (same DER).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** Detached PKCS#7 (SHA-256, signer certificate embedded) as PEM labelled PKCS7. */
export function signPkcs7Pem(payload, { cert, key }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'capstan-bench-sign-'));
  try {
    const input = path.join(dir, 'payload');
    const output = path.join(dir, 'sig.pem');
    writeFileSync(input, payload);
    const r = spawnSync(
      'openssl',
      [
        'cms',
        '-sign',
        '-binary',
        '-md',
        'sha256',
        '-in',
        input,
        '-signer',
        cert,
        '-inkey',
        key,
        '-outform',
        'PEM',
        '-out',
        output,
      ],
      { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } },
    );
    if (r.status !== 0) throw new Error(`openssl cms -sign failed (${r.status}): ${r.stderr}`);
    return readFileSync(output, 'utf8').replace(/-----(BEGIN|END) CMS-----/g, '-----$1 PKCS7-----');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The gzip-compressed JCat file for one metadata payload. */
export function buildMetadataJcat(payload, { id, aliasIds, cert, key, timestamp = Math.floor(Date.now() / 1000) }) {
  const hex = (algo) => createHash(algo).update(payload).digest('hex');
  const jcat = {
    JcatVersionMajor: 0,
    JcatVersionMinor: 1,
    Items: [
      {
        Id: id,
        AliasIds: aliasIds,
        Blobs: [
          { Kind: 4, Flags: 1, Timestamp: timestamp, Data: hex('sha1') },
          { Kind: 1, Flags: 1, Timestamp: timestamp, Data: hex('sha256') },
          {
            Kind: 3,
            Flags: 1,
            Timestamp: timestamp,
            AppstreamId: 'org.capstan.bench',
            Data: signPkcs7Pem(payload, { cert, key }),
          },
        ],
      },
    ],
  };
  return gzipSync(JSON.stringify(jcat));
}

/**
 * Independent check with libjcat itself (`jcat-tool verify`, the library fwupd uses): sha256 and
 * pkcs7 must both PASS against the CA directory. Returns the tool output; throws on failure.
 */
export function verifyWithJcatTool({ jcatFile, payloadDir, caDir, home }) {
  const r = spawnSync('jcat-tool', ['--public-keys', caDir, 'verify', jcatFile], {
    cwd: payloadDir,
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8' },
    timeout: 60_000,
  });
  const output = `${r.stdout}${r.stderr}`;
  if (r.status !== 0 || !/PASSED\s+sha256/.test(output) || !/PASSED\s+pkcs7/.test(output) || /FAILED/.test(output)) {
    throw new Error(`jcat-tool verify did not pass (status ${r.status}):\n${output}`);
  }
  return output.trim();
}

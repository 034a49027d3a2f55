import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildJcat, pem, type RawBlob, readPki, sha256Blob, signPkcs7Der } from './pki/build-jcat.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The §8 example catalog (one component, one release) as UTF-8 XML. */
export function exampleCatalogXml(): Uint8Array {
  return fs.readFileSync(path.join(HERE, 'appstream/lvfs-example.xml'));
}

export type Packing = 'gz' | 'xz' | 'zst';

export function pack(xml: Uint8Array, packing: Packing): Uint8Array {
  if (packing === 'gz') return gzipSync(xml);
  const tool = packing === 'xz' ? 'xz' : 'zstd';
  const result = spawnSync(tool, ['-c', '-q'], { input: xml });
  if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr}`);
  return new Uint8Array(result.stdout);
}

/** A JCat item for `id` with a sha256 blob and a PKCS#7 signature by the test signer (or none). */
export async function signMetadata(
  id: string,
  bytes: Uint8Array,
  options: { signer?: string | null; signingTime?: Date; aliasIds?: string[]; signedContent?: Uint8Array } = {},
): Promise<Uint8Array> {
  const blobs: RawBlob[] = [sha256Blob(bytes)];
  if (options.signer !== null) {
    const der = await signPkcs7Der(options.signedContent ?? bytes, {
      signer: options.signer ?? 'test-signer',
      signingTime: options.signingTime ?? new Date('2026-11-20T10:00:00Z'),
    });
    blobs.push({ Kind: 3, Flags: 1, Data: pem('PKCS7', der), Timestamp: 1795600000 });
  }
  return buildJcat([
    { Id: id, ...(options.aliasIds === undefined ? {} : { AliasIds: options.aliasIds }), Blobs: blobs },
  ]);
}

export function testCaPem(name = 'test-ca.pem'): string {
  return readPki(name);
}

import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { haveTool } from '../../test/helpers/tools.js';
import { CapstanError } from '../core/errors.js';
import { decompressMetadata, detectCompression } from './decompress.js';

const XML = Buffer.from(
  `<?xml version="1.0"?>\n<components origin="lvfs">${'<component/>'.repeat(2000)}</components>\n`,
);

function compressWith(tool: string): Buffer {
  const result = spawnSync(tool, ['-c', '-q'], { input: XML });
  if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr}`);
  return result.stdout;
}

describe('metadata decompression', () => {
  it('detects by magic', () => {
    expect(detectCompression(gzipSync(XML))).toBe('gzip');
    expect(detectCompression(XML)).toBe('none');
  });

  it('gunzips', async () => {
    expect(Buffer.from(await decompressMetadata(gzipSync(XML), 1 << 20, 'f.xml.gz')).equals(XML)).toBe(true);
  });

  it.skipIf(!haveTool('xz'))('reads what xz wrote', async () => {
    const packed = compressWith('xz');
    expect(detectCompression(packed)).toBe('xz');
    expect(Buffer.from(await decompressMetadata(packed, 1 << 20, 'f.xml.xz')).equals(XML)).toBe(true);
  });

  it.skipIf(!haveTool('zstd'))('reads what zstd wrote', async () => {
    const packed = compressWith('zstd');
    expect(detectCompression(packed)).toBe('zstd');
    expect(Buffer.from(await decompressMetadata(packed, 1 << 20, 'f.xml.zst')).equals(XML)).toBe(true);
  });

  it.each([
    ['gzip', () => gzipSync(XML)],
    ['xz', () => compressWith('xz')],
    ['zstd', () => compressWith('zstd')],
  ])('bounds the %s output size', async (_kind, make) => {
    await expect(decompressMetadata(make(), 1000, 'f')).rejects.toMatchObject({ code: 'metainfo-invalid' });
  });

  it.each([
    ['gzip', Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('garbage')])],
    ['xz', Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.from('garbage')])],
    ['zstd', Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.from('garbage')])],
  ])('turns a corrupt %s stream into a typed error', async (_kind, bytes) => {
    const error = await decompressMetadata(bytes, 1 << 20, 'f').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CapstanError);
    expect((error as CapstanError).code).toBe('metainfo-invalid');
  });
});

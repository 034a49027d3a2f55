import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { CapstanError } from '../core/errors.js';

export type Compression = 'gzip' | 'xz' | 'zstd' | 'none';

/** By magic, not by name (lvfs-metadata.md §2): gzip 1f 8b, xz fd 37 7a 58 5a 00, zstd 28 b5 2f fd. */
export function detectCompression(bytes: Uint8Array): Compression {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if ([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00].every((b, i) => bytes[i] === b)) return 'xz';
  if ([0x28, 0xb5, 0x2f, 0xfd].every((b, i) => bytes[i] === b)) return 'zstd';
  return 'none';
}

/**
 * Decompresses verified metadata. Called only after the signature check; still bounded, so a
 * hostile but correctly signed file cannot exhaust memory.
 */
export async function decompressMetadata(bytes: Uint8Array, maxBytes: number, shownName: string): Promise<Uint8Array> {
  const kind = detectCompression(bytes);
  const fail = (error: unknown): never => {
    throw new CapstanError(
      'metainfo-invalid',
      `decompressing ${shownName} (${kind}): ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: 'the metadata is corrupt even though it verified; report it to the remote\u2019s owner',
        cause: error,
      },
    );
  };
  let out: Uint8Array;
  try {
    switch (kind) {
      case 'none':
        out = bytes;
        break;
      case 'gzip':
        out = gunzipSync(bytes, { maxOutputLength: maxBytes + 1 });
        break;
      case 'zstd': {
        const { decompress } = await import('fzstd');
        out = decompress(bytes);
        break;
      }
      case 'xz':
        out = await decompressXz(bytes, maxBytes);
        break;
    }
  } catch (error) {
    if (error instanceof CapstanError) throw error;
    return fail(error);
  }
  if (out.length > maxBytes) {
    throw new CapstanError('metainfo-invalid', `${shownName} expands to more than ${maxBytes} bytes`, {
      hint: 'the metadata is unexpectedly large; report it to the remote\u2019s owner',
    });
  }
  return out;
}

async function decompressXz(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const XzReadableStream = await loadXzReadableStream();
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = (new XzReadableStream(input) as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new CapstanError('metainfo-invalid', `xz metadata expands to more than ${maxBytes} bytes`, {
        hint: 'the metadata is unexpectedly large; report it to the remote\u2019s owner',
      });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * The same, as a stream of chunks, so that a catalog of tens of MB is parsed while it is being
 * decompressed and never held whole. Bounded like decompressMetadata.
 */
export async function* decompressMetadataStream(
  bytes: Uint8Array,
  maxBytes: number,
  shownName: string,
): AsyncGenerator<Uint8Array> {
  const kind = detectCompression(bytes);
  let total = 0;
  const account = (chunk: Uint8Array): Uint8Array => {
    total += chunk.length;
    if (total > maxBytes) {
      throw new CapstanError('metainfo-invalid', `${shownName} expands to more than ${maxBytes} bytes`, {
        hint: 'the metadata is unexpectedly large; report it to the remote\u2019s owner',
      });
    }
    return chunk;
  };
  try {
    if (kind === 'none') {
      for (let at = 0; at < bytes.length; at += 1 << 20) yield account(bytes.subarray(at, at + (1 << 20)));
    } else if (kind === 'gzip') {
      const gunzip = createGunzip({ chunkSize: 1 << 18 });
      const input = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
      for await (const chunk of input.pipe(gunzip)) yield account(chunk as Buffer);
    } else if (kind === 'zstd') {
      const { Decompress } = await import('fzstd');
      const out: Uint8Array[] = [];
      const stream = new Decompress((chunk) => {
        out.push(chunk);
      });
      for (let at = 0; at < bytes.length; at += 1 << 20) {
        const end = Math.min(bytes.length, at + (1 << 20));
        stream.push(bytes.subarray(at, end), end === bytes.length);
        while (out.length > 0) yield account(out.shift() as Uint8Array);
      }
    } else {
      const XzReadableStream = await loadXzReadableStream();
      const input = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      });
      const reader = (new XzReadableStream(input) as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        yield account(value);
      }
    }
  } catch (error) {
    if (error instanceof CapstanError) throw error;
    throw new CapstanError(
      'metainfo-invalid',
      `decompressing ${shownName} (${kind}): ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: 'the metadata is corrupt even though it verified; report it to the remote\u2019s owner',
        cause: error,
      },
    );
  }
}

/** xz-decompress is CommonJS: plain Node exposes it as `default` on a dynamic import. */
async function loadXzReadableStream(): Promise<typeof import('xz-decompress').XzReadableStream> {
  const module = (await import('xz-decompress')) as typeof import('xz-decompress') & {
    default?: typeof import('xz-decompress');
  };
  const XzReadableStream = module.XzReadableStream ?? module.default?.XzReadableStream;
  if (XzReadableStream === undefined) throw new Error('xz-decompress has no XzReadableStream export');
  return XzReadableStream;
}

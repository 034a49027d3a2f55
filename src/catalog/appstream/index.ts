import { CapstanError } from '../../core/errors.js';
import { AppstreamParser } from './parse.js';
import type { CatalogOptions, CatalogSummary, Component } from './types.js';

export { describeDownload, describePayload } from './payload.js';
export { parseRequirement } from './requirements.js';
export type {
  Artifact,
  ArtifactType,
  CatalogOptions,
  CatalogSummary,
  Checksum,
  ChecksumTarget,
  ChecksumType,
  CompareOp,
  Component,
  DownloadDescription,
  PayloadDescription,
  Release,
  Requirement,
  Urgency,
} from './types.js';

type Mode = 'catalog' | 'metainfo';

/** Decodes UTF-8 chunk by chunk (a code point may straddle chunks); invalid bytes are metainfo-invalid. */
class Utf8Chunks {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private offset = 0;

  constructor(private readonly mode: Mode) {}

  decode(bytes: Uint8Array | undefined): string {
    try {
      const text = bytes === undefined ? this.decoder.decode() : this.decoder.decode(bytes, { stream: true });
      this.offset += bytes?.length ?? 0;
      return text;
    } catch (error) {
      throw new CapstanError(
        'metainfo-invalid',
        `${this.mode}: not valid UTF-8 ${bytes === undefined ? 'at the end of the input' : `within bytes ${this.offset}..${this.offset + bytes.length}`}`,
        {
          hint: 'the file is not AppStream XML (or is still compressed); AppStream metadata is UTF-8',
          cause: error,
          details: { byteOffset: this.offset },
        },
      );
    }
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function isAsyncIterable(input: unknown): input is AsyncIterable<Uint8Array> {
  return typeof input === 'object' && input !== null && Symbol.asyncIterator in input;
}

function chunkOf(chunk: unknown, mode: Mode): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new CapstanError('metainfo-invalid', `${mode}: the input stream yielded ${typeof chunk}, not bytes`, {
    hint: 'pass decompressed bytes (Uint8Array chunks) to the parser',
  });
}

/**
 * Streams a whole catalog: a `<components>` root with many `<component type="firmware">` (other types
 * are counted as skipped). `onComponent` gets each component as soon as its end tag is read, so a 60 MB
 * catalog never needs a tree. Input: a string, UTF-8 bytes, or an async iterable of decompressed
 * UTF-8 chunks. Malformed, truncated or unsafe XML (a DOCTYPE) and malformed security fields throw
 * `metainfo-invalid`; errors thrown by the callbacks pass through unchanged.
 */
export async function parseCatalog(
  input: string | Uint8Array | AsyncIterable<Uint8Array>,
  onComponent: (component: Component) => void,
  options: CatalogOptions = {},
): Promise<CatalogSummary> {
  const parser = new AppstreamParser('catalog', onComponent, options);
  if (typeof input === 'string') {
    parser.write(stripBom(input));
  } else if (input instanceof Uint8Array) {
    const decoder = new Utf8Chunks('catalog');
    parser.write(decoder.decode(input));
    parser.write(decoder.decode(undefined));
  } else if (isAsyncIterable(input)) {
    const decoder = new Utf8Chunks('catalog');
    for await (const chunk of input) {
      const text = decoder.decode(chunkOf(chunk, 'catalog'));
      if (text !== '') parser.write(text);
    }
    const rest = decoder.decode(undefined);
    if (rest !== '') parser.write(rest);
  } else {
    throw new TypeError('parseCatalog needs a string, a Uint8Array or an async iterable of Uint8Array');
  }
  parser.close();
  return parser.summary;
}

/** A cab's `firmware.metainfo.xml`: a `<component type="firmware">` root; returns that component. */
export function parseMetainfo(input: string | Uint8Array): Component {
  let result: Component | undefined;
  const parser = new AppstreamParser('metainfo', (component) => {
    result = component;
  });
  if (typeof input === 'string') {
    parser.write(stripBom(input));
  } else {
    const decoder = new Utf8Chunks('metainfo');
    parser.write(decoder.decode(input));
    parser.write(decoder.decode(undefined));
  }
  parser.close();
  if (result === undefined) {
    throw new CapstanError('metainfo-invalid', 'metainfo: no <component type="firmware"> was read', {
      hint: 'the cabinet carries malformed metadata; download it again or ask the vendor for a fixed one',
    });
  }
  return result;
}

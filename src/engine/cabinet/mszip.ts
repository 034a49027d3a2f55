import zlib from 'node:zlib';
import { cabInvalid, errnoOf } from './cab-errors.js';

/** The LZ77 history MSZIP carries from block to block within a folder. */
const WINDOW_BYTES = 32768;

interface InflateInfo {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

export interface BlockPosition {
  folder: number;
  block: number;
  offset: number;
}

/**
 * Decodes the CFDATA blocks of one MSZIP folder in order. Each block is `CK` + a raw DEFLATE stream
 * ending with a final block; its back-references may reach into the previous 32 KiB of the folder's
 * output (MS-MCI §2), which zlib then needs as a preset dictionary. Call `reset` at each folder.
 *
 * Speed: gcab and fwupd deflate every block independently, and a raw inflate without a dictionary
 * fails ("invalid distance too far back") as soon as a block reaches before its own start, never
 * producing different bytes. So each block is first inflated without a dictionary; on any failure it
 * is inflated again with the history, whose result (or error) is final, and the rest of the folder
 * goes straight to that path. A block that inflates without the history cannot have needed it.
 */
export class MszipDecoder {
  /** The folder's most recent outputs, newest last, covering at least the last 32 KiB when available. */
  private history: Uint8Array[] = [];
  private historyBytes = 0;
  private needsHistory = false;

  reset(): void {
    this.history = [];
    this.historyBytes = 0;
    this.needsHistory = false;
  }

  /** Returns a fresh buffer of exactly `cbUncomp` bytes, or throws `cab-invalid`. */
  decode(data: Uint8Array, cbUncomp: number, at: BlockPosition): Uint8Array {
    if (data.byteLength < 2 || data[0] !== 0x43 || data[1] !== 0x4b) {
      throw cabInvalid(`${describe(at)} does not start with the MSZIP signature CK`, { ...at, cbUncomp });
    }
    const input = data.subarray(2);
    let output: Uint8Array | undefined;
    if (!this.needsHistory || this.historyBytes === 0) {
      output = tryInflate(input, cbUncomp, undefined);
      if (output === undefined && this.historyBytes > 0) this.needsHistory = true;
    }
    if (output === undefined) output = inflateOrThrow(input, cbUncomp, this.dictionary(), at);
    this.remember(output);
    return output;
  }

  /** The last 32 KiB of output as one buffer (copied only on the history path). */
  private dictionary(): Uint8Array | undefined {
    if (this.historyBytes === 0) return undefined;
    const window = new Uint8Array(Math.min(this.historyBytes, WINDOW_BYTES));
    let end = window.byteLength;
    for (let i = this.history.length - 1; i >= 0 && end > 0; i--) {
      const part = this.history[i] as Uint8Array;
      const take = Math.min(part.byteLength, end);
      window.set(part.subarray(part.byteLength - take), end - take);
      end -= take;
    }
    return window;
  }

  /** Keeps references (no copy) to the outputs that make up the last 32 KiB; sinks never modify chunks. */
  private remember(output: Uint8Array): void {
    if (output.byteLength === 0) return;
    this.history.push(output);
    this.historyBytes += output.byteLength;
    while (this.history.length > 1 && this.historyBytes - (this.history[0]?.byteLength ?? 0) >= WINDOW_BYTES) {
      this.historyBytes -= this.history.shift()?.byteLength ?? 0;
    }
  }
}

function describe(at: BlockPosition): string {
  return `CFDATA ${at.block} of folder ${at.folder} at offset ${at.offset}`;
}

function options(cbUncomp: number, dictionary: Uint8Array | undefined): zlib.ZlibOptions {
  const result: zlib.ZlibOptions = {
    // One output buffer with room to spare holds the whole block (no second allocation or copy),
    // and zlib stops as soon as the block would expand beyond cbUncomp, whatever the input claims.
    chunkSize: cbUncomp + 64,
    maxOutputLength: Math.max(1, cbUncomp),
    info: true,
  };
  if (dictionary !== undefined) result.dictionary = dictionary;
  return result;
}

/** Exactly cbUncomp bytes and all input consumed, or undefined. */
function tryInflate(input: Uint8Array, cbUncomp: number, dictionary: Uint8Array | undefined): Uint8Array | undefined {
  try {
    const result = zlib.inflateRawSync(input, options(cbUncomp, dictionary)) as unknown as InflateInfo;
    if (result.buffer.byteLength !== cbUncomp || result.engine.bytesWritten !== input.byteLength) return undefined;
    return result.buffer;
  } catch {
    return undefined;
  }
}

function inflateOrThrow(
  input: Uint8Array,
  cbUncomp: number,
  dictionary: Uint8Array | undefined,
  at: BlockPosition,
): Uint8Array {
  const details = { ...at, cbUncomp };
  let result: InflateInfo;
  try {
    result = zlib.inflateRawSync(input, options(cbUncomp, dictionary)) as unknown as InflateInfo;
  } catch (error) {
    if (errnoOf(error) === 'ERR_BUFFER_TOO_LARGE') {
      throw cabInvalid(`${describe(at)} expands to more than cbUncomp: ${cbUncomp} bytes`, details);
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw cabInvalid(`${describe(at)} is not valid MSZIP data: ${reason}`, details);
  }
  const output = result.buffer;
  if (output.byteLength !== cbUncomp) {
    throw cabInvalid(`${describe(at)} expands to ${output.byteLength} bytes, cbUncomp says ${cbUncomp}`, details);
  }
  const unused = input.byteLength - result.engine.bytesWritten;
  if (unused !== 0) {
    throw cabInvalid(`${describe(at)} has data after the end of its deflate stream: ${unused} bytes`, details);
  }
  return output;
}

import zlib from 'node:zlib';
import { cabInvalid, errnoOf } from './cab-errors.js';
import { OutputPool, POOLED_BYTES } from './pool.js';

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
 * producing different bytes. So each block is first inflated without a dictionary, on one zlib handle
 * kept for the whole extraction (`ReusableInflater`); on any failure it is inflated again with
 * `inflateRawSync` and the history, whose result (or error) is final, and the rest of the folder goes
 * straight to that path. A block that inflates without the history cannot have needed it.
 */
export class MszipDecoder {
  /** The folder's most recent outputs, newest last, covering at least the last 32 KiB when available. */
  private history: Uint8Array[] = [];
  private historyBytes = 0;
  private needsHistory = false;
  private readonly inflater = new ReusableInflater();

  /** Outputs come from `pool` (see pool.ts): the decoder holds each while it is in the history. */
  constructor(private readonly pool: OutputPool = new OutputPool()) {}

  reset(): void {
    for (const output of this.history) this.pool.release(output);
    this.history = [];
    this.historyBytes = 0;
    this.needsHistory = false;
  }

  /** Frees the zlib handle. The decoder must not be used afterwards. */
  close(): void {
    this.reset();
    this.inflater.close();
  }

  /**
   * Returns a buffer of exactly `cbUncomp` bytes, or throws `cab-invalid`. The caller holds it once
   * (release it to the pool when done); the decoder holds it too while it is in the history.
   */
  decode(data: Uint8Array, cbUncomp: number, at: BlockPosition): Uint8Array {
    if (data.byteLength < 2 || data[0] !== 0x43 || data[1] !== 0x4b) {
      throw cabInvalid(`${describe(at)} does not start with the MSZIP signature CK`, { ...at, cbUncomp });
    }
    const input = data.subarray(2);
    let output: Uint8Array | undefined;
    if (!this.needsHistory || this.historyBytes === 0) {
      output = this.inflateAlone(input, cbUncomp);
      if (output === undefined && this.historyBytes > 0) this.needsHistory = true;
    }
    if (output === undefined) output = inflateOrThrow(input, cbUncomp, this.dictionary(), at);
    this.remember(output);
    return output;
  }

  /**
   * The block inflated on its own (no dictionary) into a pooled buffer: exactly cbUncomp bytes and
   * all input consumed, or undefined. The room after cbUncomp (at least SLACK_BYTES) catches a block
   * that expands further.
   */
  private inflateAlone(input: Uint8Array, cbUncomp: number): Uint8Array | undefined {
    if (cbUncomp + SLACK_BYTES > POOLED_BYTES) return tryInflate(input, cbUncomp); // cbUncomp ≤ 32768 is checked first
    const output = this.pool.take();
    const ok = this.inflater.inflate(input, output, cbUncomp);
    if (ok === true) return output.subarray(0, cbUncomp);
    this.pool.release(output);
    return ok === undefined ? tryInflate(input, cbUncomp) : undefined;
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

  /**
   * Keeps references (no copy) to the outputs that make up the last 32 KiB, holding them in the pool
   * so they are not reused meanwhile; sinks never modify chunks.
   */
  private remember(output: Uint8Array): void {
    if (output.byteLength === 0) return;
    this.pool.retain(output);
    this.history.push(output);
    this.historyBytes += output.byteLength;
    while (this.history.length > 1 && this.historyBytes - (this.history[0]?.byteLength ?? 0) >= WINDOW_BYTES) {
      const dropped = this.history.shift() as Uint8Array;
      this.historyBytes -= dropped.byteLength;
      this.pool.release(dropped);
    }
  }
}

/** Room after cbUncomp in each output: a block that expands beyond its declared size fills it and is refused. */
const SLACK_BYTES = 64;

/** What `ReusableInflater` reads from Node's zlib stream (internals: see there). */
interface InflateInternals {
  _handle?: { writeSync?: unknown } | null;
  _writeState?: unknown;
}

type NativeWriteSync = (
  flush: number,
  input: Uint8Array,
  inOffset: number,
  inLength: number,
  output: Uint8Array,
  outOffset: number,
  outLength: number,
) => void;

/**
 * One raw-inflate zlib handle reused for every block, instead of a new one per block.
 *
 * Why internals: Node has no public synchronous call that keeps a zlib handle across calls.
 * `inflateRawSync` (and `InflateRaw#_processChunk`, which it uses) builds a Transform stream, a native
 * handle and zlib's state and window, then closes them: ~30 µs per call, 2048 calls per 64 MiB. Reusing
 * one stream cut the inflate phase from 108 to 79 ms for 64 MiB and from 52 to 38 ms for 32 MiB (cold
 * process, Node 20.20, 2 CPUs; bench/cabinet.mjs cabinets). The synchronous core Node itself runs for
 * `inflateRawSync` is the stream's native `_handle.writeSync(flush, in, inOff, inLen, out, outOff,
 * outLen)`, which leaves `[availOut, availIn]` in `_writeState`; this class makes that same call on a
 * stream it keeps, and readies the stream for the next block with the public `reset()` (inflateReset).
 * The zlib semantics are those of `inflateRawSync`: Z_FINISH, so a stream that has not ended while
 * output room is left is Node's "unexpected end of file" error. On any zlib error Node destroys the
 * stream without updating `_writeState`; both are checked (`destroyed`, and the state is poisoned
 * before each call so a stale success cannot be read), and a new stream is made for the next block.
 *
 * Fallback: when a stream is first made, its internals must have the expected shape and it must
 * inflate a known block and refuse a truncated one; otherwise `inflate` returns undefined for good
 * and the caller uses `inflateRawSync`. Node 20 (package.json engines) has this shape.
 */
class ReusableInflater {
  private stream: zlib.InflateRaw | undefined;
  private write: NativeWriteSync | undefined;
  private state: Uint32Array | undefined;

  /**
   * Inflates `input` (one whole raw deflate stream) into `output`, which has room to spare.
   * true: the stream ended, consumed all of `input` and produced exactly `expected` bytes; false:
   * anything else (corrupt, too long, too short, trailing bytes, needs a dictionary); undefined: this
   * Node does not offer the internals, use `inflateRawSync`.
   */
  inflate(input: Uint8Array, output: Buffer, expected: number): boolean | undefined {
    if (this.stream === undefined && !this.open()) return undefined;
    const { stream, write, state } = this;
    if (stream === undefined || write === undefined || state === undefined) return undefined;
    state[0] = POISON;
    state[1] = POISON;
    try {
      write(zlib.constants.Z_FINISH, input, 0, input.byteLength, output, 0, output.byteLength);
    } catch {
      this.close();
      return false;
    }
    const availOut = state[0] ?? POISON;
    const availIn = state[1] ?? POISON;
    if (stream.destroyed || availOut === POISON || availIn === POISON) {
      // A zlib error: Node has destroyed the stream, closed its handle and left the state alone.
      this.close();
      return false;
    }
    const ok = output.byteLength - availOut === expected && availIn === 0;
    try {
      stream.reset();
    } catch {
      this.close(); // The next block gets a new stream; this block's result stands.
    }
    return ok;
  }

  close(): void {
    this.stream?.destroy();
    this.stream = undefined;
    this.write = undefined;
    this.state = undefined;
  }

  private open(): boolean {
    if (internalsUsable === undefined) {
      internalsUsable = this.selfTest();
      this.close();
    }
    return internalsUsable && this.attach();
  }

  /** Makes a stream and takes its internals; false when they do not have the expected shape. */
  private attach(): boolean {
    // Our own output buffers are passed to each call: the stream's own needs only the minimum size.
    const stream = zlib.createInflateRaw({ chunkSize: zlib.constants.Z_MIN_CHUNK });
    // Node reports a zlib error by destroying the stream, which then emits 'error' on the next tick.
    stream.on('error', () => {});
    const internals = stream as unknown as InflateInternals;
    const handle = internals._handle;
    const state = internals._writeState;
    if (
      handle === undefined ||
      handle === null ||
      typeof handle.writeSync !== 'function' ||
      !(state instanceof Uint32Array) ||
      state.length !== 2
    ) {
      stream.destroy();
      return false;
    }
    this.stream = stream;
    this.write = (handle.writeSync as NativeWriteSync).bind(handle);
    this.state = state;
    return true;
  }

  /** A stored block holding "MSZIP" must inflate; the same block cut short must fail. */
  private selfTest(): boolean {
    if (!this.attach()) return false;
    const block = Buffer.from([0x01, 0x05, 0x00, 0xfa, 0xff, 0x4d, 0x53, 0x5a, 0x49, 0x50]);
    const out = Buffer.alloc(16);
    if (this.inflate(block, out, 5) !== true || out.toString('latin1', 0, 5) !== 'MSZIP') {
      return false;
    }
    if (this.inflate(block.subarray(0, 7), out, 2) !== false) return false;
    return this.stream === undefined;
  }
}

/** Written to `_writeState` before each call: zlib never reports 2^32 - 1 bytes left of a block. */
const POISON = 0xffffffff;

/** Whether this Node's zlib internals passed `ReusableInflater`'s self-test (once per process). */
let internalsUsable: boolean | undefined;

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

/** Without the reusable handle: exactly cbUncomp bytes and all input consumed, or undefined. */
function tryInflate(input: Uint8Array, cbUncomp: number): Uint8Array | undefined {
  try {
    const result = zlib.inflateRawSync(input, options(cbUncomp, undefined)) as unknown as InflateInfo;
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

import fs from 'node:fs';
import { CapstanError } from '../../core/errors.js';
import { cabInvalid, ioError } from './cab-errors.js';

/** Where a cabinet comes from: a file on disk (read with bounded positioned reads) or bytes in memory. */
export type CabinetSource = { kind: 'file'; path: string } | { kind: 'bytes'; bytes: Uint8Array };

/**
 * Random access to a cabinet's bytes. `read` returns a view that stays valid only until the next
 * call; callers copy what they keep. Reading past the end is a truncated cabinet (`cab-invalid`).
 */
export interface ByteSource {
  readonly size: number;
  /** `what` names the structure for the truncation message (a function: built only on error). */
  read(offset: number, length: number, what: Describe): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Files are read in aligned chunks of this size, the next one prefetched while the current is used. */
const CHUNK_BYTES = 256 * 1024;
/** Largest single request: one CFDATA is at most 8 + 255 + 32780 bytes (sizes are checked before reading). */
const MAX_READ_BYTES = 64 * 1024;

/** A structure's name for messages, or a function building it (hot paths build it only on error). */
export type Describe = string | (() => string);

export function truncated(what: Describe, offset: number, length: number, available: number): Error {
  return cabInvalid(
    `truncated cabinet: ${typeof what === 'string' ? what : what()} at offset ${offset} needs ${length} bytes, ${Math.max(available, 0)} left`,
    { offset, length, available: Math.max(available, 0) },
  );
}

export async function openByteSource(source: CabinetSource): Promise<ByteSource> {
  if (source.kind === 'bytes') return new MemoryByteSource(source.bytes);
  let handle: fs.promises.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not hang; it has no effect on regular files.
    handle = await fs.promises.open(
      source.path,
      fs.constants.O_RDONLY | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK,
    );
  } catch (error) {
    throw ioError('opening cabinet', source.path, error);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new CapstanError('io-error', `opening cabinet ${source.path}: not a regular file`, {
        hint: 'give the path of a cabinet file',
        details: { path: source.path },
      });
    }
    return new FileByteSource(handle, source.path, stat.size);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw ioError('opening cabinet', source.path, error);
  }
}

class MemoryByteSource implements ByteSource {
  readonly size: number;
  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.byteLength;
  }
  async read(offset: number, length: number, what: Describe): Promise<Uint8Array> {
    if (offset + length > this.size) throw truncated(what, offset, length, this.size - offset);
    return this.bytes.subarray(offset, offset + length);
  }
  async close(): Promise<void> {}
}

interface Slot {
  chunk: number;
  buffer: Buffer;
  /** Bytes read into `buffer`: the positioned read of this chunk, in flight or done. */
  loaded: Promise<number>;
}

/**
 * Reads aligned CHUNK_BYTES chunks with positioned reads: two chunk buffers (the current one and the
 * next, prefetched while the current is used) and a scratch buffer for requests that straddle two
 * chunks. Memory stays at ~0.6 MiB whatever the file size.
 */
class FileByteSource implements ByteSource {
  private readonly slots: [Slot, Slot];
  private readonly scratch = Buffer.allocUnsafe(MAX_READ_BYTES);

  constructor(
    private readonly handle: fs.promises.FileHandle,
    private readonly path: string,
    readonly size: number,
  ) {
    const empty = (): Slot => ({ chunk: -1, buffer: Buffer.allocUnsafe(CHUNK_BYTES), loaded: Promise.resolve(0) });
    this.slots = [empty(), empty()];
  }

  async read(offset: number, length: number, what: Describe): Promise<Uint8Array> {
    if (offset + length > this.size) throw truncated(what, offset, length, this.size - offset);
    if (length > MAX_READ_BYTES) {
      throw new CapstanError('internal', `cabinet reader asked for too many bytes at once: ${length}`, {
        hint: 'this is a bug in capstan; please report it',
      });
    }
    if (length === 0) return this.scratch.subarray(0, 0);
    const first = Math.floor(offset / CHUNK_BYTES);
    const last = Math.floor((offset + length - 1) / CHUNK_BYTES);
    const start = offset - first * CHUNK_BYTES;
    const a = await this.chunk(first, undefined, what, offset, length);
    if (first === last) {
      this.prefetch(first + 1, a);
      return a.buffer.subarray(start, start + length);
    }
    const head = CHUNK_BYTES - start;
    this.scratch.set(a.buffer.subarray(start, CHUNK_BYTES), 0);
    const b = await this.chunk(last, a, what, offset, length);
    this.scratch.set(b.buffer.subarray(0, length - head), head);
    this.prefetch(last + 1, b);
    return this.scratch.subarray(0, length);
  }

  async close(): Promise<void> {
    // Let reads in flight finish before the descriptor goes away.
    await Promise.all(this.slots.map((slot) => slot.loaded.catch(() => 0)));
    await this.handle.close().catch(() => undefined);
  }

  /** The slot holding `chunk`, loading it into a slot other than `keep` when needed. */
  private async chunk(
    chunk: number,
    keep: Slot | undefined,
    what: Describe,
    offset: number,
    length: number,
  ): Promise<Slot> {
    let slot = this.slots.find((candidate) => candidate.chunk === chunk);
    if (slot === undefined) {
      // Replace a slot the caller still needs last, and a prefetched next chunk before that.
      const [one, two] = this.slots;
      slot = one === keep || (two !== keep && one.chunk === chunk + 1) ? two : one;
      this.load(slot, chunk);
    }
    let got: number;
    try {
      got = await slot.loaded;
    } catch (error) {
      slot.chunk = -1;
      throw ioError('reading cabinet', this.path, error);
    }
    // A short chunk means the file shrank after it was opened: as truncated as a short file.
    const end = chunk * CHUNK_BYTES + got;
    const needed = Math.min(offset + length, (chunk + 1) * CHUNK_BYTES);
    if (end < needed) throw truncated(what, offset, length, Math.max(0, end - offset));
    return slot;
  }

  private prefetch(chunk: number, keep: Slot): void {
    if (chunk * CHUNK_BYTES >= this.size || this.slots.some((slot) => slot.chunk === chunk)) return;
    this.load(this.slots[0] === keep ? this.slots[1] : this.slots[0], chunk);
  }

  private load(slot: Slot, chunk: number): void {
    slot.chunk = chunk;
    const position = chunk * CHUNK_BYTES;
    const want = Math.min(CHUNK_BYTES, this.size - position);
    // Chained after the slot's previous read, so two reads never fill the same buffer at once.
    slot.loaded = slot.loaded.catch(() => 0).then(() => this.fill(slot.buffer, want, position));
    slot.loaded.catch(() => 0); // Awaited later; no unhandled rejection meanwhile.
  }

  private async fill(buffer: Buffer, want: number, position: number): Promise<number> {
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.handle.read(buffer, got, want - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got;
  }
}

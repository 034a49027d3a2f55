/**
 * Buffers for decoded blocks, reused once nothing reads them any more.
 *
 * Why: a fresh 32 KiB buffer per block leaves 64 MiB of garbage per 64 MiB extracted, which V8 only
 * frees at its next scavenge (rare: extraction allocates few JS objects), so the process keeps
 * touching fresh memory. Reusing buffers cut RSS growth from ~20 to ~8 MB and page faults by a third
 * for 32 and 64 MiB cabinets, and extraction time by up to ~5 % (bench/cabinet.mjs, Node 20.20).
 *
 * Safety: a buffer is reused only when every holder has released it. Holders are the extraction
 * loop (from decode until delivery returns), the MSZIP history (while the block is in the last
 * 32 KiB) and each writer the block (or part of it) went to. Only writers that declare
 * `[RELEASES_CHUNKS]: true` promise to call `releaseChunk` once per chunk when they no longer read
 * it; a chunk handed to any other writer may be kept forever, so its buffer leaves the pool for good
 * ("fresh chunks that they may keep" stays true for every sink). A missed release only costs reuse.
 */

/** Size of every pooled buffer: the largest block (cbUncomp ≤ 32768) plus the decoder's slack. */
export const POOLED_BYTES = 32768 + 64;

/** Free buffers kept for reuse (2 MiB); more are left to the garbage collector. */
const MAX_FREE = 64;

/**
 * A writer with `[RELEASES_CHUNKS]: true` calls `releaseChunk(chunk)` exactly once for every chunk
 * it was given, once it will never read that chunk again (at once for a writer that copies or hashes
 * it, after the write completes for a file writer).
 */
export const RELEASES_CHUNKS: unique symbol = Symbol('capstan.cabinet.releasesChunks');

/** Which pool a buffer came from, so a writer can release a chunk without knowing the pool. */
const owners = new WeakMap<ArrayBufferLike, OutputPool>();

/** Releases a chunk a `[RELEASES_CHUNKS]` writer was given (a view of a pooled buffer, or any other bytes). */
export function releaseChunk(chunk: Uint8Array): void {
  owners.get(chunk.buffer)?.release(chunk);
}

export class OutputPool {
  /** Pooled buffers handed out, by their memory, with how many holders they have. */
  private readonly held = new Map<ArrayBufferLike, { buffer: Buffer; holders: number }>();
  private readonly free: Buffer[] = [];

  /** A buffer of POOLED_BYTES, held once (by the caller). Its contents are left over: overwrite them. */
  take(): Buffer {
    const buffer = this.free.pop() ?? Buffer.allocUnsafeSlow(POOLED_BYTES);
    this.held.set(buffer.buffer, { buffer, holders: 1 });
    owners.set(buffer.buffer, this);
    return buffer;
  }

  /** One more holder for the buffer `chunk` views (no-op for bytes that are not pooled). */
  retain(chunk: Uint8Array): void {
    const entry = this.held.get(chunk.buffer);
    if (entry !== undefined) entry.holders++;
  }

  /** `chunk` goes where it may be kept: its buffer is never reused. */
  escape(chunk: Uint8Array): void {
    if (this.held.delete(chunk.buffer)) owners.delete(chunk.buffer);
  }

  /** One holder fewer; the last one makes the buffer reusable. */
  release(chunk: Uint8Array): void {
    const entry = this.held.get(chunk.buffer);
    if (entry === undefined) return;
    entry.holders--;
    if (entry.holders > 0) return;
    this.held.delete(chunk.buffer);
    owners.delete(chunk.buffer);
    if (this.free.length < MAX_FREE) this.free.push(entry.buffer);
  }
}

import { CapstanError } from '../../core/errors.js';
import { cabInvalid } from './cab-errors.js';
import { computeCabChecksum } from './checksum.js';
import { type CabinetLimits, resolveCabinetLimits } from './limits.js';
import { MszipDecoder } from './mszip.js';
import { OutputPool, POOLED_BYTES, RELEASES_CHUNKS } from './pool.js';
import { FolderWalk, indexOf, type PlannedFolder, readCabinetTables } from './reader.js';
import { type ByteSource, type CabinetSource, openByteSource } from './source.js';
import type { CabinetIndex, CabinetMember, MemberSink, MemberWriter } from './types.js';

export interface ExtractOptions {
  limits?: Partial<CabinetLimits>;
  /** Members for which this returns false are not opened on the sink (they are still verified). */
  only?: (member: CabinetMember) => boolean;
}

/**
 * Validates the cabinet (readCabinetIndex), then decompresses and verifies every block of every
 * folder (checksum when non-zero, MSZIP signature, exact cbUncomp), streaming each member's bytes
 * to the sink in folder order. Memory stays at a few blocks plus the 32 KiB MSZIP window.
 */
export async function extractCabinet(
  source: CabinetSource,
  sink: MemberSink,
  options: ExtractOptions = {},
): Promise<CabinetIndex> {
  const limits = resolveCabinetLimits(options.limits);
  const src = await openByteSource(source);
  const pool = new OutputPool();
  const decoder = new MszipDecoder(pool);
  try {
    const tables = await readCabinetTables(src, limits);
    for (const folder of tables.folders) {
      decoder.reset();
      const walk = new FolderWalk(src, tables, folder, limits);
      await streamFolder(src, walk, folder, decoder, pool, new MemberDelivery(folder, sink, options.only, pool));
    }
    return indexOf(tables);
  } finally {
    decoder.close();
    await src.close();
  }
}

/** One pass over a folder: header checks (the walk), checksum, decode, then delivery to the members. */
async function streamFolder(
  src: ByteSource,
  walk: FolderWalk,
  folder: PlannedFolder,
  decoder: MszipDecoder,
  pool: OutputPool,
  delivery: MemberDelivery,
): Promise<void> {
  try {
    await delivery.advance();
    for (let block = await walk.next(); block !== undefined; block = await walk.next()) {
      if (block.block % YIELD_EVERY_BLOCKS === YIELD_EVERY_BLOCKS - 1) await yieldToEventLoop();
      const { csum, cbData, cbUncomp, offset } = block;
      const data = await src.read(
        block.dataOffset,
        cbData,
        () => `data of CFDATA ${block.block} of folder ${folder.index}`,
      );
      if (csum !== 0) {
        const computed = computeCabChecksum(data, cbUncomp);
        if (computed !== csum) {
          throw cabInvalid(
            `CFDATA ${block.block} of folder ${folder.index} at offset ${offset} fails its checksum: stored 0x${hex8(csum)}, computed 0x${hex8(computed)}`,
            { folder: folder.index, block: block.block, offset },
          );
        }
      }
      const output =
        folder.compression === 'mszip'
          ? decoder.decode(data, cbUncomp, { folder: folder.index, block: block.block, offset })
          : copyOf(data, pool);
      await delivery.push(output);
      pool.release(output);
    }
    walk.finish();
    await delivery.finish();
  } catch (error) {
    await delivery.abort(error);
    throw error;
  }
}

/**
 * An in-memory source never leaves the microtask queue: every few MiB let the event loop run, so
 * signals, timers and the release of freed buffers are not held up by a long extraction.
 */
const YIELD_EVERY_BLOCKS = 128;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A copy in a pooled buffer (Buffer#slice would return a view of the reader's buffer, which is reused). */
function copyOf(data: Uint8Array, pool: OutputPool): Uint8Array {
  const copy =
    data.byteLength <= POOLED_BYTES ? pool.take().subarray(0, data.byteLength) : new Uint8Array(data.byteLength);
  copy.set(data);
  return copy;
}

function internalError(fact: string): Error {
  return new CapstanError('internal', `cabinet extraction lost track of its files: ${fact}`, {
    hint: 'this is a bug in capstan; please report it with the cabinet',
  });
}

const hex8 = (value: number): string => value.toString(16).padStart(8, '0');

function releasesChunks(writer: MemberWriter): boolean {
  return (writer as { [RELEASES_CHUNKS]?: unknown })[RELEASES_CHUNKS] === true;
}

/** Hands a folder's output stream to the members that tile it, opening and closing writers in order. */
class MemberDelivery {
  private readonly members: CabinetMember[];
  private next = 0;
  private position = 0;
  private current: { member: CabinetMember; writer: MemberWriter | undefined; remaining: number } | undefined;

  constructor(
    folder: PlannedFolder,
    private readonly sink: MemberSink,
    private readonly only: ((member: CabinetMember) => boolean) | undefined,
    private readonly pool: OutputPool,
  ) {
    this.members = folder.members;
  }

  /** Opens the members that start at the current position; empty ones are opened and closed at once. */
  async advance(): Promise<void> {
    while (this.current === undefined && this.next < this.members.length) {
      const member = this.members[this.next];
      if (member === undefined || member.offset !== this.position) return;
      this.next++;
      const writer = this.only === undefined || this.only(member) ? await this.sink.open(member) : undefined;
      if (member.size === 0) {
        await writer?.close();
      } else {
        this.current = { member, writer, remaining: member.size };
      }
    }
  }

  async push(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const current = this.current;
      if (current === undefined) throw internalError('folder data with no file to receive it');
      const take = Math.min(current.remaining, chunk.byteLength - offset);
      const writer = current.writer;
      if (writer !== undefined) {
        const part = take === chunk.byteLength ? chunk : chunk.subarray(offset, offset + take);
        // The writer holds the chunk until it releases it; a writer that may keep it takes it for good.
        if (releasesChunks(writer)) this.pool.retain(part);
        else this.pool.escape(part);
        const pending = writer.write(part);
        if (pending !== undefined) await pending;
      }
      offset += take;
      this.position += take;
      current.remaining -= take;
      if (current.remaining === 0) {
        this.current = undefined;
        await current.writer?.close();
        await this.advance();
      }
    }
  }

  async finish(): Promise<void> {
    await this.advance();
    if (this.current !== undefined || this.next !== this.members.length) {
      throw internalError('folder data ended before its files');
    }
  }

  async abort(reason: unknown): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current?.writer?.abort !== undefined) {
      try {
        await current.writer.abort(reason);
      } catch {
        // The original error matters more than a failure to clean up after it.
      }
    }
  }
}

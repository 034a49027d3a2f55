import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CapstanError } from '../../core/errors.js';
import { errnoOf, ioError } from './cab-errors.js';
import { type ExtractOptions, extractCabinet } from './extract.js';
import { RELEASES_CHUNKS, releaseChunk } from './pool.js';
import type { CabinetSource } from './source.js';
import type { CabinetIndex, MemberSink, MemberWriter } from './types.js';

/** Chunks are gathered up to this size and written with one writev. */
const WRITE_BATCH_BYTES = 512 * 1024;
const FILE_MODE = 0o644;
const DIRECTORY_MODE = 0o755;
const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/**
 * Extracts every member (or those `options.only` selects) to its validated relative path under
 * `directory`, which must exist. Subdirectories are created as needed; symlinks are never followed
 * and existing files never overwritten. Each file is written to a temporary name (O_EXCL, mode 0644)
 * and renamed into place once verified. On any error, everything this call wrote is removed.
 */
export async function extractCabinetToDirectory(
  source: CabinetSource,
  directory: string,
  options: ExtractOptions = {},
): Promise<{ index: CabinetIndex; written: string[] }> {
  const root = path.resolve(directory);
  await checkDirectory(root);
  const createdDirectories: string[] = [];
  const written: string[] = [];
  const temporaries = new Set<string>();

  const sink: MemberSink = {
    async open(member) {
      const segments = member.name.split('/');
      let parent = root;
      for (const segment of segments.slice(0, -1)) {
        parent = path.join(parent, segment);
        await ensureDirectory(parent, createdDirectories);
      }
      const target = path.join(parent, segments[segments.length - 1] ?? '');
      await refuseExisting(target);
      const temporary = path.join(parent, `.capstan-${randomBytes(8).toString('hex')}.tmp`);
      let handle: fs.promises.FileHandle;
      try {
        handle = await fs.promises.open(temporary, CREATE_FLAGS, FILE_MODE);
      } catch (error) {
        throw ioError('creating', temporary, error);
      }
      temporaries.add(temporary);
      return new FileWriter(handle, temporary, member.modified, async () => {
        await refuseExisting(target);
        await fs.promises.rename(temporary, target);
        temporaries.delete(temporary);
        written.push(target);
      });
    },
  };

  try {
    const index = await extractCabinet(source, sink, options);
    return { index, written };
  } catch (error) {
    for (const file of [...temporaries, ...written.reverse()])
      await fs.promises.rm(file, { force: true }).catch(() => {});
    for (const dir of createdDirectories.reverse()) await fs.promises.rmdir(dir).catch(() => {});
    throw error;
  }
}

/**
 * Gathers chunks into batches and writes each batch with one writev while the next is being decoded:
 * at most one write in flight and one batch pending, so memory stays at ~2 batches. Each chunk is
 * released (pool.ts) once the write that carries it has finished, or when the writer gives up.
 */
class FileWriter implements MemberWriter {
  readonly [RELEASES_CHUNKS] = true;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly handle: fs.promises.FileHandle,
    private readonly file: string,
    private readonly modified: Date | null,
    private readonly commit: () => Promise<void>,
  ) {}

  /** Synchronous until a batch is full: no promise per chunk. */
  write(chunk: Uint8Array): undefined | Promise<void> {
    this.pending.push(chunk);
    this.pendingBytes += chunk.byteLength;
    return this.pendingBytes < WRITE_BATCH_BYTES ? undefined : this.startBatch();
  }

  private async startBatch(): Promise<void> {
    if (this.inflight !== undefined) await this.inflight;
    this.inflight = this.writeBatch(this.takePending());
    this.inflight.catch(() => {}); // Surfaces at the next await of `inflight`.
  }

  async close(): Promise<void> {
    try {
      if (this.inflight !== undefined) await this.inflight;
      this.inflight = undefined;
      await this.writeBatch(this.takePending());
      await this.handle.chmod(FILE_MODE);
      if (this.modified !== null) await this.handle.utimes(this.modified, this.modified);
      await this.handle.close();
      await this.commit();
    } catch (error) {
      await this.handle.close().catch(() => {});
      throw ioError('writing', this.file, error);
    }
  }

  async abort(): Promise<void> {
    await this.inflight?.catch(() => {});
    for (const chunk of this.takePending()) releaseChunk(chunk);
    await this.handle.close().catch(() => {});
  }

  private takePending(): Uint8Array[] {
    const buffers = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return buffers;
  }

  /** Writes and then releases every chunk of `batch`, whether the write succeeds or not. */
  private async writeBatch(batch: Uint8Array[]): Promise<void> {
    let buffers = batch;
    try {
      while (buffers.length > 0) {
        const { bytesWritten } = await this.handle.writev(buffers);
        buffers = skipWritten(buffers, bytesWritten);
      }
    } catch (error) {
      throw ioError('writing', this.file, error);
    } finally {
      for (const chunk of batch) releaseChunk(chunk);
    }
  }
}

/** What is left of `buffers` after a (possibly short) writev of `count` bytes. */
function skipWritten(buffers: Uint8Array[], count: number): Uint8Array[] {
  let left = count;
  const rest: Uint8Array[] = [];
  for (const buffer of buffers) {
    if (left >= buffer.byteLength) {
      left -= buffer.byteLength;
    } else {
      rest.push(buffer.subarray(left));
      left = 0;
    }
  }
  return rest;
}

async function checkDirectory(root: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.lstat(root);
  } catch (error) {
    throw ioError('opening directory', root, error);
  }
  if (!stat.isDirectory()) {
    throw new CapstanError('io-error', `extracting cabinet into ${root}: not a directory`, {
      hint: 'give an existing directory to extract into (symlinks are not followed)',
      details: { path: root },
    });
  }
}

async function ensureDirectory(dir: string, created: string[]): Promise<void> {
  try {
    await fs.promises.mkdir(dir, { mode: DIRECTORY_MODE });
    created.push(dir);
    return;
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') throw ioError('creating directory', dir, error);
  }
  const stat = await fs.promises.lstat(dir).catch((error: unknown) => {
    throw ioError('checking directory', dir, error);
  });
  if (!stat.isDirectory()) {
    throw new CapstanError(
      'io-error',
      `refusing to extract through ${dir}: ${stat.isSymbolicLink() ? 'a symlink' : 'not a directory'}`,
      {
        hint: 'extract into an empty directory; capstan never follows symlinks or overwrites files',
        details: { path: dir },
      },
    );
  }
}

async function refuseExisting(target: string): Promise<void> {
  try {
    await fs.promises.lstat(target);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw ioError('checking', target, error);
  }
  throw new CapstanError('io-error', `refusing to overwrite ${target}: it already exists`, {
    hint: 'extract into an empty directory; capstan never follows symlinks or overwrites files',
    details: { path: target },
  });
}

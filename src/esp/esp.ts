import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { errnoOf } from '../core/root-fs.js';
import { espError } from './errors.js';
import { tryRealpathInRoot } from './root-path.js';
import type { EspGeometry } from './types.js';

const CHUNK = 1024 * 1024;

/**
 * The file-system calls the ESP makes, injectable so tests can make one of them fail (a full ESP, an
 * I/O error in the middle of a write) without environment flags. `nodeEspIo` is the real thing.
 */
export interface EspIo {
  lstat(hostPath: string): fs.Stats | undefined;
  mkdir(hostPath: string, mode: number): void;
  open(hostPath: string, flags: string, mode?: number): number;
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  write(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsync(fd: number): void;
  close(fd: number): void;
  rename(from: string, to: string): void;
  unlink(hostPath: string): void;
  readdir(hostPath: string): string[];
  statfs(hostPath: string): { bavail: number; bsize: number };
}

export const nodeEspIo: EspIo = {
  lstat: (p) => fs.lstatSync(p, { throwIfNoEntry: false }),
  mkdir: (p, mode) => {
    fs.mkdirSync(p, { mode });
  },
  open: (p, flags, mode) => fs.openSync(p, flags, mode),
  read: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
  write: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  fsync: (fd) => fs.fsyncSync(fd),
  close: (fd) => fs.closeSync(fd),
  rename: (from, to) => fs.renameSync(from, to),
  unlink: (p) => fs.unlinkSync(p),
  readdir: (p) => fs.readdirSync(p),
  statfs: (p) => fs.statfsSync(p),
};

export interface EspInit {
  /** System path of the ESP directory (`/boot/efi`), symlink-free. */
  mountPoint: string;
  geometry: EspGeometry;
  /** Where `mountPoint` is inside the partition's filesystem: `/` unless an explicit directory below the mount root was given. */
  fsPath?: string;
  io?: EspIo;
}

export interface CopyResult {
  /** False when `skipIfIdentical` found the same SHA-256 already in place. */
  copied: boolean;
  sha256: string;
  bytes: number;
}

/**
 * A located ESP. Every operation takes a path relative to the ESP (`EFI/debian/fw/fwupd-….cap`, `/`
 * separators) and stays inside it: absolute paths, `..`, backslashes and NUL are refused (`internal`: a
 * caller bug), and so is a symlink anywhere along the path inside the ESP (`esp-invalid`), as systemd does.
 * Writes are atomic: a temporary file in the same directory, fsync, rename, fsync of the directory.
 */
export class Esp {
  readonly mountPoint: string;
  readonly geometry: EspGeometry;
  readonly fsPath: string;
  readonly #ctx: Context;
  readonly #io: EspIo;

  constructor(ctx: Context, init: EspInit) {
    this.#ctx = ctx;
    this.mountPoint = init.mountPoint;
    this.geometry = init.geometry;
    this.fsPath = init.fsPath ?? '/';
    this.#io = init.io ?? nodeEspIo;
  }

  /** The path the firmware sees on the partition (`/EFI/debian/fw/x.cap`), for the File Path node. */
  pathOnPartition(rel: string): string {
    return path.posix.join(this.fsPath, ...splitRelative(rel, true));
  }

  /** The system path of `rel` (`/boot/efi/EFI/debian`), for messages and receipts. */
  systemPath(rel: string): string {
    return path.posix.join(this.mountPoint, ...splitRelative(rel, true));
  }

  /** Host path of `rel`, after checking that nothing along it inside the ESP is a symlink. */
  resolve(rel: string): string {
    return this.#walk(splitRelative(rel, true), rel).host;
  }

  exists(rel: string): boolean {
    return this.#walk(splitRelative(rel, true), rel).stats !== undefined;
  }

  /** Names in a directory of the ESP (sorted); empty if it does not exist. */
  list(rel = ''): string[] {
    const { host, stats } = this.#walk(splitRelative(rel, true), rel);
    if (stats === undefined) return [];
    if (!stats.isDirectory()) throw espError('esp-invalid', `${this.systemPath(rel)} is not a directory`);
    try {
      return this.#io.readdir(host).sort();
    } catch (error) {
      throw this.#translate(error, rel, 'listing');
    }
  }

  /** Lower-case hex SHA-256 of a file on the ESP, streamed; undefined if the file does not exist. */
  sha256(rel: string): string | undefined {
    const { host, stats } = this.#walk(splitRelative(rel, false), rel);
    if (stats === undefined) return undefined;
    if (!stats.isFile()) throw espError('esp-invalid', `${this.systemPath(rel)} is not a regular file`);
    try {
      return this.#hashHost(host).sha256;
    } catch (error) {
      throw this.#translate(error, rel, 'reading');
    }
  }

  /** Replaces (or creates) a file atomically; parent directories are created (0755). */
  writeFileAtomic(rel: string, bytes: Uint8Array, mode = 0o644): void {
    this.#replace(rel, mode, (fd) => this.#writeAll(fd, bytes));
  }

  /**
   * Copies a system file (a helper binary such as `/usr/libexec/fwupd/efi/fwupdx64.efi.signed`) onto the ESP
   * atomically, streaming it in 1 MiB chunks. With `skipIfIdentical`, a target with the same SHA-256 is
   * left alone (fwupd copies the helper only if it differs).
   */
  copyFileAtomic(
    rel: string,
    sourceSystemPath: string,
    options: { mode?: number; skipIfIdentical?: boolean } = {},
  ): CopyResult {
    const ctx = this.#ctx;
    const canonical = tryRealpathInRoot(ctx, sourceSystemPath);
    const source = canonical === undefined ? undefined : ctx.paths.resolve(canonical);
    const sourceStats = source === undefined ? undefined : this.#io.lstat(source);
    if (source === undefined || sourceStats === undefined || !sourceStats.isFile()) {
      throw new CapstanError(
        'io-error',
        `copying ${ctx.paths.display(sourceSystemPath)} to the ESP: not a regular file`,
        {
          hint: 'check that the package providing this file is installed',
        },
      );
    }
    if (options.skipIfIdentical === true) {
      let sourceHash: { sha256: string; bytes: number };
      try {
        sourceHash = this.#hashHost(source);
      } catch (error) {
        throw ctx.fs.translate(error, sourceSystemPath, 'reading');
      }
      if (this.sha256(rel) === sourceHash.sha256) return { copied: false, ...sourceHash };
    }
    let result = { sha256: '', bytes: 0 };
    this.#replace(rel, options.mode ?? 0o644, (fd) => {
      const hash = createHash('sha256');
      const buffer = new Uint8Array(CHUNK);
      let bytes = 0;
      const input = this.#io.open(source, 'r');
      try {
        for (;;) {
          const n = this.#io.read(input, buffer, 0, CHUNK, null);
          if (n === 0) break;
          const chunk = buffer.subarray(0, n);
          hash.update(chunk);
          this.#writeAll(fd, chunk);
          bytes += n;
        }
      } finally {
        this.#io.close(input);
      }
      result = { sha256: hash.digest('hex'), bytes };
    });
    return { copied: true, ...result };
  }

  /** Removes a file; false if it did not exist. Directories are not removed. */
  remove(rel: string): boolean {
    const { host, stats } = this.#walk(splitRelative(rel, false), rel);
    if (stats === undefined) return false;
    if (stats.isDirectory()) throw espError('esp-invalid', `refusing to remove directory ${this.systemPath(rel)}`);
    try {
      this.#io.unlink(host);
      this.#fsyncDirectory(path.dirname(host));
    } catch (error) {
      throw this.#translate(error, rel, 'removing');
    }
    return true;
  }

  /** Bytes available to capstan on the ESP's filesystem. */
  freeBytes(): number {
    try {
      const stats = this.#io.statfs(this.#ctx.paths.resolve(this.mountPoint));
      return stats.bavail * stats.bsize;
    } catch (error) {
      throw this.#ctx.fs.translate(error, this.mountPoint, 'reading the free space of');
    }
  }

  #replace(rel: string, mode: number, fill: (fd: number) => void): void {
    const parts = splitRelative(rel, false);
    const { host, stats } = this.#walk(parts, rel);
    if (stats?.isDirectory()) throw espError('esp-invalid', `${this.systemPath(rel)} is a directory`);
    const directory = path.dirname(host);
    const temporary = path.join(directory, `.${path.basename(host)}.${randomBytes(4).toString('hex')}.capstan-tmp`);
    let created = false;
    try {
      this.#ensureDirectories(parts.slice(0, -1), rel);
      const fd = this.#io.open(temporary, 'wx', mode);
      created = true;
      try {
        fill(fd);
        this.#io.fsync(fd);
      } finally {
        this.#io.close(fd);
      }
      this.#io.rename(temporary, host);
      created = false;
      this.#fsyncDirectory(directory);
    } catch (error) {
      if (created) {
        try {
          this.#io.unlink(temporary);
        } catch {
          // the original error is the one to report
        }
      }
      throw this.#translate(error, rel, 'writing');
    }
  }

  #writeAll(fd: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += this.#io.write(fd, bytes, done, bytes.length - done);
  }

  #hashHost(host: string): { sha256: string; bytes: number } {
    const hash = createHash('sha256');
    const buffer = new Uint8Array(CHUNK);
    let bytes = 0;
    const fd = this.#io.open(host, 'r');
    try {
      for (;;) {
        const n = this.#io.read(fd, buffer, 0, CHUNK, null);
        if (n === 0) break;
        hash.update(buffer.subarray(0, n));
        bytes += n;
      }
    } finally {
      this.#io.close(fd);
    }
    return { sha256: hash.digest('hex'), bytes };
  }

  #fsyncDirectory(directory: string): void {
    const fd = this.#io.open(directory, 'r');
    try {
      this.#io.fsync(fd);
    } catch (error) {
      // Some filesystems cannot fsync a directory; the rename is still in place.
      if (errnoOf(error) !== 'EINVAL' && errnoOf(error) !== 'ENOTSUP') throw error;
    } finally {
      this.#io.close(fd);
    }
  }

  /** Walks `parts` from the ESP root; every existing component must not be a symlink, all but the last directories. */
  #walk(parts: string[], rel: string): { host: string; stats: fs.Stats | undefined } {
    let host = this.#ctx.paths.resolve(this.mountPoint);
    let stats = this.#lstat(host, rel);
    if (stats === undefined || stats.isSymbolicLink() || !stats.isDirectory()) {
      throw espError('esp-invalid', `the ESP ${this.mountPoint} is not a directory (or is a symlink)`);
    }
    let seen = '';
    for (const part of parts) {
      host = path.join(host, part);
      seen = seen === '' ? part : `${seen}/${part}`;
      if (stats === undefined) continue;
      if (!stats.isDirectory()) throw espError('esp-invalid', `${this.systemPath(parentOf(seen))} is not a directory`);
      stats = this.#lstat(host, rel);
      if (stats?.isSymbolicLink()) {
        throw espError('esp-invalid', `refusing the symlink ${this.systemPath(seen)} inside the ESP`, {
          hint: 'the ESP is FAT and never holds symlinks; remove it (the mount point may be wrong)',
        });
      }
    }
    return { host, stats };
  }

  #ensureDirectories(parts: string[], rel: string): void {
    let host = this.#ctx.paths.resolve(this.mountPoint);
    let seen = '';
    for (const part of parts) {
      host = path.join(host, part);
      seen = seen === '' ? part : `${seen}/${part}`;
      let stats = this.#lstat(host, rel);
      if (stats === undefined) {
        try {
          this.#io.mkdir(host, 0o755);
        } catch (error) {
          if (errnoOf(error) !== 'EEXIST') throw error;
        }
        stats = this.#lstat(host, rel);
      }
      if (stats?.isSymbolicLink())
        throw espError('esp-invalid', `refusing the symlink ${this.systemPath(seen)} inside the ESP`);
      if (stats === undefined || !stats.isDirectory()) {
        throw espError('esp-invalid', `${this.systemPath(seen)} is not a directory`);
      }
    }
  }

  #lstat(host: string, rel: string): fs.Stats | undefined {
    try {
      return this.#io.lstat(host);
    } catch (error) {
      if (errnoOf(error) === 'ENOTDIR') return undefined;
      throw this.#translate(error, rel, 'inspecting');
    }
  }

  #translate(error: unknown, rel: string, verb: string): CapstanError {
    if (error instanceof CapstanError) return error;
    return this.#ctx.fs.translate(error, this.systemPath(rel), verb);
  }
}

/**
 * Splits an ESP-relative path into components. Refuses absolute paths, `..`, backslashes and NUL: these
 * are bugs in the caller (names come from validated GUIDs and constants), hence `internal`.
 */
function splitRelative(rel: string, allowRoot: boolean): string[] {
  const refuse = (why: string): CapstanError =>
    new CapstanError('internal', `refusing the ESP path ${JSON.stringify(rel)}: ${why}`);
  if (rel.startsWith('/')) throw refuse('it is absolute');
  if (rel.includes('\\') || rel.includes('\0')) throw refuse('it contains a backslash or NUL');
  const parts = rel.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw refuse('it contains ..');
  if (parts.length === 0 && !allowRoot) throw refuse('it names the ESP itself');
  return parts;
}

function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

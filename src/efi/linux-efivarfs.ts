/**
 * LinuxEfivarfsStore: EFI variables as files `<root>/sys/firmware/efi/efivars/<Name>-<guid>`,
 * each holding a u32 LE attribute prefix and the data (STYLE.md §4, reference §13).
 *
 * - Reads are bounded (a file of 1-4 bytes is invalid, over 4 MiB + 4 is refused) and retried on
 *   EINTR/EAGAIN, which the kernel's efivarfs rate limit can produce.
 * - A write is one write() of attributes + data on a handle opened O_WRONLY|O_CREAT without
 *   O_TRUNC: efivarfs replaces the whole variable on every write. On a plain filesystem (a test
 *   or image root) the same handle is opened with O_TRUNC, or a shorter value would leave a stale
 *   tail; which one it is comes from statfs (efivarfs magic 0xde5e81e4), falling back to the
 *   mount table.
 * - FS_IMMUTABLE_FL is cleared before a rewrite or unlink and restored afterwards if it was set.
 *   On efivarfs a file capstan creates is then marked immutable, as fwupd does; on a plain
 *   filesystem it is not (the flag protects nothing there and would make the tree undeletable).
 *   ENOTTY/ENOSYS/EINVAL/EOPNOTSUPP from the ioctl mean "no flags here": proceed.
 * - Errno values become CapstanErrors with advice.
 *
 * All I/O goes through `io`, which tests replace to inject faults; production passes nothing.
 */
import fs from 'node:fs';
import type { Context } from '../core/context.js';
import { CapstanError, type ErrorOptions } from '../core/errors.js';
import type { ErrorCode } from '../core/exit-codes.js';
import { errnoOf } from '../core/root-fs.js';
import { dataView } from './bytes.js';
import { EFIVARS_DIR, type EfiVariable } from './efivarfs.js';
import { isGuid } from './guid.js';
import { createInodeFlagsAccess, EFIVARFS_MAGIC, FS_IMMUTABLE_FL, NO_INODE_FLAGS } from './inode-flags.js';
import { findMount, readMounts } from './mounts.js';
import {
  assertVariableId,
  checkVariableWrite,
  compareVarNames,
  EFI_VARIABLE_APPEND_WRITE,
  EFI_VARIABLE_MAX_DATA,
  type EfiVarName,
  type EfiVarStore,
} from './store.js';

/** The file-system seam. Every member defaults to the real implementation. */
export interface EfivarfsIo {
  openSync(path: string, flags: number, mode?: number): number;
  writeSync(fd: number, data: Uint8Array): number;
  closeSync(fd: number): void;
  unlinkSync(path: string): void;
  readFileSync(path: string): Uint8Array;
  existsSync(path: string): boolean;
  readdirSync(path: string): string[];
  /** FS_IOC_GETFLAGS; throws an errno-coded Error (ENOTTY etc. mean "no flags"), or undefined for none. */
  ioctlFlags(path: string): number | undefined;
  setIoctlFlags(path: string, flags: number): void;
  /** statfs f_type of a directory, undefined if it cannot be asked. */
  fsType(path: string): number | undefined;
  /** Pause between read retries. */
  sleep(milliseconds: number): void;
}

export const READ_ATTEMPTS = 5;
const RETRY_DELAY_MS = 50;

export function createDefaultEfivarfsIo(): EfivarfsIo {
  const flags = createInodeFlagsAccess();
  return {
    openSync: (path, openFlags, mode) => fs.openSync(path, openFlags, mode),
    writeSync: (fd, data) => fs.writeSync(fd, data),
    closeSync: (fd) => fs.closeSync(fd),
    unlinkSync: (path) => fs.unlinkSync(path),
    readFileSync: (path) => fs.readFileSync(path),
    existsSync: (path) => fs.existsSync(path),
    readdirSync: (path) => fs.readdirSync(path),
    ioctlFlags: (path) => flags.get(path),
    setIoctlFlags: (path, value) => flags.set(path, value),
    fsType: (path) => {
      try {
        return fs.statfsSync(path).type;
      } catch {
        return undefined;
      }
    },
    sleep: (milliseconds) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds),
  };
}

type Phase = 'reading' | 'writing' | 'deleting' | 'clearing the immutable flag of' | 'listing';

export class LinuxEfivarfsStore implements EfiVarStore {
  readonly #ctx: Context;
  readonly #io: EfivarfsIo;

  constructor(ctx: Context, io: Partial<EfivarfsIo> = {}) {
    this.#ctx = ctx;
    this.#io = { ...createDefaultEfivarfsIo(), ...io };
  }

  /** `/sys/firmware/efi/efivars/<name>-<guid>` as the system sees it. */
  systemPath(guid: string, name: string): string {
    return `${EFIVARS_DIR}/${name}-${guid}`;
  }

  supported(): boolean {
    return this.#io.existsSync(this.#ctx.paths.resolve(EFIVARS_DIR));
  }

  /** Is the variables directory really efivarfs (as opposed to a plain directory under a root)? */
  isEfivarfs(): boolean {
    const type = this.#io.fsType(this.#ctx.paths.resolve(EFIVARS_DIR));
    if (type !== undefined) return type === EFIVARFS_MAGIC;
    return findMount(readMounts(this.#ctx), EFIVARS_DIR)?.fsType === 'efivarfs';
  }

  get(guid: string, name: string): EfiVariable | undefined {
    assertVariableId(guid, name);
    const systemPath = this.systemPath(guid, name);
    const path = this.#ctx.paths.resolve(systemPath);
    let bytes: Uint8Array | undefined;
    for (let attempt = 1; bytes === undefined; attempt++) {
      try {
        bytes = this.#io.readFileSync(path);
      } catch (error) {
        const code = errnoOf(error);
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        if ((code === 'EINTR' || code === 'EAGAIN') && attempt < READ_ATTEMPTS) {
          this.#io.sleep(RETRY_DELAY_MS * attempt);
          continue;
        }
        throw this.#translate(error, 'reading', guid, name);
      }
    }
    // A zero-length file is a variable being created (or one the firmware dropped): not there.
    if (bytes.length === 0) return undefined;
    if (bytes.length <= 4) {
      throw this.#error(
        'io-error',
        `efi variable ${name}-${guid} is ${bytes.length} bytes: no data after its attributes`,
        {
          hint: 'the kernel reported a truncated variable; check dmesg for efivarfs errors',
          details: { guid, name, size: bytes.length },
        },
      );
    }
    if (bytes.length > EFI_VARIABLE_MAX_DATA + 4) {
      throw this.#error(
        'io-error',
        `refusing to read efi variable ${name}-${guid}: ${bytes.length} bytes is over 4 MiB`,
        {
          hint: 'no firmware variable is this large; the file is not a real EFI variable',
          details: { guid, name, size: bytes.length },
        },
      );
    }
    return { attributes: dataView(bytes).getUint32(0, true), data: new Uint8Array(bytes.subarray(4)) };
  }

  set(guid: string, name: string, attributes: number, data: Uint8Array): void {
    checkVariableWrite(guid, name, attributes, data);
    if (!this.supported()) throw this.#unavailable();
    const path = this.#ctx.paths.resolve(this.systemPath(guid, name));
    const efivarfs = this.isEfivarfs();
    const existed = this.#io.existsSync(path);
    const cleared = existed ? this.#clearImmutable(path, guid, name) : undefined;

    const append = (attributes & EFI_VARIABLE_APPEND_WRITE) !== 0;
    const buffer = new Uint8Array(4 + data.length);
    // efivarfs needs APPEND_WRITE in the prefix to append; a plain file stores what a read returns.
    dataView(buffer).setUint32(0, (efivarfs ? attributes : attributes & ~EFI_VARIABLE_APPEND_WRITE) >>> 0, true);
    buffer.set(data, 4);
    const { O_WRONLY, O_CREAT, O_TRUNC, O_APPEND } = fs.constants;
    let openFlags = O_WRONLY | O_CREAT;
    let payload = buffer;
    if (append && efivarfs) openFlags |= O_APPEND;
    else if (append && existed) {
      // A plain file has no kernel to merge an append: add the data after what is there.
      openFlags |= O_APPEND;
      payload = buffer.subarray(4);
    } else if (!efivarfs) openFlags |= O_TRUNC;

    let fd: number | undefined;
    try {
      fd = this.#io.openSync(path, openFlags, 0o600);
      const written = this.#io.writeSync(fd, payload);
      if (written !== payload.length) {
        throw Object.assign(new Error(`short write: ${written} of ${payload.length} bytes`), { code: 'EIO' });
      }
    } catch (error) {
      this.#closeQuietly(fd);
      fd = undefined;
      if (cleared !== undefined) this.#restoreImmutable(path, cleared, guid, name);
      if (!existed) this.#unlinkQuietly(path);
      throw this.#translate(error, 'writing', guid, name);
    } finally {
      if (fd !== undefined) this.#io.closeSync(fd);
    }

    if (cleared !== undefined) this.#restoreImmutable(path, cleared, guid, name);
    else if (!existed && efivarfs) this.#markImmutable(path, guid, name);
  }

  delete(guid: string, name: string): void {
    assertVariableId(guid, name);
    const path = this.#ctx.paths.resolve(this.systemPath(guid, name));
    if (!this.#io.existsSync(path)) return;
    const cleared = this.#clearImmutable(path, guid, name);
    try {
      this.#io.unlinkSync(path);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return;
      if (cleared !== undefined) this.#restoreImmutable(path, cleared, guid, name);
      throw this.#translate(error, 'deleting', guid, name);
    }
  }

  names(guid?: string): EfiVarName[] {
    if (guid !== undefined && !isGuid(guid)) throw new TypeError(`not a lower-case guid: ${guid}`);
    let files: string[];
    try {
      files = this.#io.readdirSync(this.#ctx.paths.resolve(EFIVARS_DIR));
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw this.#translate(error, 'listing', guid ?? '', '');
    }
    const names: EfiVarName[] = [];
    for (const file of files) {
      if (file.length < 38 || file[file.length - 37] !== '-') continue;
      const fileGuid = file.slice(-36);
      if (!isGuid(fileGuid) || (guid !== undefined && fileGuid !== guid)) continue;
      names.push({ guid: fileGuid, name: file.slice(0, -37) });
    }
    return names.sort(compareVarNames);
  }

  /** Current inode flags, or undefined when the filesystem keeps none (or the file vanished). */
  #readFlags(path: string, guid: string, name: string): number | undefined {
    try {
      return this.#io.ioctlFlags(path);
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'ENOENT' || (code !== undefined && NO_INODE_FLAGS.has(code))) return undefined;
      throw this.#translate(error, 'clearing the immutable flag of', guid, name);
    }
  }

  /** Clears FS_IMMUTABLE_FL if set; returns the flags to restore, or undefined if nothing was cleared. */
  #clearImmutable(path: string, guid: string, name: string): number | undefined {
    const flags = this.#readFlags(path, guid, name);
    if (flags === undefined || (flags & FS_IMMUTABLE_FL) === 0) return undefined;
    try {
      this.#io.setIoctlFlags(path, flags & ~FS_IMMUTABLE_FL);
    } catch (error) {
      const code = errnoOf(error);
      if (code !== undefined && NO_INODE_FLAGS.has(code)) return undefined;
      throw this.#translate(error, 'clearing the immutable flag of', guid, name);
    }
    return flags;
  }

  /** Puts the saved flags back. The value is already written, so a failure here only warns. */
  #restoreImmutable(path: string, flags: number, guid: string, name: string): void {
    try {
      this.#io.setIoctlFlags(path, flags);
    } catch (error) {
      this.#ctx.log.warn('could not restore the immutable flag of an efi variable', {
        variable: `${name}-${guid}`,
        errno: errnoOf(error) ?? String(error),
      });
    }
  }

  #markImmutable(path: string, guid: string, name: string): void {
    let flags: number | undefined;
    try {
      flags = this.#readFlags(path, guid, name);
    } catch {
      flags = undefined;
    }
    if (flags === undefined || (flags & FS_IMMUTABLE_FL) !== 0) return;
    this.#restoreImmutable(path, flags | FS_IMMUTABLE_FL, guid, name);
  }

  #closeQuietly(fd: number | undefined): void {
    if (fd === undefined) return;
    try {
      this.#io.closeSync(fd);
    } catch {
      // already failing; the original error matters
    }
  }

  #unlinkQuietly(path: string): void {
    try {
      this.#io.unlinkSync(path);
    } catch {
      // best effort: a variable that was never written
    }
  }

  #unavailable(): CapstanError {
    return this.#error('efivars-unavailable', `efivarfs is not mounted at ${this.#ctx.paths.display(EFIVARS_DIR)}`, {
      hint: 'mount it: mount -t efivarfs efivarfs /sys/firmware/efi/efivars',
    });
  }

  #error(code: ErrorCode, message: string, options: ErrorOptions): CapstanError {
    return new CapstanError(code, message, options);
  }

  #translate(error: unknown, phase: Phase, guid: string, name: string): CapstanError {
    if (error instanceof CapstanError) return error;
    const code = errnoOf(error) ?? 'EIO';
    const id = name === '' ? this.#ctx.paths.display(EFIVARS_DIR) : `efi variable ${name}-${guid}`;
    const message = `${phase} ${id}: ${code}`;
    const details = { guid, name, errno: code, path: this.#ctx.paths.display(this.systemPath(guid, name)) };
    const make = (errorCode: ErrorCode, hint: string): CapstanError =>
      new CapstanError(errorCode, message, { hint, cause: error, details });
    switch (code) {
      case 'EROFS':
        return make(
          'efivars-read-only',
          'remount efivarfs read-write (mount -o remount,rw /sys/firmware/efi/efivars), or use capsule-on-disk',
        );
      case 'EACCES':
        return make(
          'permission-denied',
          'run capstan as root: efivarfs is writable (and partly readable) by root only',
        );
      case 'EPERM':
        return make(
          'permission-denied',
          phase === 'clearing the immutable flag of'
            ? 'clearing the immutable flag needs CAP_LINUX_IMMUTABLE: run capstan as root'
            : phase === 'reading' || phase === 'listing'
              ? 'run capstan as root'
              : 'the immutable flag could not be cleared, or the firmware locks this variable (Secure Boot or a variable policy); run as root and check with lsattr',
        );
      case 'ENOSPC':
        return make('io-error', 'NVRAM is full: delete unused boot entries or reset NVRAM in firmware setup');
      case 'EINVAL':
        return phase === 'writing'
          ? make(
              'io-error',
              `the kernel rejected a malformed value for ${name}: this is a bug in capstan, please report it`,
            )
          : make('io-error', 'check the kernel log (dmesg) for efivarfs errors');
      case 'ENOENT':
        return make('efivars-unavailable', 'mount efivarfs: mount -t efivarfs efivarfs /sys/firmware/efi/efivars');
      case 'EIO':
        return make('io-error', 'the firmware refused the operation; check the kernel log (dmesg)');
      default:
        return make('io-error', 'check the kernel log (dmesg) for efivarfs errors');
    }
  }
}

/**
 * Inode flags (FS_IOC_GETFLAGS / FS_IOC_SETFLAGS), needed to clear FS_IMMUTABLE_FL on efivarfs
 * files before rewriting or deleting them. Node has no ioctl: koffi calls libc's, loaded on first
 * use; if koffi cannot load, `lsattr -d` / `chattr ±i` do the same through a process (slower, and
 * only the immutable bit is visible that way).
 *
 * Failures throw an Error whose `code` is the errno name (ENOTTY, EPERM, ...), like node:fs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

export const FS_IOC_GETFLAGS = 0x80086601;
export const FS_IOC_SETFLAGS = 0x40086602;
export const FS_IMMUTABLE_FL = 0x10;
/** statfs f_type of efivarfs. */
export const EFIVARFS_MAGIC = 0xde5e81e4;

/** Errno names meaning "this filesystem keeps no inode flags": proceed as if mutable. */
export const NO_INODE_FLAGS = new Set(['ENOTTY', 'ENOSYS', 'EINVAL', 'EOPNOTSUPP', 'ENOTSUP']);

export interface InodeFlagsAccess {
  /** Which mechanism answers: `ioctl` (koffi) or `chattr` (spawned lsattr/chattr). */
  readonly mechanism: () => 'ioctl' | 'chattr';
  get(path: string): number;
  set(path: string, flags: number): void;
}

function errnoError(code: string, syscall: string, path: string): Error {
  return Object.assign(new Error(`${syscall} ${path}: ${code}`), { code, syscall, path });
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(os.constants.errno).map(([name, value]) => [value, name]));

type IoctlFunction = (fd: number, request: number, flags: number[]) => number;

interface Koffi {
  load(path: string): { func(definition: string): IoctlFunction };
  errno(): number;
}

/**
 * The default access: koffi's ioctl if it loads, else lsattr/chattr. The library is loaded on the
 * first call and kept by this object only. `loadKoffi` replaces the loader (tests use it to force
 * the fallback).
 */
export function createInodeFlagsAccess(options: { loadKoffi?: () => unknown } = {}): InodeFlagsAccess {
  const loadKoffi = options.loadKoffi ?? (() => createRequire(import.meta.url)('koffi'));
  let ioctl: { call: IoctlFunction; errno: () => number } | null | undefined;
  const load = (): typeof ioctl => {
    if (ioctl !== undefined) return ioctl;
    try {
      const koffi = loadKoffi() as Koffi;
      const libc = koffi.load('libc.so.6');
      ioctl = { call: libc.func('int ioctl(int fd, unsigned long request, _Inout_ int *flags)'), errno: koffi.errno };
    } catch {
      ioctl = null;
    }
    return ioctl;
  };

  const withFd = <T>(path: string, run: (fd: number) => T): T => {
    const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
    try {
      return run(fd);
    } finally {
      fs.closeSync(fd);
    }
  };

  const call = (fd: number, request: number, box: number[], path: string, name: string): void => {
    const lib = load();
    if (lib === null || lib === undefined) throw new Error('koffi is not available');
    if (lib.call(fd, request, box) < 0) {
      const errno = lib.errno();
      throw errnoError(ERRNO_NAMES.get(errno) ?? `errno ${errno}`, name, path);
    }
  };

  return {
    mechanism: () => (load() ? 'ioctl' : 'chattr'),
    get(path) {
      if (!load()) return lsattrImmutable(path);
      return withFd(path, (fd) => {
        const box = [0];
        call(fd, FS_IOC_GETFLAGS, box, path, 'FS_IOC_GETFLAGS');
        return (box[0] ?? 0) >>> 0;
      });
    },
    set(path, flags) {
      if (!load()) {
        chattrImmutable(path, (flags & FS_IMMUTABLE_FL) !== 0);
        return;
      }
      withFd(path, (fd) => call(fd, FS_IOC_SETFLAGS, [flags | 0], path, 'FS_IOC_SETFLAGS'));
    },
  };
}

/** Maps lsattr/chattr's strerror text back to an errno name. */
function errnoFromMessage(text: string): string {
  const table: Array<[RegExp, string]> = [
    [/Inappropriate ioctl/i, 'ENOTTY'],
    [/Operation not supported/i, 'EOPNOTSUPP'],
    [/Function not implemented/i, 'ENOSYS'],
    [/Operation not permitted/i, 'EPERM'],
    [/Permission denied/i, 'EACCES'],
    [/Read-only file system/i, 'EROFS'],
    [/No such file/i, 'ENOENT'],
    [/Invalid argument/i, 'EINVAL'],
  ];
  return table.find(([pattern]) => pattern.test(text))?.[1] ?? 'EIO';
}

function run(command: string, args: string[], path: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  if (result.error !== undefined) throw errnoError('ENOSYS', command, path);
  if (result.status !== 0) throw errnoError(errnoFromMessage(result.stderr), command, path);
  return result.stdout;
}

function lsattrImmutable(path: string): number {
  const flags = run('lsattr', ['-d', '--', path], path).trim().split(/\s+/)[0] ?? '';
  return flags.includes('i') ? FS_IMMUTABLE_FL : 0;
}

function chattrImmutable(path: string, immutable: boolean): void {
  run('chattr', [immutable ? '+i' : '-i', '--', path], path);
}

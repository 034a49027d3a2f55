import fs from 'node:fs';
import path from 'node:path';
import { CapstanError } from './errors.js';
import type { PathStore } from './paths.js';

/**
 * Read-side file access for system files, always through the PathStore. Errno values are
 * turned into typed errors with advice; "file absent" is a normal answer (`undefined`), not an error.
 */
export class RootFs {
  constructor(readonly paths: PathStore) {}

  /** Text of a file, or undefined if it (or a parent) does not exist. */
  tryReadText(systemPath: string): string | undefined {
    try {
      return fs.readFileSync(this.paths.resolve(systemPath), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.translate(error, systemPath, 'reading');
    }
  }

  tryReadBytes(systemPath: string): Buffer | undefined {
    try {
      return fs.readFileSync(this.paths.resolve(systemPath));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.translate(error, systemPath, 'reading');
    }
  }

  /** File names in a directory (sorted), or undefined if it does not exist or is not a directory. */
  tryListDir(systemPath: string): string[] | undefined {
    try {
      return fs.readdirSync(this.paths.resolve(systemPath)).sort();
    } catch (error) {
      if (isMissing(error) || errnoOf(error) === 'ENOTDIR') return undefined;
      throw this.translate(error, systemPath, 'listing');
    }
  }

  exists(systemPath: string): boolean {
    return fs.existsSync(this.paths.resolve(systemPath));
  }

  isDirectory(systemPath: string): boolean {
    try {
      return fs.statSync(this.paths.resolve(systemPath)).isDirectory();
    } catch (error) {
      if (isMissing(error) || errnoOf(error) === 'ENOTDIR') return false;
      throw this.translate(error, systemPath, 'inspecting');
    }
  }

  /**
   * Replaces a file atomically: a temporary file in the same directory, written and fsynced, then
   * renamed over the target, then the directory fsynced. Parent directories are created (0755).
   * Refuses to replace a symlink.
   */
  writeFileAtomic(systemPath: string, data: Uint8Array | string, mode = 0o644): void {
    const target = this.paths.resolve(systemPath);
    const directory = path.dirname(target);
    const temporary = path.join(directory, `.${path.basename(target)}.capstan-${process.pid}.tmp`);
    try {
      fs.mkdirSync(directory, { recursive: true, mode: 0o755 });
      if (fs.lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink()) {
        throw Object.assign(new Error('target is a symlink'), { code: 'ELOOP' });
      }
      const fd = fs.openSync(temporary, 'wx', mode);
      try {
        fs.writeFileSync(fd, data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temporary, target);
      const dirFd = fs.openSync(directory, 'r');
      try {
        fs.fsyncSync(dirFd);
      } finally {
        fs.closeSync(dirFd);
      }
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      throw this.translate(error, systemPath, 'writing');
    }
  }

  translate(error: unknown, systemPath: string, verb: string): CapstanError {
    const shown = this.paths.display(systemPath);
    const code = errnoOf(error);
    if (code === 'EACCES' || code === 'EPERM') {
      return new CapstanError('permission-denied', `${verb} ${shown}: ${code}`, {
        hint: 'run capstan as root: the ESRT and EFI files are readable by root only',
        cause: error,
      });
    }
    const hints: Record<string, string> = {
      EROFS: 'the filesystem is mounted read-only; remount it read-write',
      ENOSPC: 'the filesystem is full; free some space',
      ELOOP: 'refusing to write through a symlink; remove it',
    };
    return new CapstanError('io-error', `${verb} ${shown}: ${code ?? String(error)}`, {
      hint:
        (code === undefined ? undefined : hints[code]) ?? 'check the kernel log (dmesg) for the underlying I/O problem',
      cause: error,
    });
  }
}

export function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function isMissing(error: unknown): boolean {
  return errnoOf(error) === 'ENOENT';
}

import { CapstanError } from '../../core/errors.js';

/** Hints: one line each, telling the administrator what to do. */
export const HINT_CORRUPT = 're-download the cabinet; it is corrupt';
export const HINT_METHOD = 'ask the vendor for a cabinet compressed with MSZIP or stored (gcab -c -z or gcab -c)';
export const HINT_MULTI = 'ask the vendor for a single self-contained cabinet; multi-cabinet sets are not supported';
export const HINT_LIMIT = 'check where the cabinet came from; firmware cabinets never need this much';

type Details = Record<string, unknown>;

/** Malformed, corrupt or truncated input. */
export function cabInvalid(message: string, details: Details = {}): CapstanError {
  return new CapstanError('cab-invalid', message, { hint: HINT_CORRUPT, details });
}

/** A well-formed cabinet using a feature capstan does not read. */
export function cabUnsupported(message: string, hint: string, details: Details = {}): CapstanError {
  return new CapstanError('cab-unsupported', message, { hint, details });
}

/** A safety limit (files, sizes, ratio) was exceeded. */
export function cabLimitExceeded(message: string, details: Details = {}): CapstanError {
  return new CapstanError('cab-limit-exceeded', message, { hint: HINT_LIMIT, details });
}

export function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

const IO_HINTS: Record<string, string> = {
  ENOENT: 'check the path; the file does not exist',
  EACCES: 'run capstan as root or make the file readable',
  EPERM: 'run capstan as root or make the file readable',
  EISDIR: 'give the path of a cabinet file, not a directory',
  ENOSPC: 'the filesystem is full; free some space',
  EROFS: 'the filesystem is mounted read-only; extract somewhere writable',
  EEXIST: 'extract into an empty directory; capstan never overwrites files',
  ELOOP: 'refusing to follow a symlink; extract into a directory without symlinks',
};

/** Turns an errno error into `io-error`, passing a CapstanError through unchanged. */
export function ioError(verb: string, target: string, error: unknown): CapstanError {
  if (error instanceof CapstanError) return error;
  const code = errnoOf(error);
  return new CapstanError('io-error', `${verb} ${target}: ${code ?? String(error)}`, {
    hint: (code === undefined ? undefined : IO_HINTS[code]) ?? 'check the kernel log (dmesg) for the I/O problem',
    cause: error,
    details: { path: target, ...(code === undefined ? {} : { errno: code }) },
  });
}

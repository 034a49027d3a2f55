import { type ErrorCode, exitStatusFor } from './exit-codes.js';

export interface ErrorOptions {
  /** One line telling the administrator what to do next. */
  hint?: string;
  cause?: unknown;
  /** Machine-readable facts behind the error, copied into `--json` output. */
  details?: Record<string, unknown>;
}

/**
 * The only error type domain code throws on purpose. `code` is stable (documented in
 * docs/exit-codes.md); `message` is for people: lower-case, no trailing full stop, the concrete
 * fact last.
 */
export class CapstanError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CapstanError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitStatus(): number {
    return exitStatusFor(this.code);
  }
}

export function isCapstanError(error: unknown): error is CapstanError {
  return error instanceof CapstanError;
}

/** Adds context in front of an error as it travels up, keeping its code and hint. */
export function withContext(context: string, error: unknown): CapstanError {
  if (error instanceof CapstanError) {
    return new CapstanError(error.code, `${context}: ${error.message}`, {
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.details === undefined ? {} : { details: error.details }),
      cause: error,
    });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new CapstanError('internal', `${context}: ${text}`, { cause: error });
}

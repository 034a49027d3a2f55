import { CapstanError, type ErrorOptions } from '../core/errors.js';

/** The codes this module throws (exit status 5, "this machine cannot be handled"). */
export const ESP_ERROR_CODES = ['esp-not-found', 'esp-invalid'] as const;

export type EspErrorCode = (typeof ESP_ERROR_CODES)[number];

/**
 * - `esp-not-found`: no candidate (explicit path, /efi, /boot, /boot/efi) is a usable ESP; `details.candidates`
 *   lists each rejection.
 * - `esp-invalid`: the ESP (or a partition being examined) cannot be used as it is: a symlink inside the ESP, a
 *   partition table that does not match the kernel's view, a CRC mismatch, ...
 */
export function espError(code: EspErrorCode, message: string, options: ErrorOptions = {}): CapstanError {
  return new CapstanError(code, message, options);
}

export function isEspError(error: unknown, code?: EspErrorCode): error is CapstanError {
  return (
    error instanceof CapstanError &&
    (ESP_ERROR_CODES as readonly string[]).includes(error.code) &&
    (code === undefined || (error.code as string) === code)
  );
}

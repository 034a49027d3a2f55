/** Assertion helper: a promise rejects with a CapstanError of this code whose message matches. */
import { expect } from 'vitest';
import { CapstanError } from '../../../src/core/errors.js';
import type { ErrorCode } from '../../../src/core/exit-codes.js';

export async function expectCabError(
  promise: Promise<unknown>,
  code: ErrorCode,
  message?: RegExp | string,
): Promise<CapstanError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a rejection').toBeInstanceOf(CapstanError);
  const error = caught as CapstanError;
  expect({ code: error.code, message: error.message }).toMatchObject({ code });
  if (message !== undefined) expect(error.message).toMatch(message);
  // The project rule (test/conventions.test.ts): no capitalised first word (acronyms such as CFDATA are
  // fine), no trailing full stop.
  expect(error.message, 'lower-case, no trailing full stop').toMatch(/^(?![A-Z][a-z]).*[^.]$/s);
  expect(error.hint, 'one-line hint').toMatch(/^[^\n]+$/);
  return error;
}

import fs from 'node:fs';
import { CapstanError } from '../../core/errors.js';
import { errnoOf } from '../../core/root-fs.js';

/**
 * Writes a file the user named on the command line (a user path, not under --root): a temporary file
 * beside it, renamed into place, so a failure never leaves half a file. `what` and `hint` shape the
 * error ("writing plan FILE: EACCES").
 */
export function writeUserFileAtomic(target: string, data: Uint8Array | string, what: string, hint: string): void {
  const temporary = `${target}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temporary, data, { mode: 0o644, flag: 'wx' });
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    const code = errnoOf(error);
    throw new CapstanError(
      code === 'EACCES' ? 'permission-denied' : 'io-error',
      `writing ${what}${target}: ${code ?? String(error)}`,
      {
        hint,
        cause: error,
      },
    );
  }
}

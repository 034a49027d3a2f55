import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { errnoOf } from '../core/root-fs.js';

export const LOCK_FILE = '/run/capstan/capstan.lock';

export interface Lock {
  release(): void;
}

/**
 * One capstan changes a machine at a time: `<root>/run/capstan/capstan.lock` holds the owner's pid,
 * created with O_EXCL. A lock whose process is gone (a crash) is taken over; a live owner makes the
 * second run fail with `busy` (exit 10). `isAlive` is injectable for tests.
 */
export function acquireLock(ctx: Context, isAlive: (pid: number) => boolean = processIsAlive): Lock {
  const file = ctx.paths.resolve(LOCK_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o644);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw ctx.fs.translate(error, LOCK_FILE, 'creating');
    }
    const owner = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new CapstanError('busy', `another capstan (pid ${owner}) is changing this machine`, {
        hint: `wait for it to finish; if no capstan is running, remove ${ctx.paths.display(LOCK_FILE)}`,
        details: { pid: owner },
      });
    }
    // stale: its owner is gone; remove it and try again (O_EXCL decides between racing takers)
    fs.rmSync(file, { force: true });
  }
  throw new CapstanError('busy', `could not take ${ctx.paths.display(LOCK_FILE)}`, {
    hint: 'another capstan is starting; try again',
  });
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) === 'EPERM';
  }
}

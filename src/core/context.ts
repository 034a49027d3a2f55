import { type Logger, silentLogger } from './log.js';
import { PathStore } from './paths.js';
import { RootFs } from './root-fs.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface Options {
  /** Trust the last ESRT entry's tail on Xen builds known to carry the copy fix (commit 3ea44aa78c). */
  xenEsrtFixed: boolean;
  /** A raw ESRT dump to use instead of the machine's sysfs ESRT. */
  esrtFile?: string;
}

/**
 * Everything a command needs, built once in cli/main.ts and passed explicitly. Nothing else reads
 * process.env, the clock or absolute paths.
 */
export interface Context {
  paths: PathStore;
  /** The environment as the process received it (proxy variables, CAPSTAN_*); never process.env. */
  env: Readonly<Record<string, string | undefined>>;
  fs: RootFs;
  clock: Clock;
  log: Logger;
  options: Options;
}

export function createContext(init: {
  root: string;
  env?: Readonly<Record<string, string | undefined>>;
  clock?: Clock;
  log?: Logger;
  options?: Partial<Options>;
}): Context {
  const paths = new PathStore(init.root);
  return {
    paths,
    env: init.env ?? {},
    fs: new RootFs(paths),
    clock: init.clock ?? systemClock,
    log: init.log ?? silentLogger,
    options: { xenEsrtFixed: false, ...init.options },
  };
}

import path from 'node:path';

/**
 * Resolves every system path under one root (`--root`, `CAPSTAN_ROOT`, default `/`), so that a
 * test machine is a directory. No other module builds absolute system paths.
 * Confinement is lexical: `..` cannot climb out of the root.
 */
export class PathStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Maps an absolute system path such as `/sys/firmware/efi` into the root. */
  resolve(systemPath: string): string {
    if (!systemPath.startsWith('/')) {
      throw new TypeError(`system path must be absolute: ${systemPath}`);
    }
    const normal = path.posix.normalize(systemPath);
    return this.root === '/' ? normal : path.join(this.root, normal);
  }

  /** Shows a resolved path the way an administrator thinks of it (`<root>/sys/...` under a test root). */
  display(systemPath: string): string {
    return this.root === '/' ? systemPath : `${this.root}${systemPath}`;
  }

  get isHostRoot(): boolean {
    return this.root === '/';
  }

  /** State directories from the layout contract. */
  get configDir(): string {
    return '/etc/capstan';
  }
  get stateDir(): string {
    return '/var/lib/capstan';
  }
  get cacheDir(): string {
    return '/var/cache/capstan';
  }
}

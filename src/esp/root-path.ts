import fs from 'node:fs';
import type { Context } from '../core/context.js';
import { errnoOf } from '../core/root-fs.js';
import { espError } from './errors.js';

const MAX_SYMLINKS = 40;

/**
 * The canonical system path of `systemPath` (no symlinks, no `.`/`..`), following symlinks the way
 * a chroot into the root would, as systemd's `chase()` with a root prefix does:
 * - a relative link resolves against the link's own directory (a sysfs `/sys/dev/block/254:1` →
 *   `../../devices/virtual/block/vda/vda1`);
 * - an absolute link target is a *system* path, so it resolves under the root again, never on the host;
 * - `..` is applied after resolving what precedes it (`/sys/dev/block/254:1/..` is the disk directory),
 *   and `..` at `/` stays at `/`, as in a chroot, so no link can lead out of the root;
 * - more than 40 links are refused (`esp-invalid`).
 * Returns undefined if a component does not exist (or is not a directory where one is needed).
 */
export function tryRealpathInRoot(ctx: Context, systemPath: string): string | undefined {
  const paths = ctx.paths;
  if (!systemPath.startsWith('/')) throw new TypeError(`system path must be absolute: ${systemPath}`);
  const pending = systemPath.split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = `/${[...resolved, part].join('/')}`;
    let stats: fs.Stats | undefined;
    try {
      stats = fs.lstatSync(paths.resolve(candidate), { throwIfNoEntry: false });
    } catch (error) {
      if (errnoOf(error) === 'ENOTDIR') return undefined;
      throw ctx.fs.translate(error, candidate, 'inspecting');
    }
    if (stats === undefined) return undefined;
    if (!stats.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) {
      throw espError('esp-invalid', `too many levels of symlinks resolving ${systemPath}`);
    }
    let target: string;
    try {
      target = fs.readlinkSync(paths.resolve(candidate));
    } catch (error) {
      throw ctx.fs.translate(error, candidate, 'reading the link');
    }
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return `/${resolved.join('/')}`;
}

import type { Context } from '../../core/context.js';
import { CapstanError } from '../../core/errors.js';
import { setKeyFileValue } from '../../core/key-file.js';
import { orderRemotes } from './order.js';
import { REMOTE_GROUP, type Remote, readRemoteKeyFile, readRemotes } from './remote.js';

export { orderRemotes } from './order.js';
export type { Remote, RemoteKind } from './remote.js';
export { REMOTES_DIR, readRemotes } from './remote.js';

/** All remotes, highest priority first. */
export function listRemotes(ctx: Context): Remote[] {
  return orderRemotes(readRemotes(ctx));
}

export function findRemote(ctx: Context, id: string): Remote {
  const remotes = listRemotes(ctx);
  const remote = remotes.find((r) => r.id === id);
  if (remote === undefined) {
    throw new CapstanError(
      'remote-not-found',
      `no remote ${JSON.stringify(id)} in ${ctx.paths.display('/etc/capstan/remotes.d')}`,
      {
        hint:
          remotes.length === 0
            ? 'add a remote file to /etc/capstan/remotes.d (see docs/config.md)'
            : `known remotes: ${remotes.map((r) => r.id).join(', ')}`,
      },
    );
  }
  return remote;
}

/** Rewrites only the `Enabled=` line of the remote's file (comments and other keys untouched). */
export function setRemoteEnabled(ctx: Context, id: string, enabled: boolean): { remote: Remote; changed: boolean } {
  const remote = findRemote(ctx, id);
  if (remote.enabled === enabled) return { remote, changed: false };
  const text = setKeyFileValue(readRemoteKeyFile(ctx, remote), REMOTE_GROUP, 'Enabled', enabled ? 'true' : 'false');
  ctx.fs.writeFileAtomic(remote.file, text);
  return { remote: { ...remote, enabled }, changed: true };
}

import { readCatalogIndex } from '../../catalog/index-store.js';
import type { Remote } from '../../catalog/remotes/index.js';
import { listRemotes, setRemoteEnabled } from '../../catalog/remotes/index.js';
import type { Context } from '../../core/context.js';
import { writeJson } from '../output/json.js';
import { chooseStyle, formatTable } from '../output/text.js';
import type { CommandInvocation } from '../program.js';

/** `get-remotes`: every remote, highest priority first. Credentials are never printed. */
export function run({ ctx, io, global }: CommandInvocation): number {
  const remotes = listRemotes(ctx);
  if (global.json) {
    writeJson(io.stdout, {
      remotes: remotes.map((remote, index) => ({
        ...remoteView(remote, index + 1),
        metadata: metadataView(ctx, remote.id),
      })),
    });
    return 0;
  }
  if (remotes.length === 0) {
    io.stdout.write(`no remotes in ${ctx.paths.display('/etc/capstan/remotes.d')}\n`);
    return 0;
  }
  const style = chooseStyle(io, 'stdout');
  const rows = remotes.map((remote, index) => {
    const metadata = metadataView(ctx, remote.id);
    const age = metadata === null ? 'never refreshed' : `${metadata.ageDays} days, ${metadata.trust}`;
    return [
      String(index + 1),
      remote.id,
      remote.enabled ? 'yes' : 'no',
      remote.kind,
      age,
      scrubUri(remote.metadataUri),
    ];
  });
  io.stdout.write(`${formatTable(['PRIORITY', 'ID', 'ENABLED', 'KIND', 'METADATA AGE', 'URI'], rows, style)}\n`);
  return 0;
}

export function remoteView(remote: Remote, priority: number): Record<string, unknown> {
  return {
    id: remote.id,
    title: remote.title,
    enabled: remote.enabled,
    kind: remote.kind,
    priority,
    metadataUri: scrubUri(remote.metadataUri),
    firmwareBaseUri: remote.firmwareBaseUri === undefined ? null : scrubUri(remote.firmwareBaseUri),
    refreshInterval: remote.refreshInterval,
    approvalRequired: remote.approvalRequired,
    orderBefore: remote.orderBefore,
    orderAfter: remote.orderAfter,
    hasCredentials: remote.username !== undefined || remote.password !== undefined,
    file: remote.file,
    unknownKeys: remote.unknownKeys,
  };
}

/** Drops user-info from a URL before anything prints it. */
export function scrubUri(uri: string): string {
  return uri.replace(/^([a-z]+:\/\/)[^/@]*@/i, '$1');
}

export function runEnable(invocation: CommandInvocation): number {
  return toggle(invocation, true);
}

export function runDisable(invocation: CommandInvocation): number {
  return toggle(invocation, false);
}

function toggle({ ctx, io, global, args }: CommandInvocation, enabled: boolean): number {
  const id = args[0] ?? '';
  const { remote, changed } = setRemoteEnabled(ctx, id, enabled);
  if (global.json) {
    writeJson(io.stdout, { remote: remote.id, enabled, changed });
  } else if (!global.quiet) {
    io.stdout.write(
      changed
        ? `${enabled ? 'enabled' : 'disabled'} remote ${remote.id}\n`
        : `remote ${remote.id} was already ${enabled ? 'enabled' : 'disabled'}\n`,
    );
  }
  return 0;
}

/** What the last refresh left: age, trust, size; null if never refreshed. */
function metadataView(
  ctx: Context,
  remote: string,
): {
  refreshedAt: string;
  ageDays: number;
  trust: string;
  signedAt: string | null;
  components: number;
  releases: number;
} | null {
  const index = readCatalogIndex(ctx, remote);
  if (index === undefined) return null;
  const ageDays = Math.max(
    0,
    Math.round(((ctx.clock.now().getTime() - Date.parse(index.refreshedAt)) / 86_400_000) * 10) / 10,
  );
  return {
    refreshedAt: index.refreshedAt,
    ageDays,
    trust: index.trust,
    signedAt: index.signedAt,
    components: index.components,
    releases: index.releases,
  };
}

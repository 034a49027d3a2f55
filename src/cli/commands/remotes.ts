import type { Remote } from '../../catalog/remotes/index.js';
import { listRemotes, setRemoteEnabled } from '../../catalog/remotes/index.js';
import { writeJson } from '../output/json.js';
import { chooseStyle, formatTable } from '../output/text.js';
import type { CommandInvocation } from '../program.js';

/** `get-remotes`: every remote, highest priority first. Credentials are never printed. */
export function run({ ctx, io, global }: CommandInvocation): number {
  const remotes = listRemotes(ctx);
  if (global.json) {
    writeJson(io.stdout, { remotes: remotes.map((remote, index) => remoteView(remote, index + 1)) });
    return 0;
  }
  if (remotes.length === 0) {
    io.stdout.write(`no remotes in ${ctx.paths.display('/etc/capstan/remotes.d')}\n`);
    return 0;
  }
  const style = chooseStyle(io, 'stdout');
  const rows = remotes.map((remote, index) => [
    String(index + 1),
    remote.id,
    remote.enabled ? 'yes' : 'no',
    remote.kind,
    scrubUri(remote.metadataUri),
    remote.title,
  ]);
  io.stdout.write(`${formatTable(['PRIORITY', 'ID', 'ENABLED', 'KIND', 'METADATA', 'TITLE'], rows, style)}\n`);
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

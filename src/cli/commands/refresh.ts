import { refreshRemotes } from '../../catalog/refresh.js';
import { findRemote, listRemotes } from '../../catalog/remotes/index.js';
import { readConfig } from '../../core/config.js';
import { CapstanError } from '../../core/errors.js';
import { exitStatusFor } from '../../core/exit-codes.js';
import { writeJson } from '../output/json.js';
import type { CommandInvocation } from '../program.js';

/**
 * `refresh [REMOTE...]`: every enabled remote (or the named ones). Exit 0 when something was
 * updated, 2 (nothing to do, as fwupdmgr) when every remote was fresh or unchanged, otherwise the
 * status of the first failure; every remote is still tried.
 */
export async function run({ ctx, io, global, args, options }: CommandInvocation): Promise<number> {
  const config = readConfig(ctx);
  const remotes = args.length === 0 ? listRemotes(ctx).filter((r) => r.enabled) : args.map((id) => findRemote(ctx, id));
  if (remotes.length === 0) {
    throw new CapstanError('catalog-missing', 'no remote is enabled', {
      hint: 'enable one with capstan enable-remote ID',
    });
  }
  const tty = io.stderr.isTTY === true && !global.quiet && !global.json;
  const results = await refreshRemotes(ctx, config, remotes, {
    force: options.force === true,
    ...(tty
      ? {
          onProgress: (remote: string, received: number, total: number | undefined) => {
            const size =
              total === undefined
                ? `${(received / 1048576).toFixed(1)} MiB`
                : `${Math.floor((received * 100) / total)}%`;
            io.stderr.write(`\r\u001b[Kdownloading ${remote} metadata: ${size}`);
            if (total !== undefined && received >= total) io.stderr.write('\r\u001b[K');
          },
        }
      : {}),
  });
  const failure = results.find((r) => r.error !== undefined)?.error;
  const status =
    failure !== undefined
      ? exitStatusFor(failure.code)
      : results.some((r) => r.outcome === 'updated')
        ? 0
        : exitStatusFor('nothing-to-do');
  if (global.json) {
    writeJson(io.stdout, {
      remotes: results.map((r) => ({
        remote: r.remote,
        kind: r.kind,
        outcome: r.outcome,
        trust: r.trust ?? null,
        components: r.components ?? null,
        releases: r.releases ?? null,
        signedAt: r.signedAt ?? null,
        catalogSha256: r.catalogSha256 ?? null,
        error:
          r.error === undefined ? null : { code: r.error.code, message: r.error.message, hint: r.error.hint ?? '' },
      })),
    });
    return status;
  }
  for (const r of results) {
    if (r.error !== undefined) {
      io.stderr.write(`capstan: error: ${r.error.message}\n  fix: ${r.error.hint ?? ''}\n`);
      continue;
    }
    const what =
      r.outcome === 'fresh'
        ? 'metadata is fresh (use --force to download anyway)'
        : r.outcome === 'unchanged'
          ? 'metadata unchanged'
          : 'updated';
    const trust = r.trust === 'signed' ? `signed ${r.signedAt ?? ''}`.trim() : 'unsigned local catalog';
    if (!global.quiet)
      io.stdout.write(`${r.remote}: ${what}; ${r.components} components, ${r.releases} releases (${trust})\n`);
  }
  return status;
}

import path from 'node:path';
import { readConfig } from '../../core/config.js';
import { exitStatusFor } from '../../core/exit-codes.js';
import { makePlan, type PlanDocument, type PlanDocumentItem } from '../../engine/plan-session.js';
import { writeJson } from '../output/json.js';
import { chooseStyle, formatProblem, type Style } from '../output/text.js';
import { writeUserFileAtomic } from '../output/user-file.js';
import type { CommandInvocation } from '../program.js';
import { readMethod, readPolicy } from './policy.js';

/**
 * `plan [GUID...]`: exactly what `update` would do, every release with why it is or is not
 * eligible, and the pre-checks. `--output FILE` saves the plan document for `apply`. Exit 0 when
 * something would be done, 2 (nothing to do) otherwise.
 */
export async function run(invocation: CommandInvocation): Promise<number> {
  const { ctx, io, global, args, options } = invocation;
  const method = readMethod(options);
  const config = readConfig(ctx);
  // loaded only for --cab: the cabinet reader and the signature code (pkijs) are not needed otherwise
  const catalog =
    typeof options.cab === 'string'
      ? await (await import('../../engine/cabinet-catalog.js')).loadCabinetCatalog(
          ctx,
          config,
          path.resolve(io.cwd ?? process.cwd(), options.cab),
          options.allowUnsigned === true,
        )
      : undefined;
  const policy = readPolicy(options, args);
  // a cabinet names its release: plan exactly that one (older needs --allow-older, same --allow-reinstall)
  const cabRelease = catalog?.components[0]?.releases[0]?.version;
  const session = makePlan(
    ctx,
    config,
    cabRelease === undefined || policy.version !== undefined ? policy : { ...policy, version: cabRelease },
    {
      capstanVersion: invocation.version,
      ...(method === undefined ? {} : { method }),
      ...(catalog === undefined ? {} : { catalog }),
    },
  );
  const document = session.document;
  if (typeof options.output === 'string') {
    const target = path.resolve(io.cwd ?? process.cwd(), options.output);
    writeUserFileAtomic(
      target,
      `${JSON.stringify(document, null, 2)}\n`,
      'plan ',
      'choose a writable path for --output',
    );
  }
  const status = document.items.some((i) => i.action !== 'skip') ? 0 : exitStatusFor('nothing-to-do');
  if (global.json) {
    writeJson(io.stdout, document as unknown as Record<string, unknown>);
    return status;
  }
  io.stdout.write(formatPlan(document, chooseStyle(io, 'stdout')));
  if (typeof options.output === 'string' && !global.quiet) io.stdout.write(`plan saved to ${options.output}\n`);
  return status;
}

/** `get-updates [GUID...]`: the devices that have an eligible release, with every release explained. */
export function runGetUpdates(invocation: CommandInvocation): number {
  const { ctx, io, global, args, options } = invocation;
  const session = makePlan(ctx, readConfig(ctx), readPolicy(options, args), { capstanVersion: invocation.version });
  const items = session.document.items;
  const status = items.some((i) => i.action !== 'skip') ? 0 : exitStatusFor('nothing-to-do');
  if (global.json) {
    writeJson(io.stdout, {
      devices: items.map((item) => ({
        guid: item.guid,
        name: item.name,
        version: item.from.version,
        versionRaw: item.from.versionRaw,
        versionFormat: item.versionFormat,
        update: item.to,
        releases: item.releases,
        reasons: item.reasons,
      })),
      catalog: session.document.catalog,
      problems: session.document.problems,
    });
    return status;
  }
  const style = chooseStyle(io, 'stdout');
  io.stdout.write(formatItems(items, style, false));
  for (const p of session.document.problems) io.stdout.write(`${formatProblem(p, style)}\n`);
  if (status !== 0) io.stdout.write('No updates available.\n');
  return status;
}

function formatPlan(document: PlanDocument, style: Style): string {
  const lines = [formatItems(document.items, style, true)];
  if (document.prechecks.length > 0) {
    lines.push(style.bold('Pre-checks:'));
    for (const check of document.prechecks) {
      const label =
        check.status === 'pass'
          ? style.green('pass')
          : check.status === 'fail'
            ? style.red('FAIL')
            : style.yellow('????');
      lines.push(
        `  ${label}  ${check.id.padEnd(18)} ${check.message}${check.hint === undefined || check.status === 'pass' ? '' : `\n        ${style.dim('fix:')} ${check.hint}`}`,
      );
    }
    lines.push('');
  }
  for (const p of document.problems) lines.push(formatProblem(p, style));
  const actions = document.items.filter((i) => i.action !== 'skip');
  lines.push(
    actions.length === 0 ? 'Nothing to do.' : `${actions.length} device(s) would change; nothing has been written.`,
  );
  return `${lines.join('\n')}\n`;
}

function formatItems(items: readonly PlanDocumentItem[], style: Style, showMethod: boolean): string {
  const lines: string[] = [];
  for (const item of items) {
    const to = item.to === null ? '' : ` \u2192 ${item.to.version}`;
    const action = item.action === 'skip' ? style.dim('skip') : style.bold(item.action.toUpperCase());
    lines.push(`${style.bold(item.name)} ${item.guid}  ${item.from.version ?? '?'}${to}  ${action}`);
    if (item.action === 'skip') for (const reason of item.reasons) lines.push(`  ${reason.message}`);
    if (item.release !== null) {
      const trust = item.release.trust === 'signed' ? 'signed' : style.yellow('UNSIGNED, local');
      lines.push(`  from ${item.release.remote} (${trust}): ${item.release.location ?? 'no location'}`);
      if (showMethod && item.method !== null) lines.push(`  method: ${item.method.id} (${item.method.reason})`);
    }
    if (item.releases.length > 0) lines.push('  releases:');
    for (const release of item.releases) {
      const verdict = release.eligible ? style.green('eligible') : 'no      ';
      const why = release.reasons.map((r) => r.message).join('; ');
      lines.push(`    ${release.version.padEnd(14)} ${verdict}  ${why}`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

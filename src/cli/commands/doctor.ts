import { exitStatusFor } from '../../core/exit-codes.js';
import { type CheckResult, runDoctor, summarize } from '../../doctor/checks.js';
import { writeJson } from '../output/json.js';
import { chooseStyle, type Style } from '../output/text.js';
import type { CommandInvocation } from '../program.js';
import { esrtView, platformView } from './inventory.js';

/**
 * Exit status: 0 when no check fails; otherwise the status of the first failing check's error code
 * (so a script sees "unsupported machine" (5) apart from "efivars read-only" (8)).
 */
export function run({ ctx, io, global }: CommandInvocation): number {
  const report = runDoctor(ctx);
  const firstFail = report.checks.find((check) => check.status === 'fail');
  const status = firstFail?.code === undefined ? (firstFail === undefined ? 0 : 1) : exitStatusFor(firstFail.code);
  if (global.json) {
    writeJson(io.stdout, {
      platform:
        report.platform === undefined && ctx.options.esrtFile === undefined ? null : platformView(ctx, report.platform),
      esrt: report.esrt === undefined ? null : esrtView(report.esrt),
      checks: report.checks,
      summary: summarize(report.checks),
    });
    return status;
  }
  const style = chooseStyle(io, 'stdout');
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const lines = report.checks.map((check) => formatCheck(check, width, style));
  const counts = summarize(report.checks);
  lines.push('', `${counts.pass} passed, ${counts.warn} warning(s), ${counts.fail} failed, ${counts.skip} skipped`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return status;
}

function formatCheck(check: CheckResult, width: number, style: Style): string {
  const label = {
    pass: style.green('pass'),
    warn: style.yellow('warn'),
    fail: style.red('FAIL'),
    skip: style.dim('skip'),
  }[check.status];
  const head = `${label}  ${check.title.padEnd(width)}  ${check.message}`;
  return check.fix === undefined || check.fix === ''
    ? head
    : `${head}\n      ${' '.repeat(width)}  ${style.dim('fix:')} ${check.fix}`;
}

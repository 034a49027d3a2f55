import fs from 'node:fs';
import type { Context } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { errnoOf } from '../core/root-fs.js';
import { findEsrtLogFacts, readKernelLog } from '../platform/kernel-log.js';
import type { Platform } from '../platform/types.js';
import { checkEsrt } from './check.js';
import { parseEsrtDump } from './raw.js';
import { readSysfsEsrt } from './sysfs.js';
import type { EsrtVerdict, RawEsrtTable } from './types.js';

export type { EsrtEntry, EsrtStatus, EsrtVerdict, RawEsrtTable } from './types.js';

/**
 * The machine's ESRT with its trust verdict: from `--esrt-file` when given (planning for another
 * machine: no platform rules apply), otherwise from sysfs under the platform's policy.
 */
export function loadEsrt(ctx: Context, platform: Platform | undefined): EsrtVerdict {
  if (ctx.options.esrtFile !== undefined) {
    return checkEsrt(readEsrtFile(ctx.options.esrtFile), { notes: [] });
  }
  if (platform === undefined) {
    throw new CapstanError('internal', 'reading the sysfs ESRT needs a detected platform');
  }
  const raw = readSysfsEsrt(ctx);
  if (raw === undefined) {
    const log = readKernelLog(ctx);
    const reason = platform.adapter.explainMissingEsrt(
      platform.facts,
      log === undefined ? undefined : findEsrtLogFacts(log),
    );
    return { status: 'absent', source: null, problems: [reason], entries: [] };
  }
  return checkEsrt(raw, platform.adapter.esrtPolicy(platform.facts, { xenEsrtFixed: ctx.options.xenEsrtFixed }));
}

/** A raw dump named on the command line: a user path, not a system path, so it is not under --root. */
export function readEsrtFile(file: string): RawEsrtTable {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') {
      throw new CapstanError('file-not-found', `reading ESRT dump ${file}: no such file`, {
        hint: 'check the path given to --esrt-file',
      });
    }
    if (code === 'EISDIR') {
      throw new CapstanError('esrt-file-invalid', `reading ESRT dump ${file}: is a directory`, {
        hint: 'give the dump file written by `capstan export-esrt`, not a directory',
      });
    }
    throw new CapstanError(
      code === 'EACCES' ? 'permission-denied' : 'io-error',
      `reading ESRT dump ${file}: ${code ?? String(error)}`,
      {
        hint: 'check that the file is readable',
        cause: error,
      },
    );
  }
  return parseEsrtDump(bytes, file);
}

/** Turns a verdict that cannot be used into the error a command should fail with. */
export function requireUsableEsrt(verdict: EsrtVerdict): void {
  if (verdict.status === 'absent') {
    const reason = verdict.problems[0];
    throw new CapstanError('esrt-unavailable', reason?.message ?? 'no ESRT', {
      hint: reason?.hint ?? 'this machine has no ESRT',
      details: { problems: verdict.problems },
    });
  }
  if (verdict.status === 'hidden') {
    const errors = verdict.problems.filter((p) => p.severity === 'error');
    const first = errors[0];
    throw new CapstanError(
      'esrt-untrusted',
      `the ESRT failed ${errors.length === 1 ? 'a table check' : `${errors.length} table checks`} and is hidden: ${first?.message ?? 'unknown reason'}`,
      { hint: first?.hint ?? 'do not update firmware from this table', details: { problems: verdict.problems } },
    );
  }
}

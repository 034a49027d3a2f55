import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CapstanError } from '../../core/errors.js';
import { errnoOf } from '../../core/root-fs.js';
import { requireUsableEsrt } from '../../esrt/index.js';
import { formatEsrtDump } from '../../esrt/raw.js';
import type { EsrtEntry, EsrtEntryRecord } from '../../esrt/types.js';
import { writeJson } from '../output/json.js';
import type { CommandInvocation } from '../program.js';
import { readInventory } from './inventory.js';

/**
 * Writes the trusted ESRT as the raw UEFI table, so that `--esrt-file` can plan for this machine
 * elsewhere. Refuses a table that is hidden or has fields capstan does not trust: a dump would pass
 * garbage off as fact.
 */
export function run({ ctx, io, global, args }: CommandInvocation): number {
  const target = path.resolve(io.cwd ?? process.cwd(), args[0] ?? '');
  const inventory = readInventory(ctx);
  requireUsableEsrt(inventory.esrt);
  const records = inventory.esrt.entries.map(toRecord);
  const bytes = formatEsrtDump(records);
  writeFileAtomic(target, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (global.json) {
    writeJson(io.stdout, { file: target, entries: records.length, bytes: bytes.length, sha256 });
  } else if (!global.quiet) {
    io.stdout.write(`wrote ${records.length} ESRT entries (${bytes.length} bytes, sha256 ${sha256}) to ${target}\n`);
  }
  return 0;
}

function toRecord(entry: EsrtEntry): EsrtEntryRecord {
  const values = [
    entry.fwType,
    entry.fwVersion,
    entry.lowestSupportedFwVersion,
    entry.capsuleFlags,
    entry.lastAttemptVersion,
    entry.lastAttemptStatus,
  ];
  if (!entry.usable || values.some((value) => value === null)) {
    const reason = entry.problems.find((p) => p.severity !== 'info');
    throw new CapstanError(
      'esrt-untrusted',
      `${entry.name} has fields capstan does not trust${reason === undefined ? '' : `: ${reason.message}`}`,
      { hint: reason?.hint ?? 'fix the firmware or platform problem first' },
    );
  }
  return {
    fwClass: entry.fwClass,
    fwType: entry.fwType ?? 0,
    fwVersion: entry.fwVersion ?? 0,
    lowestSupportedFwVersion: entry.lowestSupportedFwVersion ?? 0,
    capsuleFlags: entry.capsuleFlags ?? 0,
    lastAttemptVersion: entry.lastAttemptVersion ?? 0,
    lastAttemptStatus: entry.lastAttemptStatus ?? 0,
  };
}

function writeFileAtomic(target: string, bytes: Uint8Array): void {
  const temporary = `${target}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temporary, bytes, { mode: 0o644, flag: 'wx' });
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    const code = errnoOf(error);
    throw new CapstanError(
      code === 'EACCES' ? 'permission-denied' : 'io-error',
      `writing ${target}: ${code ?? String(error)}`,
      {
        hint: 'choose a writable directory for the dump',
        cause: error,
      },
    );
  }
}

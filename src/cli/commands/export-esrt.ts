import { createHash } from 'node:crypto';
import path from 'node:path';
import { CapstanError } from '../../core/errors.js';
import { requireUsableEsrt } from '../../esrt/index.js';
import { formatEsrtDump } from '../../esrt/raw.js';
import { type EsrtEntry, type EsrtEntryRecord, NUMERIC_FIELDS } from '../../esrt/types.js';
import { writeJson } from '../output/json.js';
import { writeUserFileAtomic } from '../output/user-file.js';
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
  writeUserFileAtomic(target, bytes, '', 'choose a writable directory for the dump');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (global.json) {
    writeJson(io.stdout, { file: target, entries: records.length, bytes: bytes.length, sha256 });
  } else if (!global.quiet) {
    io.stdout.write(`wrote ${records.length} ESRT entries (${bytes.length} bytes, sha256 ${sha256}) to ${target}\n`);
  }
  return 0;
}

function toRecord(entry: EsrtEntry): EsrtEntryRecord {
  const missing = NUMERIC_FIELDS.some((field) => entry[field] === null);
  if (!entry.usable || missing) {
    const reason = entry.problems.find((p) => p.severity !== 'info');
    throw new CapstanError(
      'esrt-untrusted',
      `${entry.name} has fields capstan does not trust${reason === undefined ? '' : `: ${reason.message}`}`,
      { hint: reason?.hint ?? 'fix the firmware or platform problem first' },
    );
  }
  const record = { fwClass: entry.fwClass } as EsrtEntryRecord;
  for (const field of NUMERIC_FIELDS) record[field] = entry[field] ?? 0;
  return record;
}

import type { Context } from '../core/context.js';
import { parseSysfsNumber, parseSysfsU32, U32_MAX, U64_MAX } from './parse-number.js';
import { ESRT_MAX_ENTRIES } from './tables.js';
import { type FieldFault, NUMERIC_FIELDS, type RawEsrtEntry, type RawEsrtTable, SYSFS_FILE } from './types.js';

export const ESRT_SYSFS_DIR = '/sys/firmware/efi/esrt';

const ENTRY_NAME = /^entry(0|[1-9][0-9]*)$/;

/**
 * Reads `/sys/firmware/efi/esrt` under the root. Returns undefined when the directory does not
 * exist; never throws for malformed content (that is recorded as faults for the checks), only for
 * I/O errors such as EACCES.
 */
export function readSysfsEsrt(ctx: Context): RawEsrtTable | undefined {
  const { fs } = ctx;
  if (!fs.isDirectory(ESRT_SYSFS_DIR)) return undefined;

  const headerFaults: FieldFault[] = [];
  const readHeader = (file: string, field: FieldFault['field'], max: bigint): bigint | undefined => {
    const text = fs.tryReadText(`${ESRT_SYSFS_DIR}/${file}`);
    if (text === undefined) {
      headerFaults.push({ field, kind: 'missing' });
      return undefined;
    }
    const value = parseSysfsNumber(text, max);
    if (value === undefined) headerFaults.push({ field, kind: 'unparseable', raw: text.trim() });
    return value;
  };

  const count = readHeader('fw_resource_count', 'fwResourceCount', U32_MAX);
  const countMax = readHeader('fw_resource_count_max', 'fwResourceCountMax', U32_MAX);
  const version = readHeader('fw_resource_version', 'fwResourceVersion', U64_MAX);

  const entryNames = fs.tryListDir(`${ESRT_SYSFS_DIR}/entries`) ?? [];
  // Read only well-named entries, and never more than the kernel could have created: a hostile or
  // corrupted tree with thousands of directories costs nothing.
  const readable = entryNames
    .map((name) => ({ name, match: ENTRY_NAME.exec(name) }))
    .filter((item) => item.match !== null)
    .map((item) => ({ name: item.name, index: Number(item.match?.[1]) }))
    .sort((a, b) => a.index - b.index)
    .slice(0, ESRT_MAX_ENTRIES + 1);

  const entries = readable.map(({ name, index }) => readEntry(ctx, name, index));

  return {
    source: { kind: 'sysfs', path: ctx.paths.display(ESRT_SYSFS_DIR) },
    ...(count === undefined ? {} : { fwResourceCount: Number(count) }),
    ...(countMax === undefined ? {} : { fwResourceCountMax: Number(countMax) }),
    ...(version === undefined ? {} : { fwResourceVersion: version }),
    headerFaults,
    entryNames,
    entries,
    readProblems: [],
  };
}

function readEntry(ctx: Context, name: string, index: number): RawEsrtEntry {
  const dir = `${ESRT_SYSFS_DIR}/entries/${name}`;
  const entry: RawEsrtEntry = { name, index, values: {}, faults: [] };
  const classText = ctx.fs.tryReadText(`${dir}/${SYSFS_FILE.fwClass}`);
  if (classText === undefined) entry.faults.push({ field: 'fwClass', kind: 'missing' });
  else entry.fwClassText = classText.trim();
  for (const field of NUMERIC_FIELDS) {
    const text = ctx.fs.tryReadText(`${dir}/${SYSFS_FILE[field]}`);
    if (text === undefined) {
      entry.faults.push({ field, kind: 'missing' });
      continue;
    }
    const value = parseSysfsU32(text);
    if (value === undefined) entry.faults.push({ field, kind: 'unparseable', raw: text.trim() });
    else entry.values[field] = value;
  }
  return entry;
}

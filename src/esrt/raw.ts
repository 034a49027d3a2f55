import { CapstanError } from '../core/errors.js';
import { problem } from '../core/problem.js';
import { formatGuidBytes, parseGuidBytes } from '../efi/guid.js';
import { ESRT_ENTRY_SIZE, ESRT_HEADER_SIZE, ESRT_MAX_ENTRIES } from './tables.js';
import { type EsrtEntryRecord, NUMERIC_FIELDS, type RawEsrtTable } from './types.js';

/**
 * The raw ESRT as it sits in memory (UEFI §23.4): a 16-byte header (FwResourceCount u32,
 * FwResourceCountMax u32, FwResourceVersion u64) followed by 40-byte entries (FwClass GUID, then six
 * u32: FwType, FwVersion, LowestSupportedFwVersion, CapsuleFlags, LastAttemptVersion,
 * LastAttemptStatus), all little-endian.
 */
export function parseEsrtDump(bytes: Uint8Array, path: string): RawEsrtTable {
  const hint = 'give a dump written by `capstan export-esrt` (16-byte header + 40 bytes per entry)';
  if (bytes.length < ESRT_HEADER_SIZE) {
    throw new CapstanError(
      'esrt-file-invalid',
      `reading ESRT dump ${path}: ${bytes.length} bytes is shorter than the 16-byte header`,
      { hint },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  const countMax = view.getUint32(4, true);
  const version = view.getBigUint64(8, true);

  // Only a plausible count is worth reading; the checks reject the rest with the right reason.
  const readable = Math.min(count, ESRT_MAX_ENTRIES);
  const needed = ESRT_HEADER_SIZE + readable * ESRT_ENTRY_SIZE;
  if (version === 1n && count <= ESRT_MAX_ENTRIES && bytes.length < needed) {
    throw new CapstanError(
      'esrt-file-invalid',
      `reading ESRT dump ${path}: truncated, ${bytes.length} bytes but ${count} entries need ${needed}`,
      { hint, details: { bytes: bytes.length, needed } },
    );
  }

  const table: RawEsrtTable = {
    source: { kind: 'file', path, bytes: bytes.length },
    fwResourceCount: count,
    fwResourceCountMax: countMax,
    fwResourceVersion: version,
    headerFaults: [],
    entryNames: [],
    entries: [],
    readProblems: [],
  };
  if (version !== 1n || count > ESRT_MAX_ENTRIES) return table;

  for (let index = 0; index < readable; index++) {
    const at = ESRT_HEADER_SIZE + index * ESRT_ENTRY_SIZE;
    const u32 = (field: number): number => view.getUint32(at + 16 + field * 4, true);
    const name = `entry${index}`;
    table.entryNames.push(name);
    table.entries.push({
      name,
      index,
      fwClassText: parseGuidBytes(bytes, at),
      values: Object.fromEntries(NUMERIC_FIELDS.map((field, i) => [field, u32(i)])),
      faults: [],
    });
  }
  if (bytes.length > needed) {
    table.readProblems.push(
      problem(
        'esrt-file-trailing-bytes',
        'warning',
        `${bytes.length - needed} bytes after the last of ${count} entries were ignored`,
        'check that the dump is a whole ESRT and nothing else',
      ),
    );
  }
  return table;
}

/** Encodes a table (for `capstan export-esrt` and for test builders). */
export function formatEsrtDump(
  entries: readonly EsrtEntryRecord[],
  header: { fwResourceCountMax?: number; fwResourceVersion?: bigint } = {},
): Uint8Array {
  const out = new Uint8Array(ESRT_HEADER_SIZE + entries.length * ESRT_ENTRY_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, entries.length, true);
  view.setUint32(4, header.fwResourceCountMax ?? entries.length, true);
  view.setBigUint64(8, header.fwResourceVersion ?? 1n, true);
  entries.forEach((entry, index) => {
    const at = ESRT_HEADER_SIZE + index * ESRT_ENTRY_SIZE;
    out.set(formatGuidBytes(entry.fwClass), at);
    for (const [i, field] of NUMERIC_FIELDS.entries()) view.setUint32(at + 16 + i * 4, entry[field], true);
  });
  return out;
}

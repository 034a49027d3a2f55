import type { Context } from '../core/context.js';

/**
 * SMBIOS as fwupd 2.0.20 reads it on Linux (`libfwupdplugin/fu-smbios.c`): the entry point from
 * `/sys/firmware/dmi/tables/smbios_entry_point` decides whether the structure table in `DMI` is used
 * at all, then the table is walked structure by structure. Acceptance rules follow fwupd, not the
 * DMTF spec, wherever the two differ, because the point is to end up with fwupd's hardware IDs.
 * Malformed data never throws: the structures read before the fault are kept (fwupd keeps them too)
 * and the fault is reported in `problems`.
 */

export const SMBIOS_ENTRY_POINT_PATH = '/sys/firmware/dmi/tables/smbios_entry_point';
export const SMBIOS_TABLE_PATH = '/sys/firmware/dmi/tables/DMI';

/** Structure types used for hardware IDs (DSP0134 §7.1–7.4) and the end-of-table marker. */
export const SMBIOS_TYPE_BIOS = 0;
export const SMBIOS_TYPE_SYSTEM = 1;
export const SMBIOS_TYPE_BASEBOARD = 2;
export const SMBIOS_TYPE_CHASSIS = 3;
export const SMBIOS_TYPE_END_OF_TABLE = 127;

const HEADER_SIZE = 4;
/** Sizes fwupd's parsers require of the entry point file (its `FuStructSmbiosEp32/Ep64`). */
const EP32_SIZE = 0x1f;
const EP64_SIZE = 0x18;

export interface SmbiosStructure {
  /** 0 BIOS, 1 System, 2 Baseboard, 3 Chassis, ..., 127 end of table. */
  readonly type: number;
  readonly handle: number;
  /** Byte offset of the structure in the table. */
  readonly offset: number;
  /** The formatted area, header included: exactly the structure's `length` bytes. */
  readonly formatted: Uint8Array;
  /**
   * The string-set, raw bytes; SMBIOS string number n is `strings[n - 1]`. As in fwupd, a structure
   * whose string-set is empty (`00 00`) records one empty string, so its string number 1 reads as ''.
   */
  readonly strings: readonly Uint8Array[];
}

export interface SmbiosEntryPoint {
  /** `_SM_` (SMBIOS 2.x, 32-bit) or `_SM3_` (SMBIOS 3.x, 64-bit). */
  readonly anchor: '_SM_' | '_SM3_';
  readonly major: number;
  readonly minor: number;
  /** Structure table length (2.x) or maximum size (3.x); a longer `DMI` file is refused. */
  readonly tableLength: number;
}

export interface SmbiosParseResult {
  /** Present when an entry point was given and accepted. */
  entryPoint?: SmbiosEntryPoint;
  structures: SmbiosStructure[];
  /** What was wrong with the data, lower-case and without a full stop; empty for a clean table. */
  problems: string[];
}

export interface SmbiosReadResult extends SmbiosParseResult {
  /** Whether both sysfs files exist; false on machines without SMBIOS (or without DMI support). */
  found: boolean;
}

const hex = (value: number): string => `0x${value.toString(16)}`;

function byteSum(bytes: Uint8Array, from = 0): number {
  let sum = 0;
  for (let i = from; i < bytes.length; i++) sum = (sum + (bytes[i] ?? 0)) & 0xff;
  return sum;
}

function ascii(bytes: Uint8Array, from: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(from, from + length));
}

/**
 * Validates the entry point the way fwupd does. Two fwupd details differ from the spec:
 * the checksum is taken over the whole file rather than the first `length` bytes, and for `_SM_`
 * the "intermediate" checksum is summed from byte 10 (decimal) instead of 0x10, so it also covers
 * the entry point revision and the formatted area: a non-zero revision makes fwupd drop SMBIOS.
 */
function parseEntryPoint(bytes: Uint8Array): SmbiosEntryPoint | string {
  if (bytes.length < 5) return `entry point is ${bytes.length} bytes, too short for an anchor`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (ascii(bytes, 0, 4) === '_SM_') {
    if (bytes.length < EP32_SIZE) return `_SM_ entry point is ${bytes.length} bytes, needs ${EP32_SIZE}`;
    if (byteSum(bytes) !== 0) return '_SM_ entry point checksum is invalid';
    const intermediate = ascii(bytes, 0x10, 5);
    if (intermediate !== '_DMI_') return `_SM_ entry point intermediate anchor is ${JSON.stringify(intermediate)}`;
    if (byteSum(bytes, 10) !== 0) {
      return '_SM_ entry point intermediate checksum (as fwupd sums it, from byte 10) is invalid';
    }
    return {
      anchor: '_SM_',
      major: bytes[6] ?? 0,
      minor: bytes[7] ?? 0,
      tableLength: view.getUint16(0x16, true),
    };
  }
  if (ascii(bytes, 0, 5) === '_SM3_') {
    if (bytes.length < EP64_SIZE) return `_SM3_ entry point is ${bytes.length} bytes, needs ${EP64_SIZE}`;
    if (byteSum(bytes) !== 0) return '_SM3_ entry point checksum is invalid';
    return {
      anchor: '_SM3_',
      major: bytes[7] ?? 0,
      minor: bytes[8] ?? 0,
      tableLength: view.getUint32(0x0c, true),
    };
  }
  return `entry point anchor ${JSON.stringify(ascii(bytes, 0, 4))} is neither _SM_ nor _SM3_`;
}

/**
 * Walks the structure table. Without an entry point the table is taken as is (like fwupd's
 * `fu_smbios_setup_from_file`); with one, a refused entry point or a table longer than it announces
 * means fwupd ignores SMBIOS entirely, so no structures are returned.
 */
export function parseSmbios(entryPoint: Uint8Array | undefined, table: Uint8Array): SmbiosParseResult {
  const result: SmbiosParseResult = { structures: [], problems: [] };
  if (entryPoint !== undefined) {
    const parsed = parseEntryPoint(entryPoint);
    if (typeof parsed === 'string') {
      result.problems.push(`${parsed}: fwupd ignores the SMBIOS tables`);
      return result;
    }
    result.entryPoint = parsed;
    if (table.length > parsed.tableLength) {
      result.problems.push(
        `structure table is ${table.length} bytes but the entry point allows ${parsed.tableLength}: fwupd ignores the SMBIOS tables`,
      );
      return result;
    }
  }
  if (table.length === 0) result.problems.push('structure table is empty');
  walkTable(table, result);
  if (table.length > 0 && !result.structures.some((s) => s.type === SMBIOS_TYPE_END_OF_TABLE)) {
    result.problems.push('no end-of-table (type 127) structure: the table may be truncated');
  }
  if (!result.structures.some((s) => s.type === SMBIOS_TYPE_SYSTEM)) {
    result.problems.push('no type 1 (System Information) structure');
  }
  return result;
}

function walkTable(table: Uint8Array, result: SmbiosParseResult): void {
  const size = table.length;
  let at = 0;
  let ended = false;
  while (at < size) {
    if (size - at < HEADER_SIZE) {
      result.problems.push(`structure at ${hex(at)}: only ${size - at} bytes left for a 4-byte header; walk stopped`);
      return;
    }
    const type = table[at] ?? 0;
    const length = table[at + 1] ?? 0;
    const handle = (table[at + 2] ?? 0) | ((table[at + 3] ?? 0) << 8);
    if (length < HEADER_SIZE) {
      result.problems.push(`structure at ${hex(at)}: length ${length} is smaller than its header; walk stopped`);
      return;
    }
    // fwupd wants at least one byte after the formatted area (`i + length >= bufsz` fails).
    if (at + length >= size) {
      result.problems.push(
        `structure at ${hex(at)} (type ${type}): length ${length} runs past the end of the table; walk stopped`,
      );
      return;
    }
    if (ended) result.problems.push(`structure at ${hex(at)} (type ${type}) follows the end-of-table structure`);
    const offset = at;
    const formatted = table.slice(at, at + length);
    at += length;

    // The string-set: NUL-terminated strings, ended by an empty one. The first string is always
    // taken, even when empty, which is how fwupd reads an empty string-set (`00 00`).
    const strings: Uint8Array[] = [];
    let terminated = false;
    while (at < size) {
      if (strings.length > 0 && table[at] === 0) {
        terminated = true;
        break;
      }
      let end = at;
      while (end < size && table[end] !== 0) end++;
      strings.push(table.slice(at, end));
      if (end >= size) {
        result.problems.push(`structure at ${hex(offset)} (type ${type}): string ${strings.length} has no NUL`);
      }
      at = end + 1;
    }
    if (!terminated) {
      result.problems.push(`structure at ${hex(offset)} (type ${type}): string-set has no double-NUL terminator`);
    }
    at += 1;
    result.structures.push({ type, handle, offset, formatted, strings });
    if (type === SMBIOS_TYPE_END_OF_TABLE) ended = true;
  }
}

/** The first structure of a type: the one fwupd reads values from. */
export function findStructure(structures: readonly SmbiosStructure[], type: number): SmbiosStructure | undefined {
  return structures.find((s) => s.type === type);
}

/** A byte of the formatted area, or undefined when the structure is too short to have it. */
export function structureByte(structure: SmbiosStructure, offset: number): number | undefined {
  return offset < structure.formatted.length ? structure.formatted[offset] : undefined;
}

/**
 * The string whose number is stored at `offset`, raw bytes; undefined when the structure is too
 * short, the number is 0 ("no string") or it is beyond the string-set.
 */
export function structureString(structure: SmbiosStructure, offset: number): Uint8Array | undefined {
  const index = structureByte(structure, offset);
  if (index === undefined || index === 0) return undefined;
  return structure.strings[index - 1];
}

/**
 * Reads the machine's SMBIOS through the root-confined file system. Absent files are a normal
 * answer (`found: false`); a permission or I/O error is thrown as a typed CapstanError by RootFs.
 */
export function readSmbios(ctx: Context): SmbiosReadResult {
  const entryPoint = ctx.fs.tryReadBytes(SMBIOS_ENTRY_POINT_PATH);
  const table = ctx.fs.tryReadBytes(SMBIOS_TABLE_PATH);
  const missing = [
    entryPoint === undefined ? SMBIOS_ENTRY_POINT_PATH : undefined,
    table === undefined ? SMBIOS_TABLE_PATH : undefined,
  ].filter((p): p is string => p !== undefined);
  if (entryPoint === undefined || table === undefined) {
    return {
      found: false,
      structures: [],
      problems: missing.map((p) => `${ctx.paths.display(p)} does not exist: no SMBIOS tables`),
    };
  }
  return { found: true, ...parseSmbios(entryPoint, table) };
}

/**
 * Global boot-manager variables (UEFI 2.10 §3.3) on top of an EfiVarStore: BootNext (u16),
 * BootOrder (u16 list), Boot#### (EFI_LOAD_OPTION), OsIndications and OsIndicationsSupported
 * (u64). Everything is little-endian, under the global GUID, written with attributes 0x7.
 *
 * Readers return undefined when the variable is absent and a decode result otherwise: a
 * malformed value is a fact to report, not an exception.
 */
import { CapstanError } from '../core/errors.js';
import { assertUint, assertUint64, type Decoded, dataView, decodeFailure } from './bytes.js';
import { EFI_GLOBAL_VARIABLE_GUID } from './guid.js';
import {
  FWUPD_BOOT_DESCRIPTION,
  FWUPD_LEGACY_BOOT_DESCRIPTION,
  formatBootEntryName,
  formatLoadOption,
  type LoadOption,
  parseBootEntryName,
  parseLoadOption,
} from './load-option.js';
import { EFI_VARIABLE_DEFAULT_ATTRIBUTES, type EfiVarStore } from './store.js';

export const BOOT_NEXT = 'BootNext';
export const BOOT_ORDER = 'BootOrder';
export const BOOT_CURRENT = 'BootCurrent';
export const OS_INDICATIONS = 'OsIndications';
export const OS_INDICATIONS_SUPPORTED = 'OsIndicationsSupported';

export const OS_INDICATIONS_BOOT_TO_FW_UI = 0x1n;
export const OS_INDICATIONS_TIMESTAMP_REVOCATION = 0x2n;
export const OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED = 0x4n;
export const OS_INDICATIONS_FMP_CAPSULE_SUPPORTED = 0x8n;
export const OS_INDICATIONS_CAPSULE_RESULT_VAR_SUPPORTED = 0x10n;
export const OS_INDICATIONS_START_OS_RECOVERY = 0x20n;
export const OS_INDICATIONS_START_PLATFORM_RECOVERY = 0x40n;
export const OS_INDICATIONS_JSON_CONFIG_DATA_REFRESH = 0x80n;

// --- pure encodings ---

export function formatBootNext(index: number): Uint8Array {
  assertUint(index, 16, 'BootNext');
  const out = new Uint8Array(2);
  dataView(out).setUint16(0, index, true);
  return out;
}

/** Exactly 2 bytes (the kernel refuses any other size on write). */
export function parseBootNext(data: Uint8Array): Decoded<{ index: number }> {
  if (data.length !== 2) return decodeFailure(`BootNext must be 2 bytes, got ${data.length}`);
  return { ok: true, index: dataView(data).getUint16(0, true) };
}

export function formatBootOrder(order: readonly number[]): Uint8Array {
  const out = new Uint8Array(order.length * 2);
  const view = dataView(out);
  order.forEach((index, i) => {
    assertUint(index, 16, `BootOrder[${i}]`);
    view.setUint16(i * 2, index, true);
  });
  return out;
}

/** An even number of bytes; duplicates are kept as read (firmware tolerates them). */
export function parseBootOrder(data: Uint8Array): Decoded<{ order: number[] }> {
  if (data.length % 2 !== 0) return decodeFailure(`BootOrder has odd length ${data.length}`);
  const view = dataView(data);
  return { ok: true, order: Array.from({ length: data.length / 2 }, (_, i) => view.getUint16(i * 2, true)) };
}

export function formatOsIndications(value: bigint): Uint8Array {
  assertUint64(value, 'OsIndications');
  const out = new Uint8Array(8);
  dataView(out).setBigUint64(0, value, true);
  return out;
}

/** Exactly 8 bytes. */
export function parseOsIndications(data: Uint8Array): Decoded<{ value: bigint }> {
  if (data.length !== 8) return decodeFailure(`OsIndications must be 8 bytes, got ${data.length}`);
  return { ok: true, value: dataView(data).getBigUint64(0, true) };
}

// --- on a store ---

function read(store: EfiVarStore, name: string): Uint8Array | undefined {
  return store.get(EFI_GLOBAL_VARIABLE_GUID, name)?.data;
}

function write(store: EfiVarStore, name: string, data: Uint8Array): void {
  store.set(EFI_GLOBAL_VARIABLE_GUID, name, EFI_VARIABLE_DEFAULT_ATTRIBUTES, data);
}

export function readBootNext(store: EfiVarStore): Decoded<{ index: number }> | undefined {
  const data = read(store, BOOT_NEXT);
  return data === undefined ? undefined : parseBootNext(data);
}

export function writeBootNext(store: EfiVarStore, index: number): void {
  write(store, BOOT_NEXT, formatBootNext(index));
}

export function deleteBootNext(store: EfiVarStore): void {
  store.delete(EFI_GLOBAL_VARIABLE_GUID, BOOT_NEXT);
}

/** BootCurrent: the entry the firmware booted this time (read-only, 2 bytes). */
export function readBootCurrent(store: EfiVarStore): Decoded<{ index: number }> | undefined {
  const data = read(store, BOOT_CURRENT);
  return data === undefined ? undefined : parseBootNext(data);
}

export function readBootOrder(store: EfiVarStore): Decoded<{ order: number[] }> | undefined {
  const data = read(store, BOOT_ORDER);
  return data === undefined ? undefined : parseBootOrder(data);
}

export function writeBootOrder(store: EfiVarStore, order: readonly number[]): void {
  write(store, BOOT_ORDER, formatBootOrder(order));
}

export function readOsIndications(store: EfiVarStore): Decoded<{ value: bigint }> | undefined {
  const data = read(store, OS_INDICATIONS);
  return data === undefined ? undefined : parseOsIndications(data);
}

export function readOsIndicationsSupported(store: EfiVarStore): Decoded<{ value: bigint }> | undefined {
  const data = read(store, OS_INDICATIONS_SUPPORTED);
  return data === undefined ? undefined : parseOsIndications(data);
}

export function writeOsIndications(store: EfiVarStore, value: bigint): void {
  write(store, OS_INDICATIONS, formatOsIndications(value));
}

/**
 * Reads OsIndications (absent = 0), ORs in `bits` and writes it back only when the value changes,
 * sparing buggy firmware a needless write (as systemd does). A malformed existing value is left
 * alone and reported.
 */
export function setOsIndicationsBits(
  store: EfiVarStore,
  bits: bigint,
): Decoded<{ written: boolean; previous: bigint | undefined; value: bigint }> {
  assertUint64(bits, 'OsIndications bits');
  const current = readOsIndications(store);
  if (current !== undefined && !current.ok) return current;
  const previous = current?.value;
  const value = (previous ?? 0n) | bits;
  if (previous === value) return { ok: true, written: false, previous, value };
  writeOsIndications(store, value);
  return { ok: true, written: true, previous, value };
}

/** Clears `bits`; deletes nothing, writes only on change. Absent OsIndications stays absent. */
export function clearOsIndicationsBits(
  store: EfiVarStore,
  bits: bigint,
): Decoded<{ written: boolean; previous: bigint | undefined; value: bigint }> {
  assertUint64(bits, 'OsIndications bits');
  const current = readOsIndications(store);
  if (current === undefined) return { ok: true, written: false, previous: undefined, value: 0n };
  if (!current.ok) return current;
  const value = current.value & ~bits;
  if (value === current.value) return { ok: true, written: false, previous: current.value, value };
  writeOsIndications(store, value);
  return { ok: true, written: true, previous: current.value, value };
}

export function readBootEntry(store: EfiVarStore, index: number): Decoded<{ option: LoadOption }> | undefined {
  const data = read(store, formatBootEntryName(index));
  return data === undefined ? undefined : parseLoadOption(data);
}

/** Raw bytes of Boot####, for byte comparison before a rewrite (fwupd rewrites only on change). */
export function readBootEntryBytes(store: EfiVarStore, index: number): Uint8Array | undefined {
  return read(store, formatBootEntryName(index));
}

export function writeBootEntry(store: EfiVarStore, index: number, option: LoadOption): void {
  write(store, formatBootEntryName(index), formatLoadOption(option));
}

export function deleteBootEntry(store: EfiVarStore, index: number): void {
  store.delete(EFI_GLOBAL_VARIABLE_GUID, formatBootEntryName(index));
}

export interface BootEntry {
  index: number;
  /** `Boot0002`. */
  name: string;
  /** The decoded load option, or why it could not be read or decoded. */
  result: Decoded<{ option: LoadOption }>;
}

/**
 * Every `Boot####` variable (upper-case hex, as UEFI requires), by index. A variable that cannot
 * be decoded, or whose read fails with an I/O error, is listed with the reason; permission and
 * availability errors still throw.
 */
export function listBootEntries(store: EfiVarStore): BootEntry[] {
  const entries: BootEntry[] = [];
  for (const { name } of store.names(EFI_GLOBAL_VARIABLE_GUID)) {
    const index = parseBootEntryName(name);
    if (index === undefined) continue;
    let result: Decoded<{ option: LoadOption }>;
    try {
      const data = read(store, name);
      result = data === undefined ? decodeFailure('vanished while listing') : parseLoadOption(data);
    } catch (error) {
      if (!(error instanceof CapstanError) || error.code !== 'io-error') throw error;
      result = decodeFailure(`unreadable: ${error.message}`);
    }
    entries.push({ index, name, result });
  }
  return entries.sort((a, b) => a.index - b.index);
}

export function isFwupdBootOption(option: LoadOption): boolean {
  return option.description === FWUPD_BOOT_DESCRIPTION || option.description === FWUPD_LEGACY_BOOT_DESCRIPTION;
}

/** The lowest-numbered entry described as fwupd's ("Linux Firmware Updater" or the legacy form). */
export function findFwupdBootEntry(entries: readonly BootEntry[]): BootEntry | undefined {
  return entries.find((entry) => entry.result.ok && isFwupdBootOption(entry.result.option));
}

/**
 * The lowest index 0x0000..0xFFFE with no `Boot####` variable, as fwupd picks it (a name with
 * lower-case hex digits counts as used too, as fwupd's scanf does; 0xFFFF is never used).
 * `avoid` adds indices to skip, e.g. BootOrder entries whose variable is missing, so that a new
 * entry can never land in the regular boot order by accident. Undefined when all are taken.
 */
export function findLowestUnusedBootIndex(store: EfiVarStore, avoid: Iterable<number> = []): number | undefined {
  const used = new Set<number>(avoid);
  for (const { name } of store.names(EFI_GLOBAL_VARIABLE_GUID)) {
    const match = /^Boot([0-9A-Fa-f]{4})$/.exec(name);
    if (match?.[1] !== undefined) used.add(Number.parseInt(match[1], 16));
  }
  for (let index = 0; index < 0xffff; index++) if (!used.has(index)) return index;
  return undefined;
}

/**
 * Builds synthetic SMBIOS data (DSP0134) for tests: structures of types 0, 1, 2, 3 and 127 with
 * their string-sets, whole structure tables, and SMBIOS 2.x (`_SM_`) or 3.x (`_SM3_`) entry points
 * as Linux exposes them in /sys/firmware/dmi/tables/.
 */

/** Text is encoded as UTF-8; bytes are used as they are; `{ index }` stores a raw string number. */
export type SmbiosText = string | Uint8Array | { index: number };

export const ENTRY_POINT_FILE = 'sys/firmware/dmi/tables/smbios_entry_point';
export const TABLE_FILE = 'sys/firmware/dmi/tables/DMI';

interface Writer {
  str(offset: number, text: SmbiosText | undefined): void;
  u8(offset: number, value: number | undefined): void;
  u16(offset: number, value: number): void;
}

/**
 * One structure with a formatted area of `length` bytes (header included). Fields whose offset does
 * not fit in `length` are left out, which is how an older SMBIOS version's shorter structure looks.
 */
export function buildStructure(
  type: number,
  handle: number,
  length: number,
  fill: (w: Writer) => void = () => {},
): Uint8Array {
  const formatted = new Uint8Array(length);
  const strings: Uint8Array[] = [];
  const fits = (offset: number, size: number): boolean => offset + size <= length;
  const writer: Writer = {
    str(offset, text) {
      if (!fits(offset, 1)) return;
      if (text === undefined) formatted[offset] = 0;
      else if (typeof text === 'object' && 'index' in text) formatted[offset] = text.index;
      else {
        strings.push(typeof text === 'string' ? new TextEncoder().encode(text) : text);
        formatted[offset] = strings.length;
      }
    },
    u8(offset, value) {
      if (fits(offset, 1) && value !== undefined) formatted[offset] = value;
    },
    u16(offset, value) {
      if (!fits(offset, 2)) return;
      formatted[offset] = value & 0xff;
      formatted[offset + 1] = (value >> 8) & 0xff;
    },
  };
  formatted[0] = type;
  formatted[1] = length;
  writer.u16(2, handle);
  fill(writer);
  return concat([formatted, stringSet(strings)]);
}

/** `a\0b\0\0`, or `\0\0` for none. */
export function stringSet(strings: readonly Uint8Array[]): Uint8Array {
  if (strings.length === 0) return new Uint8Array([0, 0]);
  return concat([...strings.flatMap((s) => [s, new Uint8Array([0])]), new Uint8Array([0])]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export interface BiosFields {
  vendor?: SmbiosText;
  version?: SmbiosText;
  releaseDate?: SmbiosText;
  /** System BIOS major/minor release (0x14/0x15), embedded controller firmware release (0x16/0x17). */
  major?: number;
  minor?: number;
  ecMajor?: number;
  ecMinor?: number;
  /** 0x1a (SMBIOS 3.1+) unless given; 0x18 is 2.4+, 0x14 is 2.3 (no release bytes). */
  length?: number;
  handle?: number;
}

/** Type 0, BIOS Information. */
export function biosStructure(f: BiosFields): Uint8Array {
  return buildStructure(0, f.handle ?? 0x0000, f.length ?? 0x1a, (w) => {
    w.str(0x04, f.vendor);
    w.str(0x05, f.version);
    w.u16(0x06, 0xe800);
    w.str(0x08, f.releaseDate);
    w.u8(0x09, 0xff);
    w.u8(0x0a, 0x80); // characteristics: PCI supported
    w.u8(0x13, 0x08); // characteristics extension byte 2: UEFI supported
    w.u8(0x14, f.major);
    w.u8(0x15, f.minor);
    w.u8(0x16, f.ecMajor ?? 0xff);
    w.u8(0x17, f.ecMinor ?? 0xff);
  });
}

export interface SystemFields {
  manufacturer?: SmbiosText;
  productName?: SmbiosText;
  version?: SmbiosText;
  serial?: SmbiosText;
  sku?: SmbiosText;
  family?: SmbiosText;
  /** 0x1b (SMBIOS 2.4+) unless given; 0x19 is 2.1 (no SKU, no family). */
  length?: number;
  handle?: number;
}

/** Type 1, System Information. */
export function systemStructure(f: SystemFields): Uint8Array {
  return buildStructure(1, f.handle ?? 0x0001, f.length ?? 0x1b, (w) => {
    w.str(0x04, f.manufacturer);
    w.str(0x05, f.productName);
    w.str(0x06, f.version);
    w.str(0x07, f.serial);
    for (let i = 0; i < 16; i++) w.u8(0x08 + i, (0x11 * (i + 1)) & 0xff);
    w.u8(0x18, 0x06); // wake-up type: power switch
    w.str(0x19, f.sku);
    w.str(0x1a, f.family);
  });
}

export interface BaseboardFields {
  manufacturer?: SmbiosText;
  product?: SmbiosText;
  version?: SmbiosText;
  serial?: SmbiosText;
  length?: number;
  handle?: number;
}

/** Type 2, Baseboard Information (no contained handles). */
export function baseboardStructure(f: BaseboardFields): Uint8Array {
  return buildStructure(2, f.handle ?? 0x0002, f.length ?? 0x0f, (w) => {
    w.str(0x04, f.manufacturer);
    w.str(0x05, f.product);
    w.str(0x06, f.version);
    w.str(0x07, f.serial);
    w.u8(0x09, 0x09); // feature flags: hosting board, replaceable
    w.u16(0x0b, 0x0003); // chassis handle
    w.u8(0x0d, 0x0a); // board type: motherboard
  });
}

export interface ChassisFields {
  manufacturer?: SmbiosText;
  /** Byte 0x05: chassis type, bit 7 = lock present. */
  type?: number;
  version?: SmbiosText;
  serial?: SmbiosText;
  length?: number;
  handle?: number;
}

/** Type 3, System Enclosure or Chassis (no contained elements). */
export function chassisStructure(f: ChassisFields): Uint8Array {
  return buildStructure(3, f.handle ?? 0x0003, f.length ?? 0x15, (w) => {
    w.str(0x04, f.manufacturer);
    w.u8(0x05, f.type ?? 0x0a);
    w.str(0x06, f.version);
    w.str(0x07, f.serial);
    for (const offset of [0x09, 0x0a, 0x0b, 0x0c]) w.u8(offset, 0x03); // states: safe; security: none
  });
}

/** Type 127, End-of-Table. */
export function endOfTableStructure(handle = 0xfeff): Uint8Array {
  return buildStructure(127, handle, 4);
}

export interface MachineSpec {
  bios?: BiosFields;
  system?: SystemFields;
  baseboard?: BaseboardFields;
  chassis?: ChassisFields;
  /** More structures, appended before the end-of-table structure. */
  extra?: Uint8Array[];
  /** Defaults to true. */
  endOfTable?: boolean;
}

/** A structure table: the given structures in type order, then type 127. */
export function buildTable(spec: MachineSpec): Uint8Array {
  const parts: Uint8Array[] = [];
  if (spec.bios) parts.push(biosStructure(spec.bios));
  if (spec.system) parts.push(systemStructure(spec.system));
  if (spec.baseboard) parts.push(baseboardStructure(spec.baseboard));
  if (spec.chassis) parts.push(chassisStructure(spec.chassis));
  parts.push(...(spec.extra ?? []));
  if (spec.endOfTable ?? true) parts.push(endOfTableStructure());
  return concat(parts);
}

function checksumByte(bytes: Uint8Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += bytes[i] ?? 0;
  return (0x100 - (sum & 0xff)) & 0xff;
}

export interface EntryPoint32Options {
  major?: number;
  minor?: number;
  /** Entry point revision, byte 0x0a (0 for 2.1+). */
  revision?: number;
  structureCount?: number;
  maxStructureSize?: number;
  /** Adds 1 to the entry point checksum byte. */
  badChecksum?: boolean;
}

/** SMBIOS 2.x 31-byte entry point, checksums per DSP0134 §5.2.1. */
export function entryPoint32(tableLength: number, o: EntryPoint32Options = {}): Uint8Array {
  const ep = new Uint8Array(0x1f);
  const view = new DataView(ep.buffer);
  ep.set(new TextEncoder().encode('_SM_'), 0);
  ep[0x05] = 0x1f;
  ep[0x06] = o.major ?? 2;
  ep[0x07] = o.minor ?? 8;
  view.setUint16(0x08, o.maxStructureSize ?? 0x80, true);
  ep[0x0a] = o.revision ?? 0;
  ep.set(new TextEncoder().encode('_DMI_'), 0x10);
  view.setUint16(0x16, tableLength, true);
  view.setUint32(0x18, 0x000e0000, true);
  view.setUint16(0x1c, o.structureCount ?? 5, true);
  ep[0x1e] = (((o.major ?? 2) & 0xf) << 4) | ((o.minor ?? 8) & 0xf);
  ep[0x15] = checksumByte(ep, 0x10, 0x1f);
  ep[0x04] = (checksumByte(ep, 0x00, 0x1f) + (o.badChecksum ? 1 : 0)) & 0xff;
  return ep;
}

export interface EntryPoint64Options {
  major?: number;
  minor?: number;
  docrev?: number;
  badChecksum?: boolean;
}

/** SMBIOS 3.x 24-byte entry point (DSP0134 §5.2.2); `tableLength` is the maximum table size. */
export function entryPoint64(tableLength: number, o: EntryPoint64Options = {}): Uint8Array {
  const ep = new Uint8Array(0x18);
  const view = new DataView(ep.buffer);
  ep.set(new TextEncoder().encode('_SM3_'), 0);
  ep[0x06] = 0x18;
  ep[0x07] = o.major ?? 3;
  ep[0x08] = o.minor ?? 3;
  ep[0x09] = o.docrev ?? 0;
  ep[0x0a] = 0x01;
  view.setUint32(0x0c, tableLength, true);
  view.setBigUint64(0x10, 0x7a5e0000n, true);
  ep[0x05] = (checksumByte(ep, 0x00, 0x18) + (o.badChecksum ? 1 : 0)) & 0xff;
  return ep;
}

/** The two sysfs files, keyed for `makeRoot`. */
export function smbiosTree(entryPoint: Uint8Array, table: Uint8Array): Record<string, Uint8Array> {
  return { [ENTRY_POINT_FILE]: entryPoint, [TABLE_FILE]: table };
}

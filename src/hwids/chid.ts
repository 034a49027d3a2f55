import { createHash } from 'node:crypto';
import {
  findStructure,
  SMBIOS_TYPE_BASEBOARD,
  SMBIOS_TYPE_BIOS,
  SMBIOS_TYPE_CHASSIS,
  SMBIOS_TYPE_SYSTEM,
  type SmbiosParseResult,
  type SmbiosStructure,
  structureByte,
  structureString,
} from './smbios.js';

/**
 * Microsoft "Computer Hardware IDs" (CHIDs), as fwupd 2.0.20 computes them from SMBIOS
 * (`libfwupdplugin/fu-hwids.c`, `fu-hwids-smbios.c`): each ID is a UUIDv5 (SHA-1) in the namespace
 * below over the UTF-16LE encoding of some SMBIOS values joined with `&`.
 */
export const HARDWARE_ID_NAMESPACE = '70ffd812-4c7f-4c7d-0000-000000000000';

export type HardwareIdKey =
  | 'Manufacturer'
  | 'EnclosureKind'
  | 'Family'
  | 'ProductName'
  | 'ProductSku'
  | 'BiosVendor'
  | 'BiosVersion'
  | 'BiosMajorRelease'
  | 'BiosMinorRelease'
  | 'FirmwareMajorRelease'
  | 'FirmwareMinorRelease'
  | 'BaseboardManufacturer'
  | 'BaseboardProduct';

/**
 * `HardwareID-0` ... `HardwareID-14` are Microsoft's (fwupd spells them `HardwareID-00` ...);
 * `fwupd-04`, `fwupd-05` and `fwupd-14` are fwupd's own additions. fwupd adds all of them to the
 * host's HWID set, so all of them can satisfy a `<hardware>` requirement.
 */
export type HardwareIdName =
  | 'HardwareID-0'
  | 'HardwareID-1'
  | 'HardwareID-2'
  | 'HardwareID-3'
  | 'HardwareID-4'
  | 'HardwareID-5'
  | 'HardwareID-6'
  | 'HardwareID-7'
  | 'HardwareID-8'
  | 'HardwareID-9'
  | 'HardwareID-10'
  | 'HardwareID-11'
  | 'HardwareID-12'
  | 'HardwareID-13'
  | 'HardwareID-14'
  | 'fwupd-04'
  | 'fwupd-05'
  | 'fwupd-14';

export interface HardwareIdDefinition {
  readonly name: HardwareIdName;
  readonly keys: readonly HardwareIdKey[];
}

/** In fwupd's order (its CHID names sorted), which is also the order `fwupdtool hwids` prints. */
export const HARDWARE_ID_DEFINITIONS: readonly HardwareIdDefinition[] = [
  {
    name: 'HardwareID-0',
    keys: [
      'Manufacturer',
      'Family',
      'ProductName',
      'ProductSku',
      'BiosVendor',
      'BiosVersion',
      'BiosMajorRelease',
      'BiosMinorRelease',
    ],
  },
  {
    name: 'HardwareID-1',
    keys: [
      'Manufacturer',
      'Family',
      'ProductName',
      'BiosVendor',
      'BiosVersion',
      'BiosMajorRelease',
      'BiosMinorRelease',
    ],
  },
  {
    name: 'HardwareID-2',
    keys: ['Manufacturer', 'ProductName', 'BiosVendor', 'BiosVersion', 'BiosMajorRelease', 'BiosMinorRelease'],
  },
  {
    name: 'HardwareID-3',
    keys: ['Manufacturer', 'Family', 'ProductName', 'ProductSku', 'BaseboardManufacturer', 'BaseboardProduct'],
  },
  { name: 'HardwareID-4', keys: ['Manufacturer', 'Family', 'ProductName', 'ProductSku'] },
  { name: 'HardwareID-5', keys: ['Manufacturer', 'Family', 'ProductName'] },
  { name: 'HardwareID-6', keys: ['Manufacturer', 'ProductSku', 'BaseboardManufacturer', 'BaseboardProduct'] },
  { name: 'HardwareID-7', keys: ['Manufacturer', 'ProductSku'] },
  { name: 'HardwareID-8', keys: ['Manufacturer', 'ProductName', 'BaseboardManufacturer', 'BaseboardProduct'] },
  { name: 'HardwareID-9', keys: ['Manufacturer', 'ProductName'] },
  { name: 'HardwareID-10', keys: ['Manufacturer', 'Family', 'BaseboardManufacturer', 'BaseboardProduct'] },
  { name: 'HardwareID-11', keys: ['Manufacturer', 'Family'] },
  { name: 'HardwareID-12', keys: ['Manufacturer', 'EnclosureKind'] },
  { name: 'HardwareID-13', keys: ['Manufacturer', 'BaseboardManufacturer', 'BaseboardProduct'] },
  { name: 'HardwareID-14', keys: ['Manufacturer'] },
  { name: 'fwupd-04', keys: ['Manufacturer', 'Family', 'ProductName', 'ProductSku', 'BiosVendor'] },
  { name: 'fwupd-05', keys: ['Manufacturer', 'Family', 'ProductName', 'BiosVendor'] },
  { name: 'fwupd-14', keys: ['Manufacturer', 'BiosVendor'] },
];

type FieldKind = 'string' | 'byte-hex' | 'byte-hex-padded';

/** Where each key lives (DSP0134 offsets) and how fwupd renders it. */
const FIELDS: readonly { key: HardwareIdKey; type: number; offset: number; kind: FieldKind }[] = [
  { key: 'Manufacturer', type: SMBIOS_TYPE_SYSTEM, offset: 0x04, kind: 'string' },
  { key: 'EnclosureKind', type: SMBIOS_TYPE_CHASSIS, offset: 0x05, kind: 'byte-hex' },
  { key: 'Family', type: SMBIOS_TYPE_SYSTEM, offset: 0x1a, kind: 'string' },
  { key: 'ProductName', type: SMBIOS_TYPE_SYSTEM, offset: 0x05, kind: 'string' },
  { key: 'ProductSku', type: SMBIOS_TYPE_SYSTEM, offset: 0x19, kind: 'string' },
  { key: 'BiosVendor', type: SMBIOS_TYPE_BIOS, offset: 0x04, kind: 'string' },
  { key: 'BiosVersion', type: SMBIOS_TYPE_BIOS, offset: 0x05, kind: 'string' },
  { key: 'BiosMajorRelease', type: SMBIOS_TYPE_BIOS, offset: 0x14, kind: 'byte-hex-padded' },
  { key: 'BiosMinorRelease', type: SMBIOS_TYPE_BIOS, offset: 0x15, kind: 'byte-hex-padded' },
  { key: 'FirmwareMajorRelease', type: SMBIOS_TYPE_BIOS, offset: 0x16, kind: 'byte-hex-padded' },
  { key: 'FirmwareMinorRelease', type: SMBIOS_TYPE_BIOS, offset: 0x17, kind: 'byte-hex-padded' },
  { key: 'BaseboardManufacturer', type: SMBIOS_TYPE_BASEBOARD, offset: 0x04, kind: 'string' },
  { key: 'BaseboardProduct', type: SMBIOS_TYPE_BASEBOARD, offset: 0x05, kind: 'string' },
];

export interface HardwareId {
  name: HardwareIdName;
  /** Lower-case, as fwupd prints and matches it. */
  guid: string;
  /** The keys joined, in order. */
  keys: HardwareIdKey[];
  /** The exact text that was hashed, e.g. `LENOVO&ThinkPad T440s`. */
  value: string;
}

export interface HardwareIdsResult {
  /** Every key SMBIOS provides, as hashed (invalid UTF-8 shown with U+FFFD). */
  keys: Partial<Record<HardwareIdKey, string>>;
  /** The IDs that could be computed, in fwupd's order. */
  ids: HardwareId[];
  /** The IDs fwupd would not have either, with the reason. */
  omitted: { name: HardwareIdName; reason: string }[];
}

const SPACE = 0x20;
const ZERO = 0x30;
const AMPERSAND = 0x26;
/** GLib's `g_ascii_isspace`: space, \t, \n, \f, \r; unlike C's isspace, not \v. */
const isAsciiSpace = (b: number): boolean => b === SPACE || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d;

/**
 * fwupd's `fu_strstrip`: skip leading spaces (only ' '), cut after the last byte that is not GLib
 * ASCII whitespace. Its unsigned length arithmetic is kept: when nothing but whitespace follows a
 * leading \t, \n, \f or \r, the result is that byte alone if it is first, '' if one space precedes
 * it, and the rest verbatim if more do (fwupd then zero-fills a 4 GiB g_strndup buffer).
 */
function stripLikeFwupd(bytes: Uint8Array): Uint8Array {
  const head = bytes.findIndex((b) => b !== SPACE);
  if (head === -1) return new Uint8Array(0);
  let tail = 0;
  for (let i = head; i < bytes.length; i++) if (!isAsciiSpace(bytes[i] ?? 0)) tail = i;
  const count = (tail - head + 1) >>> 0;
  return bytes.slice(head, head + count);
}

/** The raw value fwupd stores for one key, or undefined when SMBIOS does not provide it. */
function readField(structures: readonly SmbiosStructure[], field: (typeof FIELDS)[number]): Uint8Array | undefined {
  const structure = findStructure(structures, field.type);
  if (structure === undefined) return undefined;
  let raw: Uint8Array;
  if (field.kind === 'string') {
    const value = structureString(structure, field.offset);
    if (value === undefined) return undefined;
    raw = stripLikeFwupd(value);
  } else {
    const value = structureByte(structure, field.offset);
    if (value === undefined) return undefined;
    const text = field.kind === 'byte-hex-padded' ? value.toString(16).padStart(2, '0') : value.toString(16);
    raw = new TextEncoder().encode(text);
  }
  // "weirdly, remove leading zeros" (fwupd): strings and the enclosure kind, not the releases.
  if (field.kind === 'byte-hex-padded') return raw;
  let start = 0;
  while (start < raw.length && raw[start] === ZERO) start++;
  return raw.subarray(start);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossyUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function decodeStrict(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** RFC 4122 name-based UUID, version 5 (SHA-1), lower-case. */
export function uuidV5(namespace: string, bytes: Uint8Array): string {
  const ns = namespace.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(ns)) throw new TypeError(`namespace is not a UUID: ${namespace}`);
  const hash = createHash('sha1').update(Buffer.from(ns, 'hex')).update(bytes).digest();
  const uuid = hash.subarray(0, 16);
  uuid[6] = ((uuid[6] ?? 0) & 0x0f) | 0x50;
  uuid[8] = ((uuid[8] ?? 0) & 0x3f) | 0x80;
  const h = uuid.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The CHID of one already-joined value, e.g. `LENOVO&ThinkPad T440s`. */
export function hardwareIdGuid(value: string): string {
  return uuidV5(HARDWARE_ID_NAMESPACE, Buffer.from(value, 'utf16le'));
}

/**
 * All hardware IDs fwupd derives from these SMBIOS structures. An ID is omitted, as fwupd omits it,
 * when one of its keys is missing, when the joined value is not valid UTF-8, or when it is empty.
 */
export function computeHardwareIds(smbios: SmbiosParseResult | readonly SmbiosStructure[]): HardwareIdsResult {
  const structures = 'structures' in smbios ? smbios.structures : smbios;
  const raw = new Map<HardwareIdKey, Uint8Array>();
  const keys: Partial<Record<HardwareIdKey, string>> = {};
  for (const field of FIELDS) {
    const value = readField(structures, field);
    if (value === undefined) continue;
    raw.set(field.key, value);
    keys[field.key] = lossyUtf8.decode(value);
  }

  const ids: HardwareId[] = [];
  const omitted: HardwareIdsResult['omitted'] = [];
  for (const definition of HARDWARE_ID_DEFINITIONS) {
    const missing = definition.keys.find((key) => !raw.has(key));
    if (missing !== undefined) {
      omitted.push({ name: definition.name, reason: `${missing} is not available` });
      continue;
    }
    const parts = definition.keys.map((key) => raw.get(key) ?? new Uint8Array(0));
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + parts.length - 1);
    let at = 0;
    parts.forEach((part, index) => {
      if (index > 0) joined[at++] = AMPERSAND;
      joined.set(part, at);
      at += part.length;
    });
    const value = decodeStrict(joined);
    if (value === undefined) {
      const bad = definition.keys.filter((key) => decodeStrict(raw.get(key) ?? new Uint8Array(0)) === undefined);
      omitted.push({ name: definition.name, reason: `${bad.join(', ')} is not valid UTF-8` });
      continue;
    }
    if (value.length === 0) {
      omitted.push({ name: definition.name, reason: 'the value is empty' });
      continue;
    }
    ids.push({ name: definition.name, guid: hardwareIdGuid(value), keys: [...definition.keys], value });
  }
  return { keys, ids, omitted };
}

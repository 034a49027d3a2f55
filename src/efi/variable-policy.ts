/**
 * What the Linux kernel enforces on efivarfs writes, re-stated so that every store (including
 * the in-memory one used for dry runs) refuses the same values the kernel would refuse with
 * EINVAL, and so callers know which variables the kernel leaves mutable.
 *
 * The kernel keeps a whitelist (fs/efivarfs/vars.c, `variable_validate[]`) of global variables
 * it validates on write and does not mark immutable: BootNext, BootOrder, Boot*, DriverOrder,
 * Driver*, ConIn/ConOut/ErrOut[Dev], Lang, OsIndications, PlatformLang, Timeout; plus every
 * variable under the Linux crash GUID. Everything else (fwupd-*, FWUPDATE_*, SecureBoot, ...)
 * is created immutable (FS_IMMUTABLE_FL) and must have the flag cleared before a rewrite or unlink.
 */
import { dataView } from './bytes.js';
import { EFI_GLOBAL_VARIABLE_GUID, LINUX_EFI_CRASH_GUID, LINUX_EFI_RANDOM_SEED_GUID } from './guid.js';

/** Attribute bits the kernel accepts on a write (EFI_VARIABLE_MASK); anything else is EINVAL. */
export const EFI_VARIABLE_MASK = 0x7f;

type Validator = (name: string, data: Uint8Array, prefixLength: number) => string | undefined;

interface Rule {
  /** Exact name, or a prefix ending in `*`. */
  pattern: string;
  validate?: Validator;
}

const GLOBAL_RULES: readonly Rule[] = [
  { pattern: 'BootNext', validate: validateUint16 },
  { pattern: 'BootOrder', validate: validateEvenLength },
  { pattern: 'Boot*', validate: validateLoadOptionName },
  { pattern: 'DriverOrder', validate: validateEvenLength },
  { pattern: 'Driver*', validate: validateLoadOptionName },
  { pattern: 'ConIn', validate: validateKernelDevicePath },
  { pattern: 'ConInDev', validate: validateKernelDevicePath },
  { pattern: 'ConOut', validate: validateKernelDevicePath },
  { pattern: 'ConOutDev', validate: validateKernelDevicePath },
  { pattern: 'ErrOut', validate: validateKernelDevicePath },
  { pattern: 'ErrOutDev', validate: validateKernelDevicePath },
  { pattern: 'Lang', validate: validateAsciiString },
  { pattern: 'OsIndications' },
  { pattern: 'PlatformLang', validate: validateAsciiString },
  { pattern: 'Timeout', validate: validateUint16 },
];

function matchRule(guid: string, name: string): Rule | undefined {
  if (guid === LINUX_EFI_CRASH_GUID) return { pattern: '*' };
  if (guid !== EFI_GLOBAL_VARIABLE_GUID) return undefined;
  return GLOBAL_RULES.find((rule) =>
    rule.pattern.endsWith('*') ? name.startsWith(rule.pattern.slice(0, -1)) : name === rule.pattern,
  );
}

/** Does the kernel leave this variable's efivarfs file mutable (i.e. is it whitelisted)? */
export function isKernelWhitelisted(guid: string, name: string): boolean {
  return matchRule(guid, name) !== undefined;
}

/**
 * The reason the kernel would refuse to write this value, or undefined. Covers the attribute
 * mask, the random-seed GUID (EPERM) and the whitelist validators.
 */
export function validateKernelVariable(
  guid: string,
  name: string,
  data: Uint8Array,
  attributes = 0x7,
): string | undefined {
  if ((attributes & ~EFI_VARIABLE_MASK) !== 0) {
    return `attributes 0x${attributes.toString(16)} have bits outside 0x7f`;
  }
  if (guid === LINUX_EFI_RANDOM_SEED_GUID) return 'the kernel refuses writes under the linux random seed guid';
  const rule = matchRule(guid, name);
  if (rule?.validate === undefined) return undefined;
  return rule.validate(name, data, rule.pattern.length - 1);
}

function validateUint16(name: string, data: Uint8Array): string | undefined {
  return data.length === 2 ? undefined : `${name} must be exactly 2 bytes, got ${data.length}`;
}

function validateEvenLength(name: string, data: Uint8Array): string | undefined {
  return data.length % 2 === 0 ? undefined : `${name} is a list of u16 but has odd length ${data.length}`;
}

function validateAsciiString(name: string, data: Uint8Array): string | undefined {
  for (const byte of data) {
    if (byte > 127) return `${name} must be ASCII`;
    if (byte === 0) return undefined;
  }
  return `${name} must be a NUL-terminated ASCII string`;
}

/**
 * `Boot*` / `Driver*`: only names with four hex digits after the prefix are load options
 * (`BootCurrent` is not); four hex digits followed by more is refused; a load option needs a
 * NUL-terminated description, a FilePathListLength that fits and a device path reaching an End.
 */
function validateLoadOptionName(name: string, data: Uint8Array, prefixLength: number): string | undefined {
  const digits = name.slice(prefixLength, prefixLength + 4);
  if (!/^[0-9a-fA-F]{4}$/.test(digits)) return undefined;
  if (name.length > prefixLength + 4) return `${name}: four hex digits followed by more characters`;
  if (data.length < 8) return `${name} must be at least 8 bytes, got ${data.length}`;
  const view = dataView(data);
  const filePathListLength = view.getUint16(4, true);
  let descriptionBytes = 0;
  while (6 + descriptionBytes + 2 <= data.length && view.getUint16(6 + descriptionBytes, true) !== 0) {
    descriptionBytes += 2;
  }
  const descriptionLength = descriptionBytes + 2;
  if (descriptionLength + filePathListLength + 6 > data.length) {
    return `${name}: description and FilePathListLength ${filePathListLength} do not fit in ${data.length} bytes`;
  }
  const start = 6 + descriptionLength;
  const invalid = validateKernelDevicePath(name, data.subarray(start, start + filePathListLength));
  return invalid === undefined ? undefined : `${name}: ${invalid}`;
}

/** The kernel's walk: nodes of at least 4 bytes inside the buffer until an End-of-entire node. */
function validateKernelDevicePath(name: string, data: Uint8Array): string | undefined {
  if (data.length < 4) return `${name} device path is shorter than one node`;
  const view = dataView(data);
  let offset = 0;
  while (offset <= data.length - 4) {
    const length = view.getUint16(offset + 2, true);
    if (length < 4 || length > data.length - offset) break;
    const type = view.getUint8(offset);
    const subType = view.getUint8(offset + 1);
    offset += length;
    if ((type === 0x7f || type === 0xff) && subType === 0xff) return undefined;
  }
  return 'device path does not reach an end node';
}

/**
 * EFI_LOAD_OPTION (UEFI 2.10 §3.1.3), the content of Boot#### variables:
 * Attributes u32 | FilePathListLength u16 | Description CHAR16[] NUL | FilePathList | OptionalData.
 */
import { assertUint, concatBytes, type Decoded, dataView, decodeFailure, encodeUcs2, readUcs2z } from './bytes.js';
import { type DevicePathNode, formatDevicePath, parseDevicePath } from './device-path.js';

export const LOAD_OPTION_ACTIVE = 0x1;
export const LOAD_OPTION_FORCE_RECONNECT = 0x2;
export const LOAD_OPTION_HIDDEN = 0x8;
export const LOAD_OPTION_CATEGORY_MASK = 0x1f00;
export const LOAD_OPTION_CATEGORY_BOOT = 0x0;
export const LOAD_OPTION_CATEGORY_APP = 0x100;

/** fwupd's description of its boot entry, and the legacy one (quirk `use-legacy-bootmgr-desc`). */
export const FWUPD_BOOT_DESCRIPTION = 'Linux Firmware Updater';
export const FWUPD_LEGACY_BOOT_DESCRIPTION = 'Linux-Firmware-Updater';

export interface LoadOption {
  attributes: number;
  description: string;
  /** The device path(s), without the final End-of-entire node (see device-path.ts). */
  filePathList: DevicePathNode[];
  /** Whatever follows the FilePathList; empty when there is none. */
  optionalData: Uint8Array;
}

export function formatLoadOption(option: LoadOption): Uint8Array {
  assertUint(option.attributes, 32, 'load option attributes');
  const description = encodeUcs2(option.description, 'load option description');
  const paths = formatDevicePath(option.filePathList);
  if (paths.length > 0xffff) throw new TypeError(`load option FilePathList is ${paths.length} bytes, over 65535`);
  const head = new Uint8Array(6);
  const view = dataView(head);
  view.setUint32(0, option.attributes, true);
  view.setUint16(4, paths.length, true);
  return concatBytes(head, description, paths, option.optionalData ?? new Uint8Array());
}

/**
 * Strict decoder: the description is NUL-terminated inside the variable, FilePathListLength fits
 * after it, and the FilePathList is one or more complete device paths filling exactly that length.
 * Never throws.
 */
export function parseLoadOption(bytes: Uint8Array): Decoded<{ option: LoadOption }> {
  if (bytes.length < 6) return decodeFailure(`load option is ${bytes.length} bytes, shorter than its 6-byte header`);
  const view = dataView(bytes);
  const attributes = view.getUint32(0, true);
  const filePathListLength = view.getUint16(4, true);
  const description = readUcs2z(bytes, 6, bytes.length);
  if (description === undefined) return decodeFailure('load option description is not NUL-terminated');
  if (/[\ud800-\udfff]/.test(description.text)) return decodeFailure('load option description is not UCS-2');
  const pathsStart = description.next;
  const pathsEnd = pathsStart + filePathListLength;
  if (pathsEnd > bytes.length) {
    return decodeFailure(
      `load option FilePathListLength ${filePathListLength} runs past the end (${bytes.length - pathsStart} bytes after the description)`,
    );
  }
  const paths = parseDevicePath(bytes.subarray(pathsStart, pathsEnd), { allowMultiple: true });
  if (!paths.ok) return decodeFailure(`load option FilePathList at offset ${pathsStart}: ${paths.reason}`);
  return {
    ok: true,
    option: {
      attributes,
      description: description.text,
      filePathList: paths.nodes,
      optionalData: bytes.slice(pathsEnd),
    },
  };
}

/** `2` → `Boot0002` (upper-case hex, as UEFI requires). */
export function formatBootEntryName(index: number): string {
  assertUint(index, 16, 'boot entry index');
  return `Boot${index.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `Boot0002` → 2; anything else (`BootOrder`, `Boot02`, `boot0002`, `Bootabcd`) → undefined. */
export function parseBootEntryName(name: string): number | undefined {
  const match = /^Boot([0-9A-F]{4})$/.exec(name);
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 16);
}

/** The shim argument fwupd puts in OptionalData under Secure Boot: UCS-2 `\fwupdx64.efi` + NUL. */
export function formatShimArgument(relativePath: string): Uint8Array {
  return encodeUcs2(relativePath, 'shim argument');
}

/** Reads OptionalData as a NUL-terminated UCS-2 string filling it exactly, or undefined. */
export function parseShimArgument(optionalData: Uint8Array): string | undefined {
  const text = readUcs2z(optionalData, 0, optionalData.length);
  return text !== undefined && text.next === optionalData.length ? text.text : undefined;
}

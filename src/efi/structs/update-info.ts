/**
 * fwupd's update-info variable, the contract between the OS side and the fwupd-efi helper
 * (`fwupd-<fw_class>-<hw_inst>` under the FWUPDATE GUID, attributes 0x7):
 *
 *   0x00 u32 update_info_version (7) | 0x04 EFI_GUID guid | 0x14 u32 capsule_flags |
 *   0x18 u64 hw_inst | 0x20 EFI_TIME time_attempted | 0x30 u32 status | 0x34 device path list
 *
 * Two checks live here. `parseUpdateInfo` is capstan's strict decoder. `checkFwupdEfiAcceptance`
 * is exactly the rule fwupd-efi 1.4 applies before it does anything: a variable failing it is
 * deleted by the helper and the whole run aborts, so capstan must never write one and
 * `verify-staged` must detect one.
 */
import { assertUint, assertUint64, concatBytes, type Decoded, dataView, decodeFailure, hex } from '../bytes.js';
import {
  DEVICE_PATH_TYPE_END,
  type DevicePathNode,
  END_SUBTYPE_ENTIRE,
  formatDevicePath,
  parseDevicePath,
} from '../device-path.js';
import { formatGuidBytes, isGuid, parseGuidBytes } from '../guid.js';
import { type EfiTime, formatEfiTime, parseEfiTime } from './efi-time.js';

export { FWUPDATE_GUID } from '../guid.js';

export const UPDATE_INFO_VERSION = 7;
/** Size of the fixed part; the device path list starts here. */
export const UPDATE_INFO_HEADER_SIZE = 0x34;
/** The variable name fwupd uses for the UX capsule's update info. */
export const UX_CAPSULE_UPDATE_INFO_NAME = 'fwupd-ux-capsule';

export const UPDATE_STATUS_UNKNOWN = 0;
/** Bit 0: "apply me" (fwupd writes this). */
export const UPDATE_STATUS_ATTEMPT_UPDATE = 1;
/** The helper stamped time_attempted and is about to call UpdateCapsule. */
export const UPDATE_STATUS_ATTEMPTED = 2;

export interface UpdateInfo {
  version: number;
  /** The capsule's fw_class (or the UX capsule GUID), lower-case. */
  guid: string;
  capsuleFlags: number;
  hwInst: bigint;
  /** null when all 16 bytes are zero (not attempted yet). */
  timeAttempted: EfiTime | null;
  /** 0 unknown/cleared, 1 attempt-update, 2 attempted; other values are kept as read. */
  status: number;
  /** Device path list without its final End node: normally HD(ESP) + File Path(capsule). */
  devicePath: DevicePathNode[];
}

/** `fwupd-ddc0ee61-e7f0-4e7d-acc5-c070a398838e-0`. */
export function updateInfoVariableName(fwClass: string, hwInst: number | bigint = 0): string {
  const guid = fwClass.toLowerCase();
  if (!isGuid(guid)) throw new TypeError(`not a guid: ${fwClass}`);
  const instance = BigInt(hwInst);
  if (instance < 0n || instance > 0xffff_ffff_ffff_ffffn) throw new TypeError(`hw_inst out of range: ${hwInst}`);
  return `fwupd-${guid}-${instance.toString(10)}`;
}

/** Reverse of `updateInfoVariableName`; undefined for other names (including `fwupd-ux-capsule`). */
export function parseUpdateInfoVariableName(name: string): { fwClass: string; hwInst: bigint } | undefined {
  const match = /^fwupd-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(0|[1-9][0-9]{0,19})$/.exec(
    name,
  );
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  const hwInst = BigInt(match[2]);
  return hwInst > 0xffff_ffff_ffff_ffffn ? undefined : { fwClass: match[1], hwInst };
}

/** Encodes an update-info variable; the result always passes `checkFwupdEfiAcceptance`. */
export function formatUpdateInfo(info: UpdateInfo): Uint8Array {
  assertUint(info.version, 32, 'update info version');
  assertUint(info.capsuleFlags, 32, 'update info capsuleFlags');
  assertUint64(info.hwInst, 'update info hwInst');
  assertUint(info.status, 32, 'update info status');
  if (info.devicePath.length === 0) {
    throw new TypeError('update info device path is empty: fwupd-efi deletes such a variable and aborts');
  }
  const head = new Uint8Array(UPDATE_INFO_HEADER_SIZE);
  const view = dataView(head);
  view.setUint32(0, info.version, true);
  head.set(formatGuidBytes(info.guid), 0x04);
  view.setUint32(0x14, info.capsuleFlags, true);
  view.setBigUint64(0x18, info.hwInst, true);
  head.set(formatEfiTime(info.timeAttempted), 0x20);
  view.setUint32(0x30, info.status, true);
  const out = concatBytes(head, formatDevicePath(info.devicePath));
  const accepted = checkFwupdEfiAcceptance(out);
  if (!accepted.ok) throw new TypeError(`update info would be rejected by fwupd-efi: ${accepted.reason}`);
  return out;
}

/**
 * Strict decoder: version 7, the fwupd-efi acceptance rule, and a device path that decodes
 * strictly (see device-path.ts) with at least one node before its End. Never throws.
 */
export function parseUpdateInfo(bytes: Uint8Array): Decoded<{ info: UpdateInfo }> {
  const accepted = checkFwupdEfiAcceptance(bytes);
  if (!accepted.ok) return accepted;
  const view = dataView(bytes);
  const version = view.getUint32(0, true);
  if (version !== UPDATE_INFO_VERSION) return decodeFailure(`update info version is ${version}, not 7`);
  const time = parseEfiTime(bytes, 0x20);
  if (!time.ok) return time;
  const path = parseDevicePath(bytes.subarray(UPDATE_INFO_HEADER_SIZE));
  if (!path.ok) return decodeFailure(`update info device path at offset 0x34: ${path.reason}`);
  if (path.nodes.length === 0) return decodeFailure('update info device path has no node before its end');
  return {
    ok: true,
    info: {
      version,
      guid: parseGuidBytes(bytes, 0x04),
      capsuleFlags: view.getUint32(0x14, true),
      hwInst: view.getBigUint64(0x18, true),
      timeAttempted: time.time,
      status: view.getUint32(0x30, true),
      devicePath: path.nodes,
    },
  };
}

/**
 * fwupd-efi 1.4's own validity rule (`fwup_populate_update_info`), re-stated: the data must be
 * larger than 60 bytes (the 52-byte header, one 4-byte node and more), and walking device path
 * nodes from offset 52 must reach an End-of-entire node (type & 0x7f == 0x7f, subtype 0xff) whose
 * end is exactly the end of the data, with every node inside the data.
 *
 * Stricter than 1.4 in two places where 1.4 misbehaves rather than rejects (fixed upstream in
 * fwupd-efi 7eef4e6 / 7c2dcc5): a node length below 4 (1.4 spins forever on length 0, i.e. the
 * machine hangs at boot, and walks misaligned on 1-3), and a node running past the data (1.4
 * bounds the walk by the whole variable size, not the bytes left, and reads past the buffer).
 * Both are reported as failures here.
 */
export function checkFwupdEfiAcceptance(bytes: Uint8Array): { ok: true } | { ok: false; reason: string } {
  if (bytes.length <= 60) {
    return decodeFailure(`update info is ${bytes.length} bytes; fwupd-efi needs more than 60 and deletes it`);
  }
  const view = dataView(bytes);
  let offset = UPDATE_INFO_HEADER_SIZE;
  while (bytes.length - offset >= 4) {
    const type = view.getUint8(offset);
    const subType = view.getUint8(offset + 1);
    const length = view.getUint16(offset + 2, true);
    if (length === 0) {
      return decodeFailure(`device path node at offset ${hex(offset)} has length 0: fwupd-efi 1.4 would hang at boot`);
    }
    if (length < 4) return decodeFailure(`device path node at offset ${hex(offset)} has length ${length}, below 4`);
    if (offset + length > bytes.length) {
      return decodeFailure(`device path node at offset ${hex(offset)} has length ${length}, past the end of the data`);
    }
    offset += length;
    if ((type & 0x7f) === DEVICE_PATH_TYPE_END && subType === END_SUBTYPE_ENTIRE) {
      return offset === bytes.length
        ? { ok: true }
        : decodeFailure(
            `device path ends at offset ${hex(offset)} but the data is ${bytes.length} bytes: fwupd-efi deletes it`,
          );
    }
  }
  return decodeFailure('device path has no end node: fwupd-efi deletes the variable and aborts');
}

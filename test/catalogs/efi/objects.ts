/**
 * The decoded form of the reference bytes in reference-bytes.ts, built from the fields the
 * reference document states (§5.2, §7).
 */
import { filePathNode, type HardDriveNode, hardDriveNode } from '../../../src/efi/device-path.js';
import {
  FWUPD_BOOT_DESCRIPTION,
  formatShimArgument,
  LOAD_OPTION_ACTIVE,
  type LoadOption,
} from '../../../src/efi/load-option.js';
import type { UpdateInfo } from '../../../src/efi/structs/update-info.js';
import { CAPSULE_PATH, ESP_PARTUUID, FW_CLASS, HELPER_PATH, SHIM_ARGUMENT, SHIM_PATH } from './reference-bytes.js';

/** ESP = partition 1, start 0x800, size 0x100000, GPT, PARTUUID 4d2f3b6a-…. */
export const ESP_NODE: HardDriveNode = hardDriveNode({
  partitionNumber: 1,
  partitionStart: 0x800n,
  partitionSize: 0x100000n,
  format: 2,
  signatureType: 2,
  signature: ESP_PARTUUID,
});

/** §7, Secure Boot off: 152 bytes. */
export const FWUPD_ENTRY: LoadOption = {
  attributes: LOAD_OPTION_ACTIVE,
  description: FWUPD_BOOT_DESCRIPTION,
  filePathList: [ESP_NODE, filePathNode(HELPER_PATH)],
  optionalData: new Uint8Array(),
};

/** §7, Secure Boot on: shim + `\fwupdx64.efi` argument, 178 bytes. */
export const FWUPD_SB_ENTRY: LoadOption = {
  attributes: LOAD_OPTION_ACTIVE,
  description: FWUPD_BOOT_DESCRIPTION,
  filePathList: [ESP_NODE, filePathNode(SHIM_PATH)],
  optionalData: formatShimArgument(SHIM_ARGUMENT),
};

/** §5.2: version 7, flags 0x50000 (ESRT 0 after fwupd's x86 fix-up), hw_inst 0, status 1. */
export const UPDATE_INFO_226_FIELDS: UpdateInfo = {
  version: 7,
  guid: FW_CLASS,
  capsuleFlags: 0x50000,
  hwInst: 0n,
  timeAttempted: null,
  status: 1,
  devicePath: [ESP_NODE, filePathNode(CAPSULE_PATH)],
};

/**
 * fwupd's boot entry (uefi-capsule-update.md §7; fwupd 2.0.20 fu-uefi-bootmgr.c): the `Linux Firmware
 * Updater` load option, which Boot#### carries it, and the optional BootOrder change.
 */
import {
  bytesEqual,
  type EfiVarStore,
  type EspGeometry,
  espPathOnPartition,
  FWUPD_BOOT_DESCRIPTION,
  FWUPD_LEGACY_BOOT_DESCRIPTION,
  filePathNode,
  findFwupdBootEntry,
  findLowestUnusedBootIndex,
  formatBootEntryName,
  formatBootOrder,
  formatLoadOption,
  formatShimArgument,
  LOAD_OPTION_ACTIVE,
  type LoadOption,
  listBootEntries,
  readBootEntryBytes,
  readBootOrder,
} from '../../src/plugin-api.js';
import { espHardDriveNode, SHIM_ARGUMENT } from './esp-layout.js';

export interface FwupdLoadOptionInit {
  geometry: EspGeometry;
  fsPath?: string | undefined;
  /** ESP-relative path of what the firmware starts: the helper, or shim under Secure Boot. */
  loader: string;
  /** Secure Boot: shim is the loader and gets `\fwupdx64.efi` as its argument. */
  viaShim: boolean;
  legacyDescription: boolean;
}

/** `HD(ESP)/\EFI\<os>\fwupdx64.efi`, or `HD(ESP)/\EFI\<os>\shimx64.efi` + UCS-2 `\fwupdx64.efi` under Secure Boot. */
export function buildFwupdLoadOption(init: FwupdLoadOptionInit): LoadOption {
  return {
    attributes: LOAD_OPTION_ACTIVE,
    description: init.legacyDescription ? FWUPD_LEGACY_BOOT_DESCRIPTION : FWUPD_BOOT_DESCRIPTION,
    filePathList: [espHardDriveNode(init.geometry), filePathNode(espPathOnPartition(init.fsPath, init.loader))],
    optionalData: init.viaShim ? formatShimArgument(SHIM_ARGUMENT) : new Uint8Array(),
  };
}

export type BootEntryPlan =
  /** An entry described as fwupd's exists with exactly these bytes: nothing to write. */
  | { action: 'reuse'; index: number; name: string; data: Uint8Array }
  /** An fwupd entry exists with other bytes: rewritten in place (fwupd never deletes its entry). */
  | { action: 'rewrite'; index: number; name: string; data: Uint8Array; previous: Uint8Array }
  /** No fwupd entry: a new one at the lowest free index. */
  | { action: 'create'; index: number; name: string; data: Uint8Array };

/**
 * Which Boot#### carries the option. fwupd reuses the first entry (in efivarfs directory order) whose
 * description is `Linux Firmware Updater` or `Linux-Firmware-Updater`; capstan takes the lowest-numbered
 * one, which is the same entry whenever there is only one. Otherwise fwupd takes the lowest index with no
 * Boot#### variable; capstan also skips indices BootOrder names (their variable missing), so that the
 * updater can never become a regular boot choice (fwupd would take Boot0000 on the bare-metal fixture,
 * whose BootOrder is 0001,0000 with neither variable present). Undefined when all 65535 are taken.
 */
export function planBootEntry(variables: EfiVarStore, option: LoadOption): BootEntryPlan | undefined {
  const data = formatLoadOption(option);
  const existing = findFwupdBootEntry(listBootEntries(variables));
  if (existing !== undefined) {
    const previous = readBootEntryBytes(variables, existing.index);
    if (previous !== undefined && bytesEqual(previous, data)) {
      return { action: 'reuse', index: existing.index, name: existing.name, data };
    }
    return {
      action: 'rewrite',
      index: existing.index,
      name: existing.name,
      data,
      previous: previous ?? new Uint8Array(),
    };
  }
  const order = readBootOrder(variables);
  const index = findLowestUnusedBootIndex(variables, order?.ok === true ? order.order : []);
  return index === undefined ? undefined : { action: 'create', index, name: formatBootEntryName(index), data };
}

/** Quirk `modify-bootorder`: BootOrder with `index` appended, or undefined when it is already there. */
export function planBootOrder(variables: EfiVarStore, index: number): Uint8Array | undefined {
  const order = readBootOrder(variables);
  if (order === undefined || !order.ok) {
    throw new TypeError('planBootOrder needs a readable BootOrder (the probe checks it)');
  }
  return order.order.includes(index) ? undefined : formatBootOrder([...order.order, index]);
}

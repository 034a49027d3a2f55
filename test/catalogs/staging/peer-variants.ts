/**
 * The machines the staging peer tests stage on, once with the real fwupdtool and once with capstan.
 * Each says what capstan is expected to do relative to fwupd: `same` (identical bytes, files, directories
 * and order) or a named, documented divergence.
 */

import { buildFwupdLoadOption } from '../../../plugins/uefi-capsule/index.js';
import {
  EFI_VARIABLE_DEFAULT_ATTRIBUTES,
  FWUPD_BOOT_DESCRIPTION,
  filePathNode,
  formatLoadOption,
  LOAD_OPTION_ACTIVE,
} from '../../../src/plugin-api.js';
import {
  fwupdateVar,
  globalVar,
  MANUFACTURER_HWID,
  u64,
  type Variant,
  varContent,
  ZERO_GEOMETRY,
} from './fwupd-sandbox.js';

const bootOption = (description: string, file: string): Uint8Array =>
  formatLoadOption({
    attributes: LOAD_OPTION_ACTIVE,
    description,
    filePathList: [filePathNode(file)],
    optionalData: new Uint8Array(),
  });

const attrs7 = (data: Uint8Array): Uint8Array => varContent(EFI_VARIABLE_DEFAULT_ATTRIBUTES, data);

/** Boot0000 and Boot0001 as an installer leaves them, so a new entry lands on Boot0002 (§7's example). */
const TWO_ENTRIES: Record<string, Uint8Array> = {
  [globalVar('Boot0000')]: attrs7(bootOption('debian', '\\EFI\\debian\\shimx64.efi')),
  [globalVar('Boot0001')]: attrs7(bootOption('UEFI Shell', '\\EFI\\Boot\\bootx64.efi')),
};

/** What capstan writes for Boot#### on this sandbox (zero geometry, helper path), to pre-create it. */
const CAPSTAN_ENTRY = formatLoadOption(
  buildFwupdLoadOption({
    geometry: ZERO_GEOMETRY,
    loader: 'EFI/debian/fwupdx64.efi',
    viaShim: false,
    legacyDescription: false,
  }),
);

export interface PeerVariant extends Variant {
  name: string;
  method: 'uefi-capsule' | 'capsule-on-disk';
  expect: 'same' | 'fwupd-takes-boot0000' | 'capstan-refuses';
  about: string;
}

export const PEER_VARIANTS: readonly PeerVariant[] = [
  {
    name: 'plain',
    method: 'uefi-capsule',
    about: 'Boot0000/0001 present; FWUPDATE_VERBOSE and FWUPDATE_DEBUG_LOG left by an earlier run',
    efivars: {
      ...TWO_ENTRIES,
      [fwupdateVar('FWUPDATE_VERBOSE')]: attrs7(Uint8Array.of(1)),
      [fwupdateVar('FWUPDATE_DEBUG_LOG')]: attrs7(Uint8Array.of(0x41, 0, 0, 0)),
    },
    expect: 'same',
  },
  {
    name: 'fixture-as-is',
    method: 'uefi-capsule',
    about: 'the bare-metal fixture: BootOrder 0001,0000 but no Boot#### variable at all',
    expect: 'fwupd-takes-boot0000',
  },
  {
    name: 'secure-boot',
    method: 'uefi-capsule',
    about: 'SecureBoot=1 and EFI/debian/shimx64.efi on the ESP',
    efivars: { ...TWO_ENTRIES, [globalVar('SecureBoot')]: varContent(0x6, Uint8Array.of(1)) },
    esp: { 'EFI/debian/shimx64.efi': 'a stand-in for shim\n' },
    expect: 'same',
  },
  {
    name: 'secure-boot-no-shim',
    method: 'uefi-capsule',
    about: 'SecureBoot=1 without shim: fwupd fails after writing the capsule and the update info',
    efivars: { ...TWO_ENTRIES, [globalVar('SecureBoot')]: varContent(0x6, Uint8Array.of(1)) },
    expect: 'capstan-refuses',
  },
  {
    name: 'reuse-different',
    method: 'uefi-capsule',
    about: 'a "Linux Firmware Updater" Boot0005 pointing elsewhere (shorter, so no stale tail)',
    efivars: {
      ...TWO_ENTRIES,
      [globalVar('Boot0005')]: attrs7(bootOption(FWUPD_BOOT_DESCRIPTION, '\\EFI\\debian\\old.efi')),
    },
    expect: 'same',
  },
  {
    name: 'reuse-identical',
    method: 'uefi-capsule',
    about: 'Boot0005 already holds exactly the entry: not rewritten, only BootNext',
    efivars: { ...TWO_ENTRIES, [globalVar('Boot0005')]: attrs7(CAPSTAN_ENTRY) },
    expect: 'same',
  },
  {
    name: 'helper-identical',
    method: 'uefi-capsule',
    about: 'EFI/debian/fwupdx64.efi already equals the installed helper: not copied',
    efivars: TWO_ENTRIES,
    helperOnEsp: true,
    expect: 'same',
  },
  {
    name: 'bootloader-supports-fwupd',
    method: 'uefi-capsule',
    about: 'BootloaderSupportsFwupd = 01: only the capsule and the update info',
    efivars: { ...TWO_ENTRIES, [fwupdateVar('BootloaderSupportsFwupd')]: attrs7(Uint8Array.of(1)) },
    expect: 'same',
  },
  {
    name: 'quirks',
    method: 'uefi-capsule',
    about: 'modify-bootorder and use-legacy-bootmgr-desc, from a quirk file on the Manufacturer HWID',
    efivars: TWO_ENTRIES,
    quirk: `[${MANUFACTURER_HWID}]\nFlags = modify-bootorder,use-legacy-bootmgr-desc\n`,
    quirks: { modifyBootOrder: true, legacyBootmgrDesc: true },
    expect: 'same',
  },
  {
    name: 'capsule-on-disk',
    method: 'capsule-on-disk',
    about: 'OsIndicationsSupported 0x5, no OsIndications yet',
    efivars: { [globalVar('OsIndicationsSupported')]: varContent(0x6, u64(0x5n)) },
    expect: 'same',
  },
  {
    name: 'capsule-on-disk-existing',
    method: 'capsule-on-disk',
    about: 'OsIndicationsSupported 0x5 and OsIndications 0x1 (boot to firmware UI) already set',
    efivars: {
      [globalVar('OsIndicationsSupported')]: varContent(0x6, u64(0x5n)),
      [globalVar('OsIndications')]: attrs7(u64(0x1n)),
    },
    expect: 'same',
  },
];

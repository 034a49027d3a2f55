/**
 * StageInputs matching the worked examples of /work/shared/reference/uefi-capsule-update.md (§5.2, §6,
 * §7, §9): ESP = partition 1, start 0x800, size 0x100000, PARTUUID 4d2f3b6a-…, fw_class ddc0ee61-…, ESRT
 * capsule flags 0 (→ 0x50000), `<os>` = debian, Boot0000 and Boot0001 present (→ Boot0002).
 */
import {
  EFI_GLOBAL_VARIABLE_GUID,
  EFI_VARIABLE_DEFAULT_ATTRIBUTES,
  type EspGeometry,
  FWUPDATE_GUID,
  filePathNode,
  formatBootOrder,
  formatLoadOption,
  formatOsIndications,
  type HelperBinary,
  LOAD_OPTION_ACTIVE,
  MemoryEfiVarStore,
  type StageInput,
} from '../../../src/plugin-api.js';
import { ESP_PARTUUID, FW_CLASS } from '../efi/reference-bytes.js';

export const REFERENCE_GEOMETRY: EspGeometry = {
  partitionNumber: 1,
  partitionStart: 0x800n,
  partitionSize: 0x100000n,
  logicalBlockSize: 512,
  partUuid: ESP_PARTUUID,
  partType: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  disk: 'nvme0n1',
  device: '259:1',
  source: 'udev+sysfs',
};

export const SIGNED_HELPER: HelperBinary = {
  systemPath: '/usr/libexec/fwupd/efi/fwupdx64.efi.signed',
  sha256: 'a1'.repeat(32),
  size: 63312,
};
export const UNSIGNED_HELPER: HelperBinary = {
  systemPath: '/usr/libexec/fwupd/efi/fwupdx64.efi',
  sha256: 'b2'.repeat(32),
  size: 61000,
};

/** 64 bytes that do not start with a capsule GUID (§6's observed example: header + 64 = 4160 bytes). */
export function referencePayload(size = 64): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 7 + 3) & 0xff);
}

export const loadOption = (description: string, file: string): Uint8Array =>
  formatLoadOption({
    attributes: LOAD_OPTION_ACTIVE,
    description,
    filePathList: [filePathNode(file)],
    optionalData: new Uint8Array(),
  });

type Records = Record<string, { guid: string; attributes: number; data: Uint8Array } | null>;

export const globalRecord = (data: Uint8Array, attributes = EFI_VARIABLE_DEFAULT_ATTRIBUTES) => ({
  guid: EFI_GLOBAL_VARIABLE_GUID,
  attributes,
  data,
});
export const fwupdateRecord = (data: Uint8Array) => ({
  guid: FWUPDATE_GUID,
  attributes: EFI_VARIABLE_DEFAULT_ATTRIBUTES,
  data,
});

/** The default NVRAM: two boot entries, BootOrder 0000,0001, Secure Boot off, no capsule-on-disk. */
export const DEFAULT_VARIABLES: Records = {
  Boot0000: globalRecord(loadOption('debian', '\\EFI\\debian\\shimx64.efi')),
  Boot0001: globalRecord(loadOption('UEFI Shell', '\\EFI\\Boot\\bootx64.efi')),
  BootOrder: globalRecord(formatBootOrder([0, 1])),
  SecureBoot: globalRecord(Uint8Array.of(0), 0x6),
  OsIndicationsSupported: globalRecord(formatOsIndications(0x1n), 0x6),
};

export function makeVariables(overrides: Records = {}): MemoryEfiVarStore {
  const merged = { ...DEFAULT_VARIABLES, ...overrides };
  return new MemoryEfiVarStore(
    Object.entries(merged).flatMap(([name, record]) => (record === null ? [] : [{ name, ...record }])),
  );
}

export interface ReferenceOptions extends Partial<Omit<StageInput, 'variables'>> {
  /** Variables added to (or, with null, removed from) DEFAULT_VARIABLES. */
  vars?: Records;
  payloadBytes?: Uint8Array;
}

export function referenceInput(options: ReferenceOptions = {}): StageInput {
  const { vars, payloadBytes, ...rest } = options;
  const bytes = payloadBytes ?? referencePayload();
  return {
    fwClass: FW_CLASS,
    capsuleFlags: 0,
    payload: { size: bytes.length, head: bytes.subarray(0, 4096), source: { kind: 'bytes', bytes } },
    esp: { mountPoint: '/boot/efi', geometry: REFERENCE_GEOMETRY, existing: new Set(['EFI', 'EFI/debian']) },
    osRelease: { id: 'debian', idLike: [] },
    variables: makeVariables(vars),
    efivarsWritable: true,
    helpers: { unsigned: undefined, signed: SIGNED_HELPER },
    quirks: { modifyBootOrder: false, legacyBootmgrDesc: false },
    ...rest,
  };
}

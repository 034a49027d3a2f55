/**
 * Capsule-on-disk (UEFI 2.10 §8.5.5; uefi-capsule-update.md §9; fwupd 2.0.20 fu-uefi-cod-device.c): the
 * capsule in `\EFI\UpdateCapsule` on the ESP and OsIndications bit 0x4. The firmware finds the file on
 * the next boot, applies it and deletes it. No helper, no update-info variable, no Boot####, no BootNext.
 */
import {
  EFI_GLOBAL_VARIABLE_GUID,
  EFI_VARIABLE_DEFAULT_ATTRIBUTES,
  type EfiVarStore,
  formatOsIndications,
  type MethodEnvironment,
  missingEspDirectories,
  OS_INDICATIONS,
  OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED,
  OS_INDICATIONS_SUPPORTED,
  type PlannedWrite,
  type ProbeResult,
  planCapsuleFile,
  probeFailure,
  type StageInput,
  tryNormalizeGuid,
} from '../../src/plugin-api.js';

/** The directory the firmware scans (on the ESP of the boot option it will use: BootNext, else BootOrder[0]). */
export const UPDATE_CAPSULE_DIRECTORY = 'EFI/UpdateCapsule';

export function codCapsulePath(fwClass: string): string {
  return `${UPDATE_CAPSULE_DIRECTORY}/fwupd-${fwClass}.cap`;
}

/** The first 8 bytes, little-endian, as fwupd reads them (fu_memread_uint64_safe): shorter is unreadable. */
function readU64(variables: EfiVarStore, name: string): { value: bigint; size: number } | undefined {
  const data = variables.get(EFI_GLOBAL_VARIABLE_GUID, name)?.data;
  if (data === undefined) return undefined;
  if (data.length < 8) return { value: -1n, size: data.length };
  return { value: new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true), size: data.length };
}

export function probeCod(env: MethodEnvironment): ProbeResult {
  const { variables } = env;
  if (!variables.supported()) {
    return {
      supported: false,
      code: 'efivars-unavailable',
      reason: 'efivarfs is not available: OsIndicationsSupported cannot be read',
      hint: 'mount -t efivarfs efivarfs /sys/firmware/efi/efivars',
    };
  }
  const supported = readU64(variables, OS_INDICATIONS_SUPPORTED);
  if (supported === undefined || supported.value < 0n) {
    return {
      supported: false,
      code: 'unsupported-platform',
      reason:
        supported === undefined
          ? 'the firmware does not advertise capsule-on-disk: OsIndicationsSupported is missing'
          : `the firmware does not advertise capsule-on-disk: OsIndicationsSupported is ${supported.size} bytes`,
      hint: 'use the uefi-capsule method (--method uefi-capsule)',
    };
  }
  if ((supported.value & OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED) === 0n) {
    return {
      supported: false,
      code: 'unsupported-platform',
      reason: `the firmware does not advertise capsule-on-disk: OsIndicationsSupported is 0x${supported.value.toString(16)}, without bit 0x4`,
      hint: 'use the uefi-capsule method (--method uefi-capsule)',
    };
  }
  // fwupd stages the file anyway on a read-only efivarfs (for U-Boot, which applies it without the bit);
  // UEFI firmware needs OsIndications, so capstan refuses rather than stage an update that never runs.
  if (!env.efivarsWritable) {
    return {
      supported: false,
      code: 'efivars-read-only',
      reason: 'efivarfs is mounted read-only: OsIndications cannot be set to request capsule-on-disk',
      hint: 'mount -o remount,rw /sys/firmware/efi/efivars',
    };
  }
  const current = readU64(variables, OS_INDICATIONS);
  if (current !== undefined && current.value < 0n) {
    return {
      supported: false,
      code: 'unsupported-platform',
      reason: `OsIndications is ${current.size} bytes, shorter than its 8`,
      hint: 'delete the malformed variable (chattr -i, then rm /sys/firmware/efi/efivars/OsIndications-8be4df61-93ca-11d2-aa0d-00e098032b8c)',
    };
  }
  return { supported: true };
}

export function planCodWrites(input: StageInput): PlannedWrite[] {
  const probe = probeCod(input);
  if (!probe.supported) throw probeFailure(probe);
  const fwClass = tryNormalizeGuid(input.fwClass);
  if (fwClass === undefined) throw new TypeError(`fw_class is not a guid: ${input.fwClass}`);
  const capsule = planCapsuleFile({ ...input, fwClass });
  const writes: PlannedWrite[] = missingEspDirectories(input.esp.existing, UPDATE_CAPSULE_DIRECTORY).map((path) => ({
    kind: 'esp-mkdir',
    path,
    reason: 'the directory the firmware scans for capsules',
  }));
  writes.push({
    kind: 'esp-file',
    path: codCapsulePath(fwClass),
    content: capsule,
    reason:
      capsule.header === null
        ? 'the capsule, written unchanged (it starts with its own capsule header)'
        : 'the capsule behind fwupd\u2019s 4096-byte EFI_CAPSULE_HEADER',
  });
  // Read-modify-write, always written (as fwupd does, even when the bit is already set); an absent
  // OsIndications counts as 0 (firmware does not normally create it).
  const previous = readU64(input.variables, OS_INDICATIONS)?.value ?? 0n;
  const value = previous | OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED;
  writes.push({
    kind: 'efivar',
    guid: EFI_GLOBAL_VARIABLE_GUID,
    name: OS_INDICATIONS,
    attributes: EFI_VARIABLE_DEFAULT_ATTRIBUTES,
    data: formatOsIndications(value),
    reason: `request capsule-on-disk on the next boot: OsIndications 0x${previous.toString(16)} | 0x4 = 0x${value.toString(16)}`,
  });
  return writes;
}

/**
 * Where the NVRAM method puts things on the ESP (uefi-capsule-update.md §4), and the Hard Drive node
 * that names the ESP in the update-info variable and in Boot#### (§5.1).
 */
import {
  type EspGeometry,
  espPathExists,
  type HardDriveNode,
  hardDriveNode,
  type MethodEnvironment,
  type OsRelease,
  PARTITION_FORMAT_GPT,
  SIGNATURE_TYPE_GUID,
} from '../../src/plugin-api.js';

/** The binaries fwupd uses on x86-64 (`fw_platform_size` 64 → suffix `x64`). */
export const HELPER_NAME = 'fwupdx64.efi';
export const SHIM_NAME = 'shimx64.efi';
/** The shim argument: relative, so shim loads the helper from its own directory (§7). */
export const SHIM_ARGUMENT = `\\${HELPER_NAME}`;

/**
 * fwupd's `<os>` rule (fu_uefi_get_esp_path_for_os, built without EFI_OS_DIR): `systemd` if
 * `EFI/systemd/` exists; else the os-release `ID` if `EFI/<ID>/` exists; else the first `ID_LIKE` word
 * whose `EFI/<word>/` exists; else `ID` (the directory is created). Looked up case-insensitively, as the
 * vfat mount does. Debian's fwupd 2.0.20 package hard-codes `debian` instead (observed: it writes
 * `EFI/debian` even with `EFI/systemd/` present); on a Debian machine both give `debian`.
 */
export function resolveEspOsDirectory(existing: ReadonlySet<string>, osRelease: OsRelease): string {
  if (espPathExists(existing, 'EFI/systemd')) return 'systemd';
  const id = osRelease.id === '' ? 'linux' : osRelease.id;
  if (espPathExists(existing, `EFI/${id}`)) return id;
  const like = osRelease.idLike.find((word) => word !== '' && espPathExists(existing, `EFI/${word}`));
  return like ?? id;
}

export interface NvramEspLayout {
  /** `debian` */
  osDirectory: string;
  /** `EFI/debian/fw`: created (mkdir -p) before the capsule is written. */
  capsuleDirectory: string;
  /** `EFI/debian/fw/fwupd-<fw_class>.cap` */
  capsule(fwClass: string): string;
  /** `EFI/debian/fwupdx64.efi`: the copy of the helper (the `.signed` suffix is dropped). */
  helper: string;
  /** `EFI/debian/shimx64.efi`: loaded instead of the helper under Secure Boot; capstan never writes it. */
  shim: string;
}

export function nvramEspLayout(env: Pick<MethodEnvironment, 'esp' | 'osRelease'>): NvramEspLayout {
  const osDirectory = resolveEspOsDirectory(env.esp.existing, env.osRelease);
  if (!/^[A-Za-z0-9._-]+$/.test(osDirectory) || osDirectory === '.' || osDirectory === '..') {
    throw new TypeError(`os-release gives an unusable ESP directory name: ${JSON.stringify(osDirectory)}`);
  }
  const base = `EFI/${osDirectory}`;
  return {
    osDirectory,
    capsuleDirectory: `${base}/fw`,
    capsule: (fwClass) => `${base}/fw/fwupd-${fwClass}.cap`,
    helper: `${base}/${HELPER_NAME}`,
    shim: `${base}/${SHIM_NAME}`,
  };
}

/**
 * The ESP's Hard Drive node (§5.1): GPT entry index, start and size in logical blocks, PARTUUID as a GUID
 * signature. The helper compares it byte for byte with the firmware's own node, so every field comes from
 * the located ESP. (fwupd without udisks2, as in the peer tests, writes number/start/size/PARTUUID all zero
 * with format 2 and signature type 2: the node a zero geometry gives.)
 */
export function espHardDriveNode(geometry: EspGeometry): HardDriveNode {
  return hardDriveNode({
    partitionNumber: geometry.partitionNumber,
    partitionStart: geometry.partitionStart,
    partitionSize: geometry.partitionSize,
    format: PARTITION_FORMAT_GPT,
    signatureType: SIGNATURE_TYPE_GUID,
    signature: geometry.partUuid,
  });
}

import type { Context } from '../core/context.js';
import { readEfiVariable } from '../efi/efivarfs.js';
import { EFI_GLOBAL_VARIABLE_GUID } from '../efi/guid.js';

export type MethodId = 'uefi-capsule' | 'capsule-on-disk';

/** EFI_OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED. */
export const OS_INDICATIONS_CAPSULE_ON_DISK = 0x4n;

/**
 * fwupd's default (uefi-capsule-update.md §3): capsule-on-disk whenever OsIndicationsSupported
 * advertises it, otherwise the helper on the next boot (BootNext). `--method` overrides.
 */
export function chooseMethod(ctx: Context, requested?: MethodId): { id: MethodId; reason: string } {
  if (requested !== undefined) return { id: requested, reason: `--method ${requested}` };
  const supported = readEfiVariable(ctx, EFI_GLOBAL_VARIABLE_GUID, 'OsIndicationsSupported');
  if (supported !== undefined && supported.data.length >= 8) {
    const value = Buffer.from(supported.data).readBigUInt64LE(0);
    if ((value & OS_INDICATIONS_CAPSULE_ON_DISK) !== 0n) {
      return {
        id: 'capsule-on-disk',
        reason: 'the firmware advertises capsule-on-disk (OsIndicationsSupported bit 0x4)',
      };
    }
  }
  return {
    id: 'uefi-capsule',
    reason: 'the firmware does not advertise capsule-on-disk: fwupd\u2019s helper applies the capsule on the next boot',
  };
}

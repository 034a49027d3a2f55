/**
 * Capsule-on-disk: fwupd's preferred method whenever OsIndicationsSupported advertises it
 * (uefi-capsule-update.md §3, §9). See readme.md.
 */
import { fwupdRequiredEspFreeBytes, type UpdateMethod } from '../../src/plugin-api.js';
import { planCodWrites, probeCod } from './write-set.js';

export { codCapsulePath, planCodWrites, probeCod, UPDATE_CAPSULE_DIRECTORY } from './write-set.js';

export const method: UpdateMethod = {
  id: 'capsule-on-disk',
  displayName: 'UEFI capsule-on-disk (EFI\\UpdateCapsule + OsIndications)',
  protocols: ['org.uefi.capsule'],
  platforms: ['bare-metal', 'xen-pv-dom0', 'xen-pvh-dom0'],
  quirkKeys: ['no-esp-backup'],
  probe: probeCod,
  planWrites: planCodWrites,
  requiredEspFreeBytes: fwupdRequiredEspFreeBytes,
};

/**
 * The NVRAM method (fwupd's FuUefiNvramDevice): the capsule and the fwupd EFI helper on the ESP, an
 * update-info variable, a `Linux Firmware Updater` Boot#### and BootNext, so the helper calls
 * UpdateCapsule on the next boot. See readme.md.
 */
import { fwupdRequiredEspFreeBytes, type UpdateMethod } from '../../src/plugin-api.js';
import { probeNvram } from './probe.js';
import { planNvramWrites } from './write-set.js';

export { type BootEntryPlan, buildFwupdLoadOption, planBootEntry, planBootOrder } from './boot-entry.js';
export {
  espHardDriveNode,
  HELPER_NAME,
  type NvramEspLayout,
  nvramEspLayout,
  resolveEspOsDirectory,
  SHIM_ARGUMENT,
  SHIM_NAME,
} from './esp-layout.js';
export { probeNvram, readBootloaderSupportsFwupd, readSecureBoot, selectHelper } from './probe.js';
export { FWUPDATE_DEBUG_LOG, FWUPDATE_VERBOSE, planNvramWrites } from './write-set.js';

export const method: UpdateMethod = {
  id: 'uefi-capsule',
  displayName: 'UEFI capsule via the fwupd EFI helper (BootNext)',
  protocols: ['org.uefi.capsule'],
  platforms: ['bare-metal', 'xen-pv-dom0', 'xen-pvh-dom0'],
  quirkKeys: ['modify-bootorder', 'use-legacy-bootmgr-desc', 'no-esp-backup'],
  probe: probeNvram,
  planWrites: planNvramWrites,
  requiredEspFreeBytes: fwupdRequiredEspFreeBytes,
};

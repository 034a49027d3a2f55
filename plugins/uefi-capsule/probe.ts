/**
 * The NVRAM method's pre-checks: everything fwupd 2.0.20 would only discover half-way through
 * write_firmware (after the capsule and the update-info variable are already written) is checked here,
 * before capstan writes anything.
 */
import {
  EFI_GLOBAL_VARIABLE_GUID,
  type EfiVarStore,
  espPathExists,
  FWUPDATE_GUID,
  findFwupdBootEntry,
  findLowestUnusedBootIndex,
  HELPER_DIR,
  type HelperBinary,
  listBootEntries,
  type MethodEnvironment,
  type ProbeResult,
  readBootOrder,
} from '../../src/plugin-api.js';
import { nvramEspLayout } from './esp-layout.js';

const HELPER_HINT = 'install the signed fwupd EFI helper (Debian: apt-get install fwupd-amd64-signed)';

/** `SecureBoot` (global GUID) byte 0 bit 0; absent or empty means off (fu_efivars_get_secure_boot). */
export function readSecureBoot(variables: EfiVarStore): boolean {
  const data = variables.get(EFI_GLOBAL_VARIABLE_GUID, 'SecureBoot')?.data;
  return data !== undefined && data.length > 0 && ((data[0] ?? 0) & 0x01) !== 0;
}

/** `BootloaderSupportsFwupd` (FWUPDATE GUID) is exactly one byte 0x01: a bootloader applies the capsule. */
export function readBootloaderSupportsFwupd(variables: EfiVarStore): boolean {
  const data = variables.get(FWUPDATE_GUID, 'BootloaderSupportsFwupd')?.data;
  return data !== undefined && data.length === 1 && data[0] === 0x01;
}

/**
 * fwupd's choice of helper binary (fu_uefi_get_built_app_path): under Secure Boot only
 * `fwupdx64.efi.signed`; otherwise `fwupdx64.efi`, else `fwupdx64.efi.signed`.
 */
export function selectHelper(helpers: MethodEnvironment['helpers'], secureBoot: boolean): HelperBinary | undefined {
  return secureBoot ? helpers.signed : (helpers.unsigned ?? helpers.signed);
}

export function probeNvram(env: MethodEnvironment): ProbeResult {
  const { variables } = env;
  if (!variables.supported()) {
    return {
      supported: false,
      code: 'efivars-unavailable',
      reason: 'efivarfs is not available: the update-info variable and BootNext cannot be written',
      hint: 'mount -t efivarfs efivarfs /sys/firmware/efi/efivars',
    };
  }
  if (!env.efivarsWritable) {
    return {
      supported: false,
      code: 'efivars-read-only',
      reason: 'efivarfs is mounted read-only: the update-info variable and BootNext cannot be written',
      hint: 'mount -o remount,rw /sys/firmware/efi/efivars',
    };
  }
  // A bootloader that applies fwupd's capsules needs neither the helper nor a boot entry.
  if (readBootloaderSupportsFwupd(variables)) return { supported: true };

  const secureBoot = readSecureBoot(variables);
  if (selectHelper(env.helpers, secureBoot) === undefined) {
    return secureBoot
      ? {
          supported: false,
          code: 'unsupported-platform',
          reason: `missing signed bootloader for secure boot: ${HELPER_DIR}/fwupdx64.efi.signed cannot be found`,
          hint: HELPER_HINT,
        }
      : {
          supported: false,
          code: 'unsupported-platform',
          reason: `no fwupd EFI helper: neither ${HELPER_DIR}/fwupdx64.efi nor fwupdx64.efi.signed exists`,
          hint: HELPER_HINT,
        };
  }
  const layout = nvramEspLayout(env);
  if (secureBoot && !espPathExists(env.esp.existing, layout.shim)) {
    return {
      supported: false,
      code: 'esp-invalid',
      reason: `secure boot is enabled, but shim isn't installed to ${layout.shim} on the ESP ${env.esp.mountPoint}`,
      hint: `install shim so that ${layout.shim} exists (Debian: shim-signed), or turn Secure Boot off`,
    };
  }
  const entries = listBootEntries(variables);
  const order = readBootOrder(variables);
  if (env.quirks.modifyBootOrder && (order === undefined || !order.ok)) {
    return {
      supported: false,
      code: 'unsupported-platform',
      reason: `the modify-bootorder quirk needs BootOrder, which is ${order === undefined ? 'missing' : `unreadable: ${order.reason}`}`,
      hint: 'fix the boot order in the firmware setup (or with efibootmgr) first',
    };
  }
  if (
    findFwupdBootEntry(entries) === undefined &&
    findLowestUnusedBootIndex(variables, order?.ok === true ? order.order : []) === undefined
  ) {
    return {
      supported: false,
      code: 'unsupported-platform',
      reason: 'no free Boot#### index for the Linux Firmware Updater entry',
      hint: 'remove unused boot entries (efibootmgr -b XXXX -B)',
    };
  }
  return { supported: true };
}

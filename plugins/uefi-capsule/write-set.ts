/**
 * The NVRAM method's write set: every ESP file, directory and EFI variable a staged update consists of,
 * in the order fwupd 2.0.20 writes them (uefi-capsule-update.md §10; fu_uefi_nvram_device_write_firmware
 * and fu_uefi_bootmgr_bootnext), as pure data. The peer test runs the real fwupdtool against the same
 * machine and compares the result byte for byte, and the order with strace.
 */
import {
  BOOT_NEXT,
  BOOT_ORDER,
  checkFwupdEfiAcceptance,
  EFI_GLOBAL_VARIABLE_GUID,
  EFI_VARIABLE_DEFAULT_ATTRIBUTES,
  espPathOnPartition,
  FWUPDATE_GUID,
  filePathNode,
  fixupCapsuleFlags,
  formatBootNext,
  formatUpdateInfo,
  missingEspDirectories,
  type PlannedWrite,
  planCapsuleFile,
  probeFailure,
  type StageInput,
  tryNormalizeGuid,
  UPDATE_INFO_VERSION,
  UPDATE_STATUS_ATTEMPT_UPDATE,
  UX_CAPSULE_UPDATE_INFO_NAME,
  updateInfoVariableName,
} from '../../src/plugin-api.js';
import { buildFwupdLoadOption, planBootEntry, planBootOrder } from './boot-entry.js';
import { espHardDriveNode, nvramEspLayout } from './esp-layout.js';
import { probeNvram, readBootloaderSupportsFwupd, readSecureBoot, selectHelper } from './probe.js';

export const FWUPDATE_VERBOSE = 'FWUPDATE_VERBOSE';
export const FWUPDATE_DEBUG_LOG = 'FWUPDATE_DEBUG_LOG';

export function planNvramWrites(input: StageInput): PlannedWrite[] {
  const probe = probeNvram(input);
  if (!probe.supported) throw probeFailure(probe);
  const fwClass = tryNormalizeGuid(input.fwClass);
  if (fwClass === undefined) throw new TypeError(`fw_class is not a guid: ${input.fwClass}`);
  const { variables, esp } = input;
  const layout = nvramEspLayout(input);
  const capsule = planCapsuleFile({ ...input, fwClass });
  const capsulePath = layout.capsule(fwClass);
  const writes: PlannedWrite[] = [];

  // §10.5: capstan does not stage the UX capsule (not implemented). fwupd would rewrite this variable
  // with a fresh UX capsule; a stale one is deleted so the helper cannot load an old or missing file.
  if (variables.get(FWUPDATE_GUID, UX_CAPSULE_UPDATE_INFO_NAME) !== undefined) {
    writes.push({
      kind: 'efivar-delete',
      guid: FWUPDATE_GUID,
      name: UX_CAPSULE_UPDATE_INFO_NAME,
      reason: 'stale UX capsule update info: capstan stages no UX capsule, and the helper would try to load it',
    });
  }

  // §10.6: the capsule, after mkdir -p of its directory.
  for (const dir of missingEspDirectories(esp.existing, layout.capsuleDirectory)) {
    writes.push({ kind: 'esp-mkdir', path: dir, reason: 'parent directory of the capsule' });
  }
  writes.push({
    kind: 'esp-file',
    path: capsulePath,
    content: capsule,
    reason:
      capsule.header === null
        ? 'the capsule, written unchanged (it starts with its own capsule header)'
        : 'the capsule behind fwupd\u2019s 4096-byte EFI_CAPSULE_HEADER',
  });

  // §10.7: helper debugging off (EnableEfiDebugging is not supported), old debug log removed.
  for (const name of [FWUPDATE_VERBOSE, FWUPDATE_DEBUG_LOG]) {
    if (variables.get(FWUPDATE_GUID, name) === undefined) continue;
    writes.push({
      kind: 'efivar-delete',
      guid: FWUPDATE_GUID,
      name,
      reason: name === FWUPDATE_VERBOSE ? 'helper debugging is off' : 'the old helper debug log',
    });
  }

  // §10.8: the update-info variable the helper reads on the next boot.
  const updateInfo = formatUpdateInfo({
    version: UPDATE_INFO_VERSION,
    guid: fwClass,
    capsuleFlags: fixupCapsuleFlags(input.capsuleFlags),
    hwInst: 0n,
    timeAttempted: null,
    status: UPDATE_STATUS_ATTEMPT_UPDATE,
    devicePath: [espHardDriveNode(esp.geometry), filePathNode(espPathOnPartition(esp.fsPath, capsulePath))],
  });
  const accepted = checkFwupdEfiAcceptance(updateInfo);
  if (!accepted.ok) throw new TypeError(`update info would be rejected by fwupd-efi: ${accepted.reason}`);
  writes.push({
    kind: 'efivar',
    guid: FWUPDATE_GUID,
    name: updateInfoVariableName(fwClass, 0),
    attributes: EFI_VARIABLE_DEFAULT_ATTRIBUTES,
    data: updateInfo,
    reason: 'update info for the helper: status 1 (attempt update), capsule path on the ESP',
  });

  // §3: a bootloader that supports fwupd applies the capsule itself.
  if (readBootloaderSupportsFwupd(variables)) return writes;

  // §10.9: the helper (copied only if it differs), the boot entry, BootOrder, BootNext.
  const secureBoot = readSecureBoot(variables);
  const helper = selectHelper(input.helpers, secureBoot);
  if (helper === undefined) throw new TypeError('probe passed without a helper');
  if (input.espHelperSha256?.toLowerCase() !== helper.sha256.toLowerCase()) {
    writes.push({
      kind: 'esp-file',
      path: layout.helper,
      content: { kind: 'copy', systemPath: helper.systemPath, sha256: helper.sha256, size: helper.size },
      reason:
        input.espHelperSha256 === undefined
          ? 'the fwupd EFI helper is not on the ESP yet'
          : 'the fwupd EFI helper on the ESP differs from the installed one',
    });
  }
  const option = buildFwupdLoadOption({
    geometry: esp.geometry,
    fsPath: esp.fsPath,
    loader: secureBoot ? layout.shim : layout.helper,
    viaShim: secureBoot,
    legacyDescription: input.quirks.legacyBootmgrDesc,
  });
  const entry = planBootEntry(variables, option);
  if (entry === undefined) throw new TypeError('probe passed without a free boot index');
  if (entry.action !== 'reuse') {
    writes.push({
      kind: 'efivar',
      guid: EFI_GLOBAL_VARIABLE_GUID,
      name: entry.name,
      attributes: EFI_VARIABLE_DEFAULT_ATTRIBUTES,
      data: entry.data,
      reason:
        entry.action === 'create'
          ? `new "${option.description}" entry at the lowest free index`
          : `the existing "${option.description}" entry is rewritten in place (its bytes differ)`,
    });
  }
  if (input.quirks.modifyBootOrder) {
    const order = planBootOrder(variables, entry.index);
    if (order !== undefined) {
      writes.push({
        kind: 'efivar',
        guid: EFI_GLOBAL_VARIABLE_GUID,
        name: BOOT_ORDER,
        attributes: EFI_VARIABLE_DEFAULT_ATTRIBUTES,
        data: order,
        reason: `modify-bootorder quirk: ${entry.name} appended to BootOrder`,
      });
    }
  }
  writes.push({
    kind: 'efivar',
    guid: EFI_GLOBAL_VARIABLE_GUID,
    name: BOOT_NEXT,
    attributes: EFI_VARIABLE_DEFAULT_ATTRIBUTES,
    data: formatBootNext(entry.index),
    reason:
      entry.action === 'reuse'
        ? `boot ${entry.name} (the existing "${option.description}" entry, unchanged) once, on the next boot`
        : `boot ${entry.name} once, on the next boot`,
  });
  return writes;
}

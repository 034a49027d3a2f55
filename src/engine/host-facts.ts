import type { Context } from '../core/context.js';
import { computeHardwareIds, readSmbios } from '../hwids/index.js';
import type { HostFacts, PlannerDevice } from '../planner/types.js';
import type { Platform } from '../platform/types.js';

/** The fwupd version whose behaviour capstan reproduces; `<id>org.freedesktop.fwupd</id>` checks it. */
export const FWUPD_COMPATIBLE_VERSION = '2.0.20';
export const HELPER_DIR = '/usr/libexec/fwupd/efi';

/** Reads what requirements are checked against: hardware ids, vendor ids, runtime versions. */
export function readHostFacts(
  ctx: Context,
  platform: Platform | undefined,
  devices: readonly PlannerDevice[],
  noPhasedUpdates: ReadonlySet<string>,
): HostFacts {
  const smbios = readSmbios(ctx);
  const hwids = computeHardwareIds(smbios);
  const vendor = hwids.keys.Manufacturer ?? ctx.fs.tryReadText('/sys/class/dmi/id/sys_vendor')?.trim();
  const components: Record<string, string> = { 'org.freedesktop.fwupd': FWUPD_COMPATIBLE_VERSION };
  const helper = readHelperVersion(ctx);
  if (helper !== undefined) components['org.freedesktop.fwupd-efi'] = helper;
  const kernel = platform?.facts.kernel;
  if (kernel !== undefined) components['org.kernel'] = `${kernel.major}.${kernel.minor}.${kernel.patch}`;
  return {
    hardwareIds: new Set(hwids.ids.map((id) => id.guid)),
    vendorIds: vendor === undefined || vendor === '' ? [] : [`DMI:${vendor}`],
    components,
    devices,
    noPhasedUpdates,
  };
}

/** fwupd-efi embeds `fwupd-efi version X` as UTF-16LE; fwupd reads the runtime version from it. */
export function readHelperVersion(ctx: Context): string | undefined {
  for (const name of ['fwupdx64.efi.signed', 'fwupdx64.efi']) {
    const bytes = ctx.fs.tryReadBytes(`${HELPER_DIR}/${name}`);
    if (bytes === undefined) continue;
    const needle = Buffer.from('fwupd-efi version ', 'utf16le');
    const at = bytes.indexOf(needle);
    if (at === -1) continue;
    let version = '';
    for (let i = at + needle.length; i + 1 < bytes.length && version.length < 32; i += 2) {
      const code = bytes.readUInt16LE(i);
      if (code === 0 || !/[0-9A-Za-z.~+-]/.test(String.fromCharCode(code))) break;
      version += String.fromCharCode(code);
    }
    if (version !== '') return version;
  }
  return undefined;
}

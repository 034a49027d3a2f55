import type { Context } from '../core/context.js';

/**
 * Everything platform detection looks at, read once from the root (xen-and-esrt.md §3.1).
 * Detection itself (index.ts) is a pure function of these signals.
 */
export interface PlatformSignals {
  efi: {
    present: boolean;
    /** `fw_platform_size` as read (`64`, `32`), undefined if absent. */
    platformSize: string | undefined;
    hasRuntime: boolean;
    hasRuntimeMap: boolean;
  };
  xen: XenSignals | undefined;
  /** CPUID hypervisor bit, from the `flags` line of /proc/cpuinfo. */
  cpuHypervisorFlag: boolean;
  dmi: { sysVendor: string | undefined; productName: string | undefined };
  /** `/proc/sys/kernel/osrelease`, trimmed. */
  kernelRelease: string | undefined;
}

export interface XenSignals {
  guestType: string | undefined;
  version: { major: string | undefined; minor: string | undefined; extra: string | undefined };
  uuid: string | undefined;
  /** `properties/features` as a number (hex text without 0x). */
  features: number | undefined;
  startFlags: { initdomain: boolean | undefined; privileged: boolean | undefined } | undefined;
  /** `/proc/xen/capabilities` content (`control_d` in the initial domain); undefined if not mounted. */
  capabilities: string | undefined;
}

export function readPlatformSignals(ctx: Context): PlatformSignals {
  const { fs } = ctx;
  const text = (path: string): string | undefined => fs.tryReadText(path)?.trim();
  const efiPresent = fs.isDirectory('/sys/firmware/efi');
  const hypervisorType = text('/sys/hypervisor/type');
  const cpuinfo = fs.tryReadText('/proc/cpuinfo') ?? '';
  return {
    efi: {
      present: efiPresent,
      platformSize: efiPresent ? text('/sys/firmware/efi/fw_platform_size') : undefined,
      hasRuntime: efiPresent && fs.exists('/sys/firmware/efi/runtime'),
      hasRuntimeMap: efiPresent && fs.isDirectory('/sys/firmware/efi/runtime-map'),
    },
    xen: hypervisorType === 'xen' ? readXenSignals(ctx) : undefined,
    cpuHypervisorFlag: /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo),
    dmi: { sysVendor: text('/sys/class/dmi/id/sys_vendor'), productName: text('/sys/class/dmi/id/product_name') },
    kernelRelease: text('/proc/sys/kernel/osrelease'),
  };
}

function readXenSignals(ctx: Context): XenSignals {
  const text = (path: string): string | undefined => ctx.fs.tryReadText(path)?.trim();
  const flag = (name: string): boolean | undefined => {
    const value = text(`/sys/hypervisor/start_flags/${name}`);
    return value === undefined ? undefined : value === '1';
  };
  const featuresText = text('/sys/hypervisor/properties/features');
  const features =
    featuresText !== undefined && /^[0-9a-fA-F]{1,8}$/.test(featuresText)
      ? Number.parseInt(featuresText, 16)
      : undefined;
  const hasStartFlags = ctx.fs.isDirectory('/sys/hypervisor/start_flags');
  return {
    guestType: text('/sys/hypervisor/guest_type'),
    version: {
      major: text('/sys/hypervisor/version/major'),
      minor: text('/sys/hypervisor/version/minor'),
      extra: text('/sys/hypervisor/version/extra'),
    },
    uuid: text('/sys/hypervisor/uuid'),
    features,
    startFlags: hasStartFlags ? { initdomain: flag('initdomain'), privileged: flag('privileged') } : undefined,
    capabilities: ctx.fs.tryReadText('/proc/xen/capabilities'),
  };
}

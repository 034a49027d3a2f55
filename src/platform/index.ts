import { CapstanError } from '../core/errors.js';
import { bareMetal } from './bare-metal/index.js';
import type { PlatformSignals } from './signals.js';
import type { Platform, PlatformAdapter, PlatformFacts, PlatformKind } from './types.js';
import { parseKernelRelease, parseXenVersion } from './versions.js';
import { isXenDom0, readXenMode } from './xen/dom0.js';
import { xenPvDom0 } from './xen-pv-dom0/index.js';
import { xenPvhDom0 } from './xen-pvh-dom0/index.js';

export type { Platform, PlatformAdapter, PlatformFacts, PlatformKind } from './types.js';

/** Every supported platform, by kind (a static registry; test/registry checks it against the folders). */
export const PLATFORM_ADAPTERS: ReadonlyMap<PlatformKind, PlatformAdapter> = new Map([
  [bareMetal.kind, bareMetal],
  [xenPvDom0.kind, xenPvDom0],
  [xenPvhDom0.kind, xenPvhDom0],
]);

type Rule =
  | { id: string; matches: (signals: PlatformSignals) => boolean; refuse: (facts: PlatformFacts) => CapstanError }
  | { id: string; adapter: PlatformAdapter };

/**
 * xen-and-esrt.md §3.3, first match wins, with one change: a Xen domU is recognised before the
 * "no /sys/firmware/efi" rule, because PV domUs never see EFI and "legacy BIOS" would be the wrong
 * reason (§4 (e)). A Xen dom0 without EFI still gets the legacy-BIOS refusal, naming Xen.
 */
export const DETECTION_RULES: readonly Rule[] = [
  { id: 'xen-domu', matches: (s) => s.xen !== undefined && !isXenDom0(s.xen), refuse: refuseXenGuest },
  { id: 'legacy-bios', matches: (s) => !s.efi.present, refuse: refuseLegacyBios },
  { id: 'xen-pv-dom0', adapter: xenPvDom0 },
  { id: 'xen-pvh-dom0', adapter: xenPvhDom0 },
  { id: 'xen-other-dom0', matches: (s) => s.xen !== undefined, refuse: refuseXenGuest },
  { id: 'virtual-machine', matches: (s) => s.cpuHypervisorFlag, refuse: refuseVirtualMachine },
  { id: 'bare-metal', adapter: bareMetal },
];

export function collectFacts(signals: PlatformSignals): PlatformFacts {
  return {
    signals,
    kernel: parseKernelRelease(signals.kernelRelease),
    xen: signals.xen === undefined ? undefined : parseXenVersion(signals.xen.version),
  };
}

/** Classifies the machine, or throws the refusal with its reason. Pure. */
export function detectPlatform(signals: PlatformSignals): Platform {
  const facts = collectFacts(signals);
  for (const rule of DETECTION_RULES) {
    if ('adapter' in rule) {
      if (rule.adapter.matches(signals)) {
        return { kind: rule.adapter.kind, adapter: rule.adapter, facts, description: rule.adapter.describe(facts) };
      }
    } else if (rule.matches(signals)) {
      throw rule.refuse(facts);
    }
  }
  // The last rule matches every EFI machine without a hypervisor; reaching here is a bug.
  throw new CapstanError('internal', 'no platform rule matched');
}

function refuseLegacyBios(facts: PlatformFacts): CapstanError {
  if (facts.signals.xen !== undefined) {
    return new CapstanError(
      'legacy-bios',
      `${facts.xen === undefined ? 'Xen' : `Xen ${facts.xen.text}`} was not started through UEFI (legacy BIOS or multiboot1), so dom0 has no /sys/firmware/efi`,
      { hint: 'boot Xen through UEFI (xen.efi, or GRUB multiboot2 on a UEFI boot); capsule updates need UEFI' },
    );
  }
  return new CapstanError('legacy-bios', 'system booted in legacy BIOS mode: there is no /sys/firmware/efi', {
    hint: 'UEFI capsule updates need UEFI boot: switch the firmware to UEFI mode and install a UEFI boot loader',
  });
}

function refuseXenGuest(facts: PlatformFacts): CapstanError {
  const xen = facts.signals.xen;
  const mode = xen === undefined ? 'unknown' : readXenMode(xen);
  if (xen !== undefined && isXenDom0(xen)) {
    return new CapstanError(
      'unsupported-platform',
      `Xen dom0 of type ${xen.guestType ?? 'unknown'} is not a PV or PVH dom0`,
      {
        hint: 'capstan supports Xen PV and PVH dom0; report this machine with `capstan doctor --json`',
      },
    );
  }
  const label = mode === 'unknown' ? '' : ` ${mode.toUpperCase()}`;
  return new CapstanError('xen-domu', `running in a Xen${label} domU; host firmware can only be updated from dom0`, {
    hint: 'run capstan in dom0 (the hardware domain); any ESRT seen here is the guest firmware\u2019s',
    details: { guestType: xen?.guestType ?? null, uuid: xen?.uuid ?? null },
  });
}

function refuseVirtualMachine(facts: PlatformFacts): CapstanError {
  const { sysVendor, productName } = facts.signals.dmi;
  const vendor = [sysVendor, productName].filter(Boolean).join(' ');
  return new CapstanError(
    'virtual-machine',
    `running in a virtual machine${vendor === '' ? '' : ` (${vendor})`}; no host ESRT is visible here`,
    {
      hint: 'run capstan on the host, or in dom0 for Xen; an ESRT seen here describes virtual firmware',
      details: { sysVendor: sysVendor ?? null, productName: productName ?? null },
    },
  );
}

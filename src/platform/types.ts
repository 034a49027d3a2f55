import type { Problem } from '../core/problem.js';
import type { EsrtPolicy } from '../esrt/types.js';
import type { EsrtLogFacts } from './kernel-log.js';
import type { PlatformSignals } from './signals.js';
import type { KernelVersion, XenVersion } from './versions.js';

export const PLATFORM_KINDS = ['bare-metal', 'xen-pv-dom0', 'xen-pvh-dom0'] as const;
export type PlatformKind = (typeof PLATFORM_KINDS)[number];

export interface PlatformFacts {
  signals: PlatformSignals;
  kernel: KernelVersion | undefined;
  xen: XenVersion | undefined;
}

export interface PlatformCapabilities {
  /** The OS can call UpdateCapsule() itself (never under Xen: the hypervisor answers ENOSYS). */
  updateCapsuleFromOs: boolean;
  /** EFI variables are reached through the hypervisor's runtime-services proxy. */
  variablesViaHypervisor: boolean;
}

export interface EsrtPolicyOptions {
  /** The admin asserts that this Xen build carries the ESRT copy fix (commit 3ea44aa78c). */
  xenEsrtFixed: boolean;
}

/**
 * A platform adapter: the engine's model of one kind of machine. It says whether it claims the
 * machine, how far its ESRT can be trusted, and why an ESRT is missing.
 */
export interface PlatformAdapter {
  kind: PlatformKind;
  displayName: string;
  matches(signals: PlatformSignals): boolean;
  esrtPolicy(facts: PlatformFacts, options: EsrtPolicyOptions): EsrtPolicy;
  explainMissingEsrt(facts: PlatformFacts, log: EsrtLogFacts | undefined): Problem;
  capabilities(facts: PlatformFacts): PlatformCapabilities;
  /** One-line description for humans, e.g. `Xen PV dom0 (Xen 4.17.7, Linux 6.12)`. */
  describe(facts: PlatformFacts): string;
}

export interface Platform {
  kind: PlatformKind;
  adapter: PlatformAdapter;
  facts: PlatformFacts;
  description: string;
}

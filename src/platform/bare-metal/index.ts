import { problem } from '../../core/problem.js';
import type { PlatformAdapter } from '../types.js';

/**
 * Bare metal: an ESRT in sysfs already passed esrt.c's memory-map checks, so only the generic table
 * checks apply.
 */
export const bareMetal: PlatformAdapter = {
  kind: 'bare-metal',
  displayName: 'bare metal',
  matches: (signals) => signals.efi.present && signals.xen === undefined && !signals.cpuHypervisorFlag,
  esrtPolicy: () => ({ notes: [] }),
  explainMissingEsrt: (_facts, log) => {
    if (log?.rejectedBy !== undefined) {
      return problem(
        'esrt-rejected-by-kernel',
        'error',
        `the firmware publishes an ESRT but the kernel rejected it: "${log.rejectedBy}"`,
        'update the system firmware, or report the malformed ESRT to the machine vendor',
      );
    }
    return problem(
      'esrt-not-published',
      'error',
      'the firmware publishes no ESRT, so UEFI capsule updates are not available on this machine',
      'enable UEFI capsule updates in the firmware setup if it offers the option; otherwise use the vendor\u2019s own update path',
    );
  },
  capabilities: () => ({ updateCapsuleFromOs: true, variablesViaHypervisor: false }),
  describe: (facts) => {
    const vendor = [facts.signals.dmi.sysVendor, facts.signals.dmi.productName].filter(Boolean).join(' ');
    const kernel = facts.kernel === undefined ? '' : `, Linux ${facts.kernel.release}`;
    return `bare metal${vendor === '' ? '' : ` (${vendor}${kernel})`}`;
  },
};

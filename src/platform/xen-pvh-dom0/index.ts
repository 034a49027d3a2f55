import { problem } from '../../core/problem.js';
import type { PlatformAdapter } from '../types.js';
import { compareXen } from '../versions.js';
import { describeXen, explainMissingXenEsrt, isXenDom0, readXenMode, xenEsrtPolicy } from '../xen/dom0.js';

export const xenPvhDom0: PlatformAdapter = {
  kind: 'xen-pvh-dom0',
  displayName: 'Xen PVH dom0',
  matches: (signals) =>
    signals.efi.present && signals.xen !== undefined && isXenDom0(signals.xen) && readXenMode(signals.xen) === 'pvh',
  esrtPolicy: (facts, options) => {
    const policy = xenEsrtPolicy(facts, options);
    if (facts.xen === undefined || compareXen(facts.xen, 4, 19, 0) < 0) {
      policy.notes.push(
        problem(
          'xen-pvh-experimental',
          'info',
          `PVH dom0 is experimental before Xen 4.19 (this is Xen ${facts.xen?.text ?? 'of unknown version'})`,
          'prefer Xen >= 4.19, where PVH dom0 is supported with caveats',
        ),
      );
    }
    return policy;
  },
  explainMissingEsrt: explainMissingXenEsrt,
  capabilities: () => ({ updateCapsuleFromOs: false, variablesViaHypervisor: true }),
  describe: (facts) => describeXen('Xen PVH dom0', facts),
};

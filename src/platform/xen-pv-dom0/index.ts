import type { PlatformAdapter } from '../types.js';
import { describeXen, explainMissingXenEsrt, isXenDom0, readXenMode, xenEsrtPolicy } from '../xen/dom0.js';

export const xenPvDom0: PlatformAdapter = {
  kind: 'xen-pv-dom0',
  displayName: 'Xen PV dom0',
  matches: (signals) =>
    signals.efi.present && signals.xen !== undefined && isXenDom0(signals.xen) && readXenMode(signals.xen) === 'pv',
  esrtPolicy: xenEsrtPolicy,
  explainMissingEsrt: explainMissingXenEsrt,
  capabilities: () => ({ updateCapsuleFromOs: false, variablesViaHypervisor: true }),
  describe: (facts) => describeXen('Xen PV dom0', facts),
};

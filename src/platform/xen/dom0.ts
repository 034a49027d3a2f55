import { type Problem, problem } from '../../core/problem.js';
import type { EsrtPolicy } from '../../esrt/types.js';
import type { EsrtLogFacts } from '../kernel-log.js';
import type { XenSignals } from '../signals.js';
import type { EsrtPolicyOptions, PlatformFacts } from '../types.js';
import { compareXen, kernelAtLeast, type XenVersion } from '../versions.js';

/** XENFEAT_dom0 (bit 11): set only for the hardware domain. */
const XENFEAT_DOM0 = 1 << 11;
/** XENFEAT_auto_translated_physmap (bit 2): clear in PV guests. */
const XENFEAT_AUTO_TRANSLATED = 1 << 2;

export const XEN_FIXED_VERSIONS = '4.19.5, 4.20.3, 4.21.1 or 4.22';
const KERNEL_ESRT_UNDER_XEN = { major: 6, minor: 3 };

export type XenMode = 'pv' | 'pvh' | 'hvm' | 'unknown';

/** dom0 if any of start_flags/initdomain, /proc/xen/capabilities `control_d`, features bit 11. */
export function isXenDom0(xen: XenSignals): boolean {
  return (
    xen.startFlags?.initdomain === true ||
    (xen.capabilities ?? '').includes('control_d') ||
    (xen.features !== undefined && (xen.features & XENFEAT_DOM0) !== 0)
  );
}

/** guest_type (Linux >= 4.13), else the auto-translated feature bit. */
export function readXenMode(xen: XenSignals): XenMode {
  if (xen.guestType === undefined) {
    if (xen.features === undefined) return 'unknown';
    return (xen.features & XENFEAT_AUTO_TRANSLATED) === 0 ? 'pv' : 'pvh';
  }
  switch (xen.guestType.toUpperCase()) {
    case 'PV':
      return 'pv';
    case 'PVH':
      return 'pvh';
    case 'HVM':
      return 'hvm';
    default:
      return 'unknown';
  }
}

/**
 * Xen versions whose ESRT copy is 16 bytes short (last entry's tail is garbage): 4.17.x (the copy
 * exists since 4.17.0), 4.18.x, 4.19.0-4.19.4, 4.20.0-4.20.2, 4.21.0. Fixed by 3ea44aa78c. An
 * unknown patch level inside an affected series counts as affected.
 */
export function hasEsrtCopyBug(xen: XenVersion): boolean {
  if (xen.major !== 4) return false;
  const patch = xen.patch;
  switch (xen.minor) {
    case 17:
    case 18:
      return true;
    case 19:
      return patch === undefined || patch < 5;
    case 20:
      return patch === undefined || patch < 3;
    case 21:
      return patch === undefined || patch < 1;
    default:
      return false;
  }
}

/** Xen >= 4.17.1 copies the ESRT out of boot-services memory on every boot path. */
export function preservesEsrt(xen: XenVersion): boolean {
  return compareXen(xen, 4, 17, 1) >= 0;
}

export function xenEsrtPolicy(facts: PlatformFacts, options: EsrtPolicyOptions): EsrtPolicy {
  const policy: EsrtPolicy = { notes: [] };
  const { kernel, xen } = facts;
  const xenText = xen?.text ?? 'of unknown version';
  const kernelChecked =
    kernel !== undefined && kernelAtLeast(kernel, KERNEL_ESRT_UNDER_XEN.major, KERNEL_ESRT_UNDER_XEN.minor);

  if (!kernelChecked && (xen === undefined || !preservesEsrt(xen))) {
    policy.hideTable = problem(
      'esrt-memory-not-preserved',
      'error',
      `ESRT may have been overwritten by Xen (< 4.17): this dom0 kernel (Linux ${kernel?.release ?? 'unknown'}) exposes it without checking its memory type, and Xen ${xenText} does not preserve it`,
      `upgrade Xen to ${XEN_FIXED_VERSIONS} and boot a dom0 kernel >= 6.3`,
    );
  }
  if (xen === undefined || hasEsrtCopyBug(xen)) {
    if (options.xenEsrtFixed) {
      policy.notes.push(
        problem(
          'xen-esrt-fix-asserted',
          'info',
          `trusting the last ESRT entry on Xen ${xenText} because --xen-esrt-fixed was given`,
          'remove --xen-esrt-fixed unless this Xen build carries commit 3ea44aa78c',
        ),
      );
    } else {
      policy.lastEntryTailUnreliable = problem(
        'xen-esrt-tail-unreliable',
        'warning',
        `Xen ${xenText} copies the ESRT 16 bytes short, so this last entry's lowest supported version, capsule flags and last attempt are garbage and are not used`,
        `upgrade Xen to ${XEN_FIXED_VERSIONS}, or pass --xen-esrt-fixed if your distribution's build carries commit 3ea44aa78c`,
      );
    }
  }
  return policy;
}

export function explainMissingXenEsrt(facts: PlatformFacts, log: EsrtLogFacts | undefined): Problem {
  const { kernel, xen } = facts;
  const xenText = xen?.text ?? 'of unknown version';
  const xenOld = xen === undefined || !preservesEsrt(xen);
  if (kernel !== undefined && !kernelAtLeast(kernel, KERNEL_ESRT_UNDER_XEN.major, KERNEL_ESRT_UNDER_XEN.minor)) {
    const seen = log?.published ? ' The firmware does publish an ESRT (seen in the kernel log).' : '';
    const alsoXen = xenOld
      ? `, and upgrade Xen to >= 4.17.1 (best ${XEN_FIXED_VERSIONS})`
      : '; no firmware change is needed';
    return problem(
      'esrt-hidden-by-dom0-kernel',
      'error',
      `this Xen dom0 (Xen ${xenText}) runs Linux ${kernel.short}, and Linux only exposes the ESRT under Xen from 6.3 on ('efi: Actually enable the ESRT under Xen').${seen}`,
      `boot a dom0 kernel >= 6.3${alsoXen}`,
    );
  }
  if (log?.droppedUnderXen || xenOld) {
    const evidence = log?.droppedUnderXen
      ? 'the kernel log shows the ESRT was dropped as unusable'
      : `Xen ${xenText} is older than 4.17.1`;
    return problem(
      'esrt-not-preserved-by-xen',
      'error',
      `Xen does not preserve the ESRT for dom0: ${evidence}`,
      `upgrade Xen to >= 4.17.1 (best ${XEN_FIXED_VERSIONS})`,
    );
  }
  return problem(
    'esrt-not-published',
    'error',
    'the firmware publishes no ESRT, so UEFI capsule updates are not available on this machine',
    'enable UEFI capsule updates in the firmware setup if it offers the option; otherwise use the vendor\u2019s own update path',
  );
}

export function describeXen(label: string, facts: PlatformFacts): string {
  const kernel = facts.kernel === undefined ? 'Linux of unknown version' : `Linux ${facts.kernel.release}`;
  return `${label} (Xen ${facts.xen?.text ?? 'of unknown version'}, ${kernel})`;
}

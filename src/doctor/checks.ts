import type { Context } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import type { ErrorCode } from '../core/exit-codes.js';
import { readEfiVariable, readEfivarfsState } from '../efi/efivarfs.js';
import { EFI_GLOBAL_VARIABLE_GUID } from '../efi/guid.js';
import { loadEsrt } from '../esrt/index.js';
import type { EsrtVerdict } from '../esrt/types.js';
import { detectPlatform } from '../platform/index.js';
import { readPlatformSignals } from '../platform/signals.js';
import type { Platform } from '../platform/types.js';
import { kernelAtLeast } from '../platform/versions.js';
import { hasEsrtCopyBug, preservesEsrt, XEN_FIXED_VERSIONS } from '../platform/xen/dom0.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: 'platform' | 'kernel' | 'xen' | 'esrt' | 'efivars' | 'secure-boot' | 'fw-platform-size' | 'helper';
  title: string;
  status: CheckStatus;
  message: string;
  /** One line: what to do. Present for warn and fail. */
  fix?: string;
  /** The error code a failing check stands for (decides doctor's exit status). */
  code?: ErrorCode;
}

export interface DoctorReport {
  platform: Platform | undefined;
  esrt: EsrtVerdict | undefined;
  checks: CheckResult[];
}

const HELPER_DIR = '/usr/libexec/fwupd/efi';

/** Runs every check; never throws for a machine problem, each becomes a failing check. */
export function runDoctor(ctx: Context): DoctorReport {
  const checks: CheckResult[] = [];
  const signals = readPlatformSignals(ctx);
  let platform: Platform | undefined;
  try {
    platform = detectPlatform(signals);
    checks.push({ id: 'platform', title: 'Platform', status: 'pass', message: platform.description });
  } catch (error) {
    checks.push(failFrom('platform', 'Platform', error));
  }

  checks.push(checkKernel(platform, signals.kernelRelease));
  checks.push(checkXen(platform));

  let esrt: EsrtVerdict | undefined;
  if (platform === undefined && ctx.options.esrtFile === undefined) {
    checks.push({ id: 'esrt', title: 'ESRT', status: 'skip', message: 'not checked: the platform is not supported' });
  } else {
    try {
      esrt = loadEsrt(ctx, platform);
      checks.push(checkEsrtVerdict(esrt));
    } catch (error) {
      checks.push(failFrom('esrt', 'ESRT', error));
    }
  }

  const efi = signals.efi.present;
  checks.push(guard('efivars', 'EFI variables', efi, () => checkEfivars(ctx, platform)));
  checks.push(guard('secure-boot', 'Secure Boot', efi, () => checkSecureBoot(ctx)));
  checks.push(guard('fw-platform-size', 'UEFI word size', efi, () => checkPlatformSize(signals.efi.platformSize)));
  checks.push(guard('helper', 'fwupd EFI helper', efi, () => checkHelper(ctx)));
  return { platform, esrt, checks };
}

function guard(id: CheckResult['id'], title: string, efi: boolean, run: () => CheckResult): CheckResult {
  if (!efi) return { id, title, status: 'skip', message: 'not checked: the machine did not boot through UEFI' };
  try {
    return run();
  } catch (error) {
    return failFrom(id, title, error);
  }
}

function failFrom(id: CheckResult['id'], title: string, error: unknown): CheckResult {
  if (error instanceof CapstanError) {
    return { id, title, status: 'fail', message: error.message, fix: error.hint ?? '', code: error.code };
  }
  throw error;
}

function checkKernel(platform: Platform | undefined, release: string | undefined): CheckResult {
  const title = 'Kernel';
  const kernel = platform?.facts.kernel;
  if (kernel === undefined) {
    return {
      id: 'kernel',
      title,
      status: release === undefined ? 'warn' : 'pass',
      message: release === undefined ? 'kernel release unknown (no /proc/sys/kernel/osrelease)' : `Linux ${release}`,
      ...(release === undefined ? { fix: 'mount /proc so capstan can read the kernel release' } : {}),
    };
  }
  const onXen = platform?.kind === 'xen-pv-dom0' || platform?.kind === 'xen-pvh-dom0';
  if (onXen && !kernelAtLeast(kernel, 6, 3)) {
    return {
      id: 'kernel',
      title,
      status: 'fail',
      message: `Linux ${kernel.short} does not expose the ESRT under Xen (needs Linux >= 6.3)`,
      fix: 'boot a dom0 kernel >= 6.3',
      code: 'esrt-unavailable',
    };
  }
  if (!kernelAtLeast(kernel, 4, 2)) {
    return {
      id: 'kernel',
      title,
      status: 'fail',
      message: `Linux ${kernel.short} has no /sys/firmware/efi/esrt (added in Linux 4.2)`,
      fix: 'boot a kernel >= 4.2',
      code: 'esrt-unavailable',
    };
  }
  return { id: 'kernel', title, status: 'pass', message: `Linux ${kernel.release}` };
}

function checkXen(platform: Platform | undefined): CheckResult {
  const title = 'Xen';
  const onXen = platform?.kind === 'xen-pv-dom0' || platform?.kind === 'xen-pvh-dom0';
  if (platform === undefined || !onXen) {
    return { id: 'xen', title, status: 'skip', message: 'not running as a Xen dom0' };
  }
  const xen = platform.facts.xen;
  if (xen === undefined) {
    return {
      id: 'xen',
      title,
      status: 'warn',
      message: 'Xen version unknown (no /sys/hypervisor/version)',
      fix: 'load the xen sysfs support (CONFIG_XEN_SYS_HYPERVISOR) so capstan can check the ESRT rules',
    };
  }
  if (!preservesEsrt(xen)) {
    return {
      id: 'xen',
      title,
      status: 'fail',
      message: `Xen ${xen.text} does not preserve the ESRT for dom0 on every boot path (needs >= 4.17.1)`,
      fix: `upgrade Xen to ${XEN_FIXED_VERSIONS}`,
      code: 'esrt-unavailable',
    };
  }
  if (hasEsrtCopyBug(xen)) {
    return {
      id: 'xen',
      title,
      status: 'warn',
      message: `Xen ${xen.text} copies the ESRT 16 bytes short: the last entry's flags and lowest version are garbage`,
      fix: `upgrade Xen to ${XEN_FIXED_VERSIONS} (or pass --xen-esrt-fixed if your build carries commit 3ea44aa78c)`,
    };
  }
  if (platform.kind === 'xen-pvh-dom0' && xen.major === 4 && xen.minor < 19) {
    return {
      id: 'xen',
      title,
      status: 'warn',
      message: `Xen ${xen.text}: PVH dom0 is experimental before 4.19`,
      fix: 'prefer Xen >= 4.19 for a PVH dom0',
    };
  }
  return { id: 'xen', title, status: 'pass', message: `Xen ${xen.text} preserves the ESRT completely` };
}

function checkEsrtVerdict(esrt: EsrtVerdict): CheckResult {
  const title = 'ESRT';
  const first = esrt.problems.find((p) => p.severity === 'error') ?? esrt.problems[0];
  switch (esrt.status) {
    case 'absent':
      return {
        id: 'esrt',
        title,
        status: 'fail',
        message: first?.message ?? 'no ESRT',
        fix: first?.hint ?? '',
        code: 'esrt-unavailable',
      };
    case 'hidden':
      return {
        id: 'esrt',
        title,
        status: 'fail',
        message: `hidden: ${first?.message ?? 'failed the table checks'}`,
        fix: first?.hint ?? '',
        code: 'esrt-untrusted',
      };
    case 'trusted-with-warnings': {
      const warnings = [...esrt.problems, ...esrt.entries.flatMap((e) => e.problems)].filter(
        (p) => p.severity !== 'info',
      );
      const firstWarning = warnings[0];
      return {
        id: 'esrt',
        title,
        status: 'warn',
        message: `${esrt.entries.length} entries, ${warnings.length} finding(s): ${firstWarning?.message ?? ''}`,
        fix: firstWarning?.hint ?? '',
      };
    }
    case 'trusted':
      return { id: 'esrt', title, status: 'pass', message: `${esrt.entries.length} entries, all checks passed` };
  }
}

function checkEfivars(ctx: Context, platform: Platform | undefined): CheckResult {
  const title = 'EFI variables';
  const state = readEfivarfsState(ctx);
  const onXen = platform?.kind === 'xen-pv-dom0' || platform?.kind === 'xen-pvh-dom0';
  switch (state.state) {
    case 'writable':
      return {
        id: 'efivars',
        title,
        status: 'pass',
        message: `efivarfs mounted read-write, ${state.variableCount} variables`,
      };
    case 'read-only':
      return {
        id: 'efivars',
        title,
        status: 'fail',
        message: 'efivarfs is mounted read-only: BootNext and the update-info variable cannot be written',
        fix: 'mount -o remount,rw /sys/firmware/efi/efivars (capsule-on-disk firmware still needs OsIndications)',
        code: 'efivars-read-only',
      };
    case 'not-mounted':
      return {
        id: 'efivars',
        title,
        status: 'fail',
        message: `variables are visible but /sys/firmware/efi/efivars is not an efivarfs mount`,
        fix: 'mount -t efivarfs efivarfs /sys/firmware/efi/efivars',
        code: 'efivars-unavailable',
      };
    case 'empty':
      return {
        id: 'efivars',
        title,
        status: 'fail',
        message: onXen
          ? 'no EFI variables: efivarfs is missing, or Xen was booted with efi=no-rs (runtime services off)'
          : 'no EFI variables: efivarfs is not mounted',
        fix: onXen
          ? 'boot Xen without efi=no-rs and mount -t efivarfs efivarfs /sys/firmware/efi/efivars'
          : 'mount -t efivarfs efivarfs /sys/firmware/efi/efivars',
        code: 'efivars-unavailable',
      };
  }
}

function checkSecureBoot(ctx: Context): CheckResult {
  const title = 'Secure Boot';
  const secureBoot = readEfiVariable(ctx, EFI_GLOBAL_VARIABLE_GUID, 'SecureBoot');
  const setupMode = readEfiVariable(ctx, EFI_GLOBAL_VARIABLE_GUID, 'SetupMode');
  if (secureBoot === undefined || secureBoot.data.length < 1) {
    return {
      id: 'secure-boot',
      title,
      status: 'pass',
      message: 'not supported by this firmware (no SecureBoot variable)',
    };
  }
  const inSetup = setupMode !== undefined && setupMode.data[0] === 1 ? ', firmware in setup mode' : '';
  if (secureBoot.data[0] === 1) {
    return {
      id: 'secure-boot',
      title,
      status: 'pass',
      message: `enabled${inSetup}: the signed helper is started through shim`,
    };
  }
  return { id: 'secure-boot', title, status: 'pass', message: `disabled${inSetup}` };
}

function checkPlatformSize(size: string | undefined): CheckResult {
  const title = 'UEFI word size';
  if (size === '64') return { id: 'fw-platform-size', title, status: 'pass', message: '64-bit UEFI' };
  if (size === '32') {
    return {
      id: 'fw-platform-size',
      title,
      status: 'fail',
      message: '32-bit UEFI (fw_platform_size 32): the x64 EFI helper cannot run on it',
      fix: 'capstan stages the 64-bit helper only; use fwupd with fwupdia32.efi on this machine',
      code: 'unsupported-platform',
    };
  }
  return {
    id: 'fw-platform-size',
    title,
    status: 'warn',
    message: size === undefined ? 'fw_platform_size is missing' : `fw_platform_size is ${JSON.stringify(size)}`,
    fix: 'boot a kernel that exposes /sys/firmware/efi/fw_platform_size (Linux >= 4.6)',
  };
}

function checkHelper(ctx: Context): CheckResult {
  const title = 'fwupd EFI helper';
  const signed = ctx.fs.exists(`${HELPER_DIR}/fwupdx64.efi.signed`);
  const unsigned = ctx.fs.exists(`${HELPER_DIR}/fwupdx64.efi`);
  if (signed) return { id: 'helper', title, status: 'pass', message: `${HELPER_DIR}/fwupdx64.efi.signed` };
  if (unsigned) {
    return {
      id: 'helper',
      title,
      status: 'warn',
      message: `only the unsigned ${HELPER_DIR}/fwupdx64.efi: it cannot start with Secure Boot on`,
      fix: 'apt-get install fwupd-amd64-signed',
    };
  }
  return {
    id: 'helper',
    title,
    status: 'warn',
    message: `no fwupd EFI helper in ${HELPER_DIR}: updates cannot be staged`,
    fix: 'apt-get install fwupd-amd64-signed (or fwupd-efi for the unsigned helper)',
  };
}

export function summarize(checks: readonly CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of checks) counts[check.status]++;
  return counts;
}

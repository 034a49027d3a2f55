/** Kernel and Xen version numbers, parsed leniently from what sysfs and procfs show. */

export interface KernelVersion {
  release: string;
  major: number;
  minor: number;
  patch: number;
  /** `6.1` style, for messages. */
  short: string;
}

/** `6.12.107+deb12-amd64` → 6.12.107; `5.15.0-patched` → 5.15.0. */
export function parseKernelRelease(release: string | undefined): KernelVersion | undefined {
  if (release === undefined) return undefined;
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (match === null) return undefined;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return { release, major, minor, patch: Number(match[3] ?? 0), short: `${major}.${minor}` };
}

export function kernelAtLeast(kernel: KernelVersion, major: number, minor: number): boolean {
  return kernel.major > major || (kernel.major === major && kernel.minor >= minor);
}

export interface XenVersion {
  major: number;
  minor: number;
  /** Undefined when `extra` is `<denied>`, empty or not numeric (e.g. `-unstable`). */
  patch: number | undefined;
  /** Raw `extra` as shown by Xen (`.7`, `-rc`, `<denied>`). */
  extra: string;
  /** `4.17.7`, or `4.20` when the patch level is unknown. */
  text: string;
}

/** `major`, `minor`, `extra` from /sys/hypervisor/version; tolerates `-rc`, `-unstable`, `<denied>`. */
export function parseXenVersion(parts: {
  major: string | undefined;
  minor: string | undefined;
  extra: string | undefined;
}): XenVersion | undefined {
  if (parts.major === undefined || parts.minor === undefined) return undefined;
  if (!/^\d+$/.test(parts.major) || !/^\d+$/.test(parts.minor)) return undefined;
  const major = Number(parts.major);
  const minor = Number(parts.minor);
  const extra = parts.extra ?? '';
  const patchMatch = /^\.(\d+)/.exec(extra);
  const patch = patchMatch === null ? (/^-rc/.test(extra) ? 0 : undefined) : Number(patchMatch[1]);
  const text = patch === undefined ? `${major}.${minor}` : `${major}.${minor}.${patch}`;
  return { major, minor, patch, extra, text };
}

/** Compares a Xen version with major.minor.patch; an unknown patch level compares as 0 (worst case). */
export function compareXen(version: XenVersion, major: number, minor: number, patch: number): number {
  return version.major - major || version.minor - minor || (version.patch ?? 0) - patch;
}

/**
 * The one table that maps every error code to a process exit status.
 * docs/exit-codes.md documents exactly this table (checked by test/docs.test.ts).
 * Adding a code is a feature; changing a code's exit status is a breaking change.
 */
export const EXIT_STATUS = {
  success: 0,
  internal: 1,
  usage: 4,
  'config-invalid': 4,
  'file-not-found': 4,
  'esrt-file-invalid': 4,
  'legacy-bios': 5,
  'xen-domu': 5,
  'virtual-machine': 5,
  'unsupported-platform': 5,
  'esrt-unavailable': 5,
  'esrt-untrusted': 5,
  'permission-denied': 8,
  'efivars-unavailable': 8,
  'efivars-read-only': 8,
  'io-error': 12,
  interrupted: 130,
} as const;

export type ErrorCode = Exclude<keyof typeof EXIT_STATUS, 'success'>;

/** One line per code, for docs and `--help`; kept beside the table so neither drifts. */
export const ERROR_SUMMARY: Record<ErrorCode, string> = {
  internal: 'a bug in capstan; the message says how to report it',
  usage: 'bad command-line arguments',
  'config-invalid': 'a configuration file could not be parsed or has an invalid value',
  'file-not-found': 'a file named on the command line does not exist',
  'esrt-file-invalid': 'the raw ESRT dump given with --esrt-file is malformed',
  'legacy-bios': 'the machine was not booted through UEFI',
  'xen-domu': 'running in a Xen domU; host firmware can only be updated from dom0',
  'virtual-machine': 'running in a virtual machine (not a Xen dom0); its ESRT describes virtual firmware',
  'unsupported-platform': 'the firmware or kernel cannot run a UEFI capsule update from here',
  'esrt-unavailable': 'no ESRT is visible; the message names the kernel, Xen or firmware to fix',
  'esrt-untrusted': 'an ESRT is visible but failed the table checks and is hidden',
  'permission-denied': 'a system file could not be read or written; run as root',
  'efivars-unavailable': 'efivarfs is not mounted or exposes no variables',
  'efivars-read-only': 'efivarfs is mounted read-only',
  'io-error': 'the operating system reported an I/O error that is not capstan\u2019s fault',
  interrupted: 'stopped by SIGINT or SIGTERM after cleaning up',
};

export function exitStatusFor(code: ErrorCode): number {
  return EXIT_STATUS[code];
}

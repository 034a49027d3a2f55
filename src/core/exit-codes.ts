/**
 * The one table that maps every error code to a process exit status.
 * docs/exit-codes.md documents exactly this table (checked by test/docs.test.ts).
 * Adding a code is a feature; changing a code's exit status is a breaking change.
 */
export const EXIT_STATUS = {
  success: 0,
  internal: 1,
  'nothing-to-do': 2,
  'device-not-found': 3,
  'remote-not-found': 3,
  'catalog-missing': 3,
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
  'esp-not-found': 5,
  'esp-invalid': 5,
  'checksum-mismatch': 7,
  'signature-invalid': 7,
  'signature-missing': 7,
  'permission-denied': 8,
  'efivars-unavailable': 8,
  'efivars-read-only': 8,
  'cab-invalid': 11,
  'cab-unsupported': 11,
  'cab-limit-exceeded': 11,
  'jcat-invalid': 11,
  'metainfo-invalid': 11,
  'capsule-invalid': 11,
  'catalog-cache-corrupt': 11,
  'staging-incomplete': 9,
  busy: 10,
  'io-error': 12,
  'network-unreachable': 101,
  'download-failed': 101,
  interrupted: 130,
} as const;

export type ErrorCode = Exclude<keyof typeof EXIT_STATUS, 'success'>;

/** One line per code, for docs and `--help`; kept beside the table so neither drifts. */
export const ERROR_SUMMARY: Record<ErrorCode, string> = {
  internal: 'a bug in capstan; the message says how to report it',
  'remote-not-found': 'no remote with that id in /etc/capstan/remotes.d',
  'nothing-to-do': 'nothing would change: no device has an eligible release, or the metadata is already current',
  'device-not-found': 'no ESRT device has that GUID',
  'catalog-missing': 'no enabled remote has usable metadata yet; run capstan refresh',
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
  'checksum-mismatch': 'a file does not match its published checksum; --force never overrides this',
  'signature-invalid': 'a signature does not verify or its signer is not a trust anchor; --force never overrides this',
  'signature-missing': 'a file that must be signed carries no signature (local cabinets need --allow-unsigned)',
  'esp-not-found':
    'no usable EFI system partition is mounted; the message lists every candidate and why it was rejected',
  'esp-invalid': 'the EFI system partition cannot be used as it is (symlink, stale udev data, GPT checksum, MBR disk)',
  'permission-denied': 'a system file could not be read or written; run as root',
  'efivars-unavailable': 'efivarfs is not mounted or exposes no variables',
  'efivars-read-only': 'efivarfs is mounted read-only',
  'cab-invalid': 'a cabinet archive is malformed or corrupt',
  'cab-unsupported': 'a cabinet uses a feature capstan does not read (LZX, Quantum, multi-cabinet sets)',
  'cab-limit-exceeded': 'a cabinet exceeds a safety limit (files, sizes, compression ratio)',
  'jcat-invalid': 'a JCat signature file is malformed',
  'metainfo-invalid': 'firmware metadata (AppStream XML) is malformed or missing a required field',
  'capsule-invalid': 'the firmware payload is not a usable UEFI capsule',
  'catalog-cache-corrupt': 'the local catalog index is damaged; capstan refresh --force rebuilds it',
  'staging-incomplete':
    'staging failed and the rollback did not finish; run capstan again to complete it from the journal',
  busy: 'another capstan is changing this machine (the lock in /run/capstan is held)',
  'io-error': 'the operating system reported an I/O error that is not capstan\u2019s fault',
  'network-unreachable': 'a remote could not be reached (DNS, connection, proxy or timeout) after the retries',
  'download-failed': 'a remote answered with an HTTP error or an oversized body',
  interrupted: 'stopped by SIGINT or SIGTERM after cleaning up',
};

export function exitStatusFor(code: ErrorCode): number {
  return EXIT_STATUS[code];
}

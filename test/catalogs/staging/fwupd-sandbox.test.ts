import { describe, expect, it } from 'vitest';
import { parseTrace } from './fwupd-sandbox.js';

const ROOT = '/tmp/x/root';

describe('parseTrace: strace lines to side effects', () => {
  it('keeps successful writes, mkdirs and unlinks on the ESP and efivarfs, in order', () => {
    const text = [
      `10 mkdir("${ROOT}/boot/efi/EFI/debian/fw", 0755) = 0`,
      `10 mkdir("${ROOT}/boot/efi/EFI/debian", 0755) = -1 EEXIST (File exists)`,
      `10 openat(AT_FDCWD, "${ROOT}/boot/efi/EFI/debian/fw/a.cap.W71IZ3", O_RDWR|O_CREAT|O_EXCL, 0666) = 17`,
      `10 openat(AT_FDCWD, "${ROOT}/sys/firmware/efi/efivars/SecureBoot-x", O_RDONLY) = 16`,
      `10 rename("${ROOT}/boot/efi/EFI/debian/fw/a.cap.W71IZ3", "${ROOT}/boot/efi/EFI/debian/fw/a.cap") = 0`,
      `10 unlink("${ROOT}/sys/firmware/efi/efivars/FWUPDATE_VERBOSE-g") = 0`,
      `10 openat(AT_FDCWD, "/tmp/x/var/lib/fwupd/pending.db", O_RDWR|O_CREAT, 0644) = 18`,
      `10 openat(AT_FDCWD, "${ROOT}/sys/firmware/efi/efivars/BootNext-g", O_WRONLY|O_CREAT, 0644) = -1 EACCES (Permission denied)`,
      `10 openat(AT_FDCWD, "${ROOT}/sys/firmware/efi/efivars/fwupd-g-0-h", O_WRONLY|O_CREAT <unfinished ...>`,
      `11 openat(AT_FDCWD, "/usr/share/x", O_RDONLY) = 19`,
      '10 <... openat resumed>, 0644) = 20',
    ].join('\n');
    expect(parseTrace(text, ROOT)).toEqual([
      'mkdir boot/efi/EFI/debian/fw',
      'write boot/efi/EFI/debian/fw/a.cap',
      'unlink sys/firmware/efi/efivars/FWUPDATE_VERBOSE-g',
      'write sys/firmware/efi/efivars/fwupd-g-0-h',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { findMount, parseMountinfo, parseProcMounts } from './mounts.js';

describe('mount tables', () => {
  it('parses mountinfo, including optional fields and escapes', () => {
    const text =
      '25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n' +
      '31 25 0:26 / /sys/firmware/efi/efivars rw,nosuid,nodev,noexec,relatime shared:8 - efivarfs efivarfs rw\n' +
      '40 30 259:1 / /boot/my\\040efi rw,relatime shared:30 - vfat /dev/nvme0n1p1 rw,fmask=0077\n';
    const mounts = parseMountinfo(text);
    expect(mounts).toHaveLength(3);
    expect(findMount(mounts, '/sys/firmware/efi/efivars')).toMatchObject({ fsType: 'efivarfs', device: '0:26' });
    expect(findMount(mounts, '/boot/my efi')).toMatchObject({
      fsType: 'vfat',
      source: '/dev/nvme0n1p1',
      device: '259:1',
    });
  });

  it('parses /proc/mounts', () => {
    const mounts = parseProcMounts('efivarfs /sys/firmware/efi/efivars efivarfs ro,nosuid,nodev,noexec,relatime 0 0\n');
    expect(findMount(mounts, '/sys/firmware/efi/efivars')?.options).toContain('ro');
  });

  it('lets the last mount on a path win', () => {
    const mounts = parseProcMounts(
      'efivarfs /sys/firmware/efi/efivars efivarfs rw 0 0\nefivarfs /sys/firmware/efi/efivars efivarfs ro 0 0\n',
    );
    expect(findMount(mounts, '/sys/firmware/efi/efivars')?.options).toEqual(['ro']);
  });

  it('skips malformed lines', () => {
    expect(parseMountinfo('garbage\n1 2 3\n')).toEqual([]);
    expect(parseProcMounts('x\n')).toEqual([]);
  });
});

import path from 'node:path';

/**
 * A clean environment (like `env -i`) that points fwupdtool at a sandbox only
 * (shared/reference/fwupd-as-a-peer.md): `root` is the machine directory, `dir` holds fwupd's state,
 * configuration, lock and HOME (subdirectories var, etc, lock, home).
 */
export function fwupdEnv({ dir, root }) {
  return {
    PATH: '/usr/bin:/bin',
    HOME: path.join(dir, 'home'),
    LANG: 'C.UTF-8',
    FWUPD_SYSFSFWDIR: path.join(root, 'sys/firmware'),
    FWUPD_SYSFSDIR: path.join(root, 'sys'),
    FWUPD_SYSFSDMIDIR: path.join(root, 'sys/class/dmi/id'),
    FWUPD_ACPITABLESDIR: path.join(root, 'sys/firmware/acpi/tables'),
    FWUPD_UEFI_ESP_PATH: path.join(root, 'boot/efi'),
    FWUPD_UEFI_TEST: '1',
    FWUPD_LOCALSTATEDIR: path.join(dir, 'var'),
    FWUPD_SYSCONFDIR: path.join(dir, 'etc'),
    FWUPD_LOCKDIR: path.join(dir, 'lock'),
  };
}

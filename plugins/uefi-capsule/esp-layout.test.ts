import { describe, expect, it } from 'vitest';
import { espPathOnPartition, formatDevicePath, missingEspDirectories } from '../../src/plugin-api.js';
import { ESP_HARD_DRIVE_NODE } from '../../test/catalogs/efi/reference-bytes.js';
import { REFERENCE_GEOMETRY } from '../../test/catalogs/staging/reference-input.js';
import { espHardDriveNode, nvramEspLayout, resolveEspOsDirectory } from './index.js';

const debian = { id: 'debian', idLike: [] };

describe('resolveEspOsDirectory: fwupd\u2019s <os> rule (§4)', () => {
  it('EFI/systemd wins over everything', () => {
    expect(resolveEspOsDirectory(new Set(['EFI', 'EFI/debian', 'EFI/systemd']), debian)).toBe('systemd');
  });

  it('then the os-release ID, when EFI/<ID> exists', () => {
    expect(resolveEspOsDirectory(new Set(['EFI/debian', 'EFI/ubuntu']), { id: 'ubuntu', idLike: ['debian'] })).toBe(
      'ubuntu',
    );
  });

  it('then the first ID_LIKE word whose directory exists', () => {
    const existing = new Set(['EFI/fedora', 'EFI/rhel']);
    expect(resolveEspOsDirectory(existing, { id: 'almalinux', idLike: ['rhel', 'centos', 'fedora'] })).toBe('rhel');
    expect(resolveEspOsDirectory(existing, { id: 'almalinux', idLike: ['centos', 'fedora'] })).toBe('fedora');
  });

  it('else the ID anyway (created), and `linux` for an empty ID', () => {
    expect(resolveEspOsDirectory(new Set(['EFI/Boot']), { id: 'arch', idLike: ['foo'] })).toBe('arch');
    expect(resolveEspOsDirectory(new Set(), { id: '', idLike: [] })).toBe('linux');
  });

  it('looks directories up case-insensitively (vfat) but keeps the os-release spelling', () => {
    expect(resolveEspOsDirectory(new Set(['EFI/Debian']), { id: 'debian', idLike: [] })).toBe('debian');
    expect(resolveEspOsDirectory(new Set(['efi/SYSTEMD']), debian)).toBe('systemd');
  });

  it('a file named EFI/systemd would count too: `existing` is expected to list what exists', () => {
    expect(resolveEspOsDirectory(new Set(['EFI/systemd']), debian)).toBe('systemd');
  });
});

describe('nvramEspLayout', () => {
  it('names the capsule, the helper and shim under EFI/<os>', () => {
    const layout = nvramEspLayout({
      esp: { mountPoint: '/boot/efi', geometry: REFERENCE_GEOMETRY, existing: new Set() },
      osRelease: debian,
    });
    expect(layout.capsule('ddc0ee61-e7f0-4e7d-acc5-c070a398838e')).toBe(
      'EFI/debian/fw/fwupd-ddc0ee61-e7f0-4e7d-acc5-c070a398838e.cap',
    );
    expect([layout.capsuleDirectory, layout.helper, layout.shim]).toEqual([
      'EFI/debian/fw',
      'EFI/debian/fwupdx64.efi',
      'EFI/debian/shimx64.efi',
    ]);
  });

  it('refuses an os-release ID that is not a plain directory name', () => {
    for (const id of ['../x', 'a/b', '..', 'a b']) {
      expect(() =>
        nvramEspLayout({
          esp: { mountPoint: '/boot/efi', geometry: REFERENCE_GEOMETRY, existing: new Set() },
          osRelease: { id, idLike: [] },
        }),
      ).toThrow(TypeError);
    }
  });
});

describe('espHardDriveNode', () => {
  it('is the 42-byte §5.2 node for the reference geometry', () => {
    expect(formatDevicePath([espHardDriveNode(REFERENCE_GEOMETRY)]).subarray(0, 42)).toEqual(ESP_HARD_DRIVE_NODE);
  });
});

describe('ESP path helpers (plugin-api)', () => {
  it('missingEspDirectories lists what mkdir -p creates', () => {
    expect(missingEspDirectories(new Set(), 'EFI/debian/fw')).toEqual(['EFI', 'EFI/debian', 'EFI/debian/fw']);
    expect(missingEspDirectories(new Set(['EFI', 'efi/DEBIAN']), 'EFI/debian/fw')).toEqual(['EFI/debian/fw']);
    expect(missingEspDirectories(new Set(['EFI', 'EFI/debian', 'EFI/debian/fw']), 'EFI/debian/fw')).toEqual([]);
  });

  it('espPathOnPartition roots the path and includes an ESP directory below the mount', () => {
    expect(espPathOnPartition(undefined, 'EFI/debian/x.cap')).toBe('/EFI/debian/x.cap');
    expect(espPathOnPartition('/', 'EFI/debian/x.cap')).toBe('/EFI/debian/x.cap');
    expect(espPathOnPartition('/test/', 'EFI/x')).toBe('/test/EFI/x');
    expect(() => espPathOnPartition('/', 'EFI/../x')).toThrow(TypeError);
    expect(() => espPathOnPartition('/', 'EFI\\x')).toThrow(TypeError);
  });
});

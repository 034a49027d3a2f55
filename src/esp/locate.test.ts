import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MS_BASIC_DATA_TYPE,
  primaryRegion,
  writeDiskImage,
  XBOOTLDR_TYPE,
} from '../../test/catalogs/esp/build-disk.js';
import {
  type EspMachineSpec,
  espMachineTree,
  type MachinePartition,
  makeEspMachine,
  mountinfoLine,
  nvmeMachine,
  virtioMachine,
} from '../../test/catalogs/esp/build-machine.js';
import { createContext } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { isEspError } from './errors.js';
import { ESP_NOT_FOUND_HINT, listEspCandidates, locateEsp } from './locate.js';

/** The preset with its ESP (partition 1) changed; an `undefined` value removes the field. */
function withEsp(
  spec: EspMachineSpec,
  change: { [K in keyof MachinePartition]?: MachinePartition[K] | undefined },
): EspMachineSpec {
  const [esp, ...rest] = spec.partitions;
  if (esp === undefined) throw new Error('preset has no partitions');
  const changed: Record<string, unknown> = { ...esp, ...change };
  for (const key of Object.keys(changed)) if (changed[key] === undefined) delete changed[key];
  return { ...spec, partitions: [changed as unknown as MachinePartition, ...rest] };
}

function catchError(fn: () => unknown): CapstanError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CapstanError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

function recordingLogger(): Logger & { warnings: unknown[] } {
  const warnings: unknown[] = [];
  const ignore = (): void => {};
  return { debug: ignore, info: ignore, error: ignore, warn: (m, f) => warnings.push({ m, f }), warnings };
}

describe('ESP discovery', () => {
  it('tries /efi, /boot, /boot/efi and accepts the mounted vfat GPT ESP (virtio)', () => {
    const ctx = createContext({ root: makeEspMachine(virtioMachine()) });
    const candidates = listEspCandidates(ctx);
    expect(candidates.map((c) => [c.mountPoint, c.status, c.reason])).toEqual([
      ['/efi', 'rejected', 'does not exist'],
      ['/boot', 'rejected', 'not a mount point (nothing is mounted here)'],
      ['/boot/efi', 'accepted', undefined],
    ]);
    expect(candidates[2]).toMatchObject({ fsType: 'vfat', geometry: { disk: 'vda', partitionStart: 0x800n } });
    const esp = locateEsp(ctx);
    expect(esp.mountPoint).toBe('/boot/efi');
    expect(esp.fsPath).toBe('/');
    expect(esp.geometry).toMatchObject({ partitionNumber: 1, partitionSize: 0x100000n, source: 'udev+sysfs' });
  });

  it('prefers /efi (nvme, 4096-byte blocks)', () => {
    const ctx = createContext({
      root: makeEspMachine(withEsp(nvmeMachine({ logicalBlockSize: 4096 }), { mountPoint: '/efi' })),
    });
    const esp = locateEsp(ctx);
    expect(esp.mountPoint).toBe('/efi');
    expect(esp.geometry).toMatchObject({ disk: 'nvme0n1', partitionStart: 0x100n, logicalBlockSize: 4096 });
  });

  it('rejects an XBOOTLDR /boot with its type named, then takes /boot/efi', () => {
    const spec = virtioMachine();
    spec.partitions.push({
      number: 3,
      minor: 3,
      type: XBOOTLDR_TYPE,
      uuid: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9',
      start: 0x200000n,
      size: 0x100000n,
      fsType: 'vfat',
      mountPoint: '/boot',
    });
    const candidates = listEspCandidates(createContext({ root: makeEspMachine(spec) }));
    expect(candidates[1]).toMatchObject({
      mountPoint: '/boot',
      status: 'rejected',
      fsType: 'vfat',
      reason:
        'partition type bc13c2ff-59e6-4262-a352-b275fd6f7172 (XBOOTLDR (extended boot loader)) is not the ESP type c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
    });
    expect(candidates[2]?.status).toBe('accepted');
  });

  it('rejects a filesystem that is not vfat (mount table or udev)', () => {
    const ext4 = listEspCandidates(
      createContext({ root: makeEspMachine(withEsp(virtioMachine(), { fsType: 'ext4' })) }),
    );
    expect(ext4[2]).toMatchObject({ status: 'rejected', reason: '/boot/efi is ext4, not vfat', fsType: 'ext4' });
    const msdos = listEspCandidates(
      createContext({ root: makeEspMachine(withEsp(virtioMachine(), { fsType: 'msdos' })) }),
    );
    expect(msdos[2]?.reason).toBe('/boot/efi is msdos, not vfat');
    const udevSaysExfat = withEsp(virtioMachine(), { udevOverrides: { ID_FS_TYPE: 'exfat' } });
    expect(listEspCandidates(createContext({ root: makeEspMachine(udevSaysExfat) }))[2]?.reason).toBe(
      'udev says vda partition 1 holds exfat, not vfat',
    );
  });

  it('throws esp-not-found for a wrong partition type, with every rejection in details and a hint', () => {
    const ctx = createContext({
      root: makeEspMachine(withEsp(virtioMachine(), { type: MS_BASIC_DATA_TYPE })),
    });
    const error = catchError(() => locateEsp(ctx));
    expect(isEspError(error, 'esp-not-found')).toBe(true);
    expect(error.message).toBe(
      'no EFI system partition found: /efi: does not exist; /boot: not a mount point (nothing is mounted here); ' +
        '/boot/efi: partition type ebd0a0a2-b9e5-4433-87c0-68b6b72699c7 (Microsoft basic data) is not the ESP type c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
    );
    expect(error.hint).toBe(ESP_NOT_FOUND_HINT);
    expect(error.hint).toBe('mount the ESP at /boot/efi or /efi, or pass --esp PATH');
    expect(error.details).toEqual({
      candidates: [
        { mountPoint: '/efi', reason: 'does not exist' },
        { mountPoint: '/boot', reason: 'not a mount point (nothing is mounted here)' },
        { mountPoint: '/boot/efi', reason: expect.stringContaining('Microsoft basic data'), fsType: 'vfat' },
      ],
    });
    expect(() => JSON.stringify(error.details)).not.toThrow();
  });

  it('rejects an ESP on an MBR disk (fwupd would take type 0xef; the helper needs a GPT HD node)', () => {
    const dos = virtioMachine({
      table: 'dos',
      diskSignature: 0x1234abcd,
      partitions: [
        {
          number: 1,
          minor: 1,
          type: '0xef',
          uuid: '1234abcd-01',
          start: 2048n,
          size: 1048576n,
          fsType: 'vfat',
          mountPoint: '/boot/efi',
        },
      ],
    });
    expect(listEspCandidates(createContext({ root: makeEspMachine(dos) }))[2]?.reason).toBe(
      'vda partition 1 is on an MBR (dos) partition table (type 0xef); capstan needs a GPT ESP',
    );
    expect(listEspCandidates(createContext({ root: makeEspMachine({ ...dos, udev: false }) }))[2]?.reason).toBe(
      '/dev/vda has an MBR (dos) partition table, not GPT',
    );
  });

  it('rejects a bind mount of a subdirectory (not the filesystem root) and an unmounted ESP', () => {
    const bind = listEspCandidates(
      createContext({ root: makeEspMachine(withEsp(virtioMachine(), { mountRoot: '/EFI' })) }),
    );
    expect(bind[2]?.reason).toBe('a bind mount of /EFI inside its filesystem, not the filesystem root');

    const unmounted = withEsp(virtioMachine(), { mountPoint: undefined });
    const ctx = createContext({ root: makeEspMachine(unmounted, { 'boot/efi': null }) });
    expect(listEspCandidates(ctx).map((c) => c.reason)).toEqual([
      'does not exist',
      'not a mount point (nothing is mounted here)',
      'not a mount point (nothing is mounted here)',
    ]);
    expect(() => locateEsp(ctx)).toThrow(/^no EFI system partition found: /);
  });

  it('rejects a GPT whose CRC does not match when udev cannot vouch for the partition', () => {
    const spec = { ...virtioMachine(), udev: false };
    const root = makeEspMachine(spec);
    const image = espMachineTree(spec).images['dev/vda'];
    if (image === undefined) throw new Error('no image');
    primaryRegion(image)[1024 + 60] = 0x58;
    writeDiskImage(path.join(root, 'dev/vda'), image);
    const [, , bootEfi] = listEspCandidates(createContext({ root }));
    expect(bootEfi?.status).toBe('rejected');
    expect(bootEfi?.reason).toMatch(
      /^the GPT partition entry array CRC32 of \/dev\/vda does not match \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/,
    );
  });

  it('handles automounts and symlinked candidates', () => {
    const autofs = mountinfoLine(90, '0:50', '/', '/efi', 'autofs', 'systemd-1', 'rw,fd=45,pgrp=1,timeout=120');
    const ctx = createContext({ root: makeEspMachine(virtioMachine({ extraMountinfo: [autofs] }), { efi: null }) });
    expect(listEspCandidates(ctx)[0]).toMatchObject({
      status: 'rejected',
      fsType: 'autofs',
      reason: 'an automount point that is not mounted yet; access it once (ls /efi) and try again',
    });
    const root = makeEspMachine(withEsp(virtioMachine(), { mountPoint: '/efi' }));
    const mountinfo = fs.readFileSync(path.join(root, 'proc/self/mountinfo'), 'utf8');
    fs.writeFileSync(path.join(root, 'proc/self/mountinfo'), `${autofs}\n${mountinfo}`);
    expect(locateEsp(createContext({ root })).mountPoint).toBe('/efi');

    const linked = makeEspMachine(virtioMachine());
    fs.symlinkSync('boot/efi', path.join(linked, 'efi'));
    const candidates = listEspCandidates(createContext({ root: linked }));
    expect(candidates[0]?.reason).toBe('a symlink to /boot/efi');
    expect(candidates[2]?.status).toBe('accepted');
  });

  it('needs device numbers from mountinfo', () => {
    const root = makeEspMachine(virtioMachine());
    fs.rmSync(path.join(root, 'proc/self/mountinfo'));
    fs.writeFileSync(path.join(root, 'proc/mounts'), '/dev/vda1 /boot/efi vfat rw,relatime 0 0\n');
    expect(listEspCandidates(createContext({ root }))[2]?.reason).toBe(
      'the mount table gives no device number (/proc/self/mountinfo is unreadable)',
    );
  });
});

describe('explicit --esp', () => {
  it('is the only candidate when given', () => {
    const ctx = createContext({ root: makeEspMachine(withEsp(virtioMachine(), { mountPoint: '/efi' })) });
    expect(listEspCandidates(ctx, '/efi')).toEqual([
      expect.objectContaining({ mountPoint: '/efi', status: 'accepted' }),
    ]);
    const error = catchError(() => locateEsp(ctx, '/boot/efi'));
    expect(error.message).toBe('no usable EFI system partition at /boot/efi: does not exist');
    expect(error.hint).toMatch(/^pass --esp the mount point/);
    expect(listEspCandidates(ctx, 'boot/efi')[0]?.reason).toBe('not an absolute path');
  });

  it('accepts a directory inside the ESP with a warning, and knows the path on the partition', () => {
    const log = recordingLogger();
    const root = makeEspMachine(virtioMachine(), { 'boot/efi/test-esp/EFI': null });
    const ctx = createContext({ root, log });
    const [candidate] = listEspCandidates(ctx, '/boot/efi/test-esp');
    expect(candidate).toMatchObject({
      status: 'accepted',
      reason: 'not a mount point; using /test-esp inside the filesystem mounted at /boot/efi',
      geometry: { partitionStart: 0x800n },
    });
    const esp = locateEsp(ctx, '/boot/efi/test-esp');
    expect(esp.mountPoint).toBe('/boot/efi/test-esp');
    expect(esp.pathOnPartition('EFI/debian/fw/fwupd-x.cap')).toBe('/test-esp/EFI/debian/fw/fwupd-x.cap');
    expect(log.warnings).toHaveLength(1);
  });

  it('follows a symlinked explicit path inside the root, and rejects a directory on the root filesystem', () => {
    const root = makeEspMachine(virtioMachine(), { 'srv/esp': null });
    fs.symlinkSync('/boot/efi', path.join(root, 'esp'));
    const ctx = createContext({ root });
    expect(locateEsp(ctx, '/esp').mountPoint).toBe('/boot/efi');
    expect(listEspCandidates(ctx, '/srv/esp')[0]).toMatchObject({ status: 'rejected', reason: '/ is ext4, not vfat' });
  });
});

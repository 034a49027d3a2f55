import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ESP_TYPE } from '../../test/catalogs/esp/build-disk.js';
import { ESP_PARTUUID, makeEspMachine, nvmeMachine, virtioMachine } from '../../test/catalogs/esp/build-machine.js';
import { createContext } from '../core/context.js';
import { formatEspGeometry, readPartitionGeometry, readPartitionIdentity } from './geometry.js';
import { readSysfsPartition } from './sysfs.js';

describe('partition geometry from udev and sysfs', () => {
  it('virtio vda1: the worked example of uefi-capsule-update.md §5.2', () => {
    const ctx = createContext({ root: makeEspMachine(virtioMachine()) });
    expect(readPartitionIdentity(ctx, '254:1')).toEqual({
      geometry: {
        partitionNumber: 1,
        partitionStart: 0x800n,
        partitionSize: 0x100000n,
        logicalBlockSize: 512,
        partUuid: ESP_PARTUUID,
        partType: ESP_TYPE,
        disk: 'vda',
        device: '254:1',
        source: 'udev+sysfs',
      },
      udevFsType: 'vfat',
    });
  });

  it('nvme0n1p1 resolves the parent disk through the sysfs symlink', () => {
    const ctx = createContext({ root: makeEspMachine(nvmeMachine()) });
    expect(readSysfsPartition(ctx, '259:1')).toEqual({
      device: '259:1',
      sysfsPath: '/sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1/nvme0n1p1',
      partitionNumber: 1,
      start512: 2048n,
      size512: 1048576n,
      disk: 'nvme0n1',
      logicalBlockSize: 512,
      diskDevNode: '/dev/nvme0n1',
    });
    expect(readPartitionGeometry(ctx, '259:1')).toMatchObject({ disk: 'nvme0n1', partitionStart: 2048n });
  });

  it('4096-byte logical blocks: sysfs 512-byte units are converted', () => {
    const ctx = createContext({ root: makeEspMachine(nvmeMachine({ logicalBlockSize: 4096 })) });
    expect(ctx.fs.tryReadText('/sys/class/block/nvme0n1p1/start')).toBe('2048\n');
    expect(readPartitionGeometry(ctx, '259:1')).toMatchObject({
      partitionNumber: 1,
      partitionStart: 0x100n,
      partitionSize: 0x20000n,
      logicalBlockSize: 4096,
      source: 'udev+sysfs',
    });
  });

  for (const [label, spec] of [
    ['512-byte blocks', virtioMachine()],
    ['4096-byte blocks', nvmeMachine({ logicalBlockSize: 4096 })],
  ] as const) {
    it(`falls back to the GPT when udev has no record, with the same answer (${label})`, () => {
      const withUdev = createContext({ root: makeEspMachine(spec) });
      const withoutUdev = createContext({ root: makeEspMachine({ ...spec, udev: false }) });
      const device = `${spec.major}:1`;
      const fromUdev = readPartitionGeometry(withUdev, device);
      const fromGpt = readPartitionGeometry(withoutUdev, device);
      expect(fromGpt).toEqual({ ...fromUdev, source: 'gpt' });
      expect(readPartitionGeometry(withUdev, device, { source: 'gpt' })).toEqual(fromGpt);
    });
  }

  it('falls back to the GPT when the udev record lacks the partition entry', () => {
    const spec = virtioMachine();
    const [esp, rootPart] = spec.partitions;
    if (esp === undefined || rootPart === undefined) throw new Error('preset changed');
    const partial = { ...esp, udevOverrides: { ID_PART_ENTRY_UUID: undefined, ID_PART_ENTRY_TYPE: undefined } };
    const ctx = createContext({ root: makeEspMachine({ ...spec, partitions: [partial, rootPart] }) });
    expect(readPartitionIdentity(ctx, '254:1')).toMatchObject({ geometry: { source: 'gpt' }, udevFsType: 'vfat' });
  });

  it('rejects a stale udev record and a GPT that differs from the kernel', () => {
    const spec = virtioMachine();
    const [esp, rootPart] = spec.partitions;
    if (esp === undefined || rootPart === undefined) throw new Error('preset changed');
    const stale = { ...esp, udevOverrides: { ID_PART_ENTRY_OFFSET: '4096' } };
    const ctx = createContext({ root: makeEspMachine({ ...spec, partitions: [stale, rootPart] }) });
    expect(() => readPartitionGeometry(ctx, '254:1')).toThrow(
      'the udev database says start sector 4096 for vda partition 1 (254:1), the kernel says 2048',
    );

    const root = makeEspMachine({ ...spec, udev: false });
    fs.writeFileSync(path.join(root, 'sys/devices/pci0000:00/0000:00:04.0/virtio2/block/vda/vda1/start'), '4096\n');
    expect(() => readPartitionGeometry(createContext({ root }), '254:1')).toThrow(
      'the GPT on /dev/vda puts partition 1 at LBA 2048 (1048576 blocks), the kernel at LBA 4096 (1048576 blocks)',
    );
  });

  it('rejects MBR partitions (udev and on disk), whole disks and misaligned extents', () => {
    const dos = virtioMachine({
      table: 'dos',
      diskSignature: 0x1234abcd,
      partitions: [
        { number: 1, minor: 1, type: '0xef', uuid: '1234abcd-01', start: 2048n, size: 1048576n, fsType: 'vfat' },
      ],
    });
    const withUdev = createContext({ root: makeEspMachine(dos) });
    expect(() => readPartitionGeometry(withUdev, '254:1')).toThrow(
      'vda partition 1 is on an MBR (dos) partition table (type 0xef); capstan needs a GPT ESP',
    );
    const onDisk = createContext({ root: makeEspMachine({ ...dos, udev: false }) });
    expect(() => readPartitionGeometry(onDisk, '254:1')).toThrow('/dev/vda has an MBR (dos) partition table, not GPT');

    expect(() => readPartitionGeometry(withUdev, '254:0')).toThrow(/254:0 \(vda\) is not a disk partition/);
    expect(() => readPartitionGeometry(withUdev, '8:1')).toThrow(
      'no sysfs entry /sys/dev/block/8:1 for block device 8:1',
    );

    const root = makeEspMachine(nvmeMachine({ logicalBlockSize: 4096 }));
    fs.writeFileSync(path.join(root, 'sys/class/block/nvme0n1p1/start'), '2049\n');
    expect(() => readPartitionGeometry(createContext({ root }), '259:1')).toThrow(
      'nvme0n1 partition 1: start 2049 (512-byte sectors) is not a whole number of 4096-byte blocks',
    );
  });

  it('renders a JSON-safe geometry', () => {
    const ctx = createContext({ root: makeEspMachine(virtioMachine()) });
    const json = JSON.parse(JSON.stringify(formatEspGeometry(readPartitionGeometry(ctx, '254:1'))));
    expect(json).toMatchObject({ partitionStart: '2048', partitionSize: '1048576', partUuid: ESP_PARTUUID });
  });
});

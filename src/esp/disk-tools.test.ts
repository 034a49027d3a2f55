import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildGptDisk,
  ESP_TYPE,
  type GptDiskSpec,
  LINUX_FS_TYPE,
  primaryRegion,
  writeDiskImage,
} from '../../test/catalogs/esp/build-disk.js';
import { DISK_GUID, ESP_PARTUUID, ROOT_PARTUUID } from '../../test/catalogs/esp/build-machine.js';
import { makeRoot } from '../../test/helpers/make-root.js';
import { haveTool } from '../../test/helpers/tools.js';
import { createContext } from '../core/context.js';
import { readGptPartition } from './gpt.js';

/**
 * The GPT builder and the GPT reader against real partitioning tools: sgdisk (gdisk) for 512-byte
 * sectors, fdisk (`-b 4096`) for 4096-byte logical blocks, in both directions.
 */

function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return `${result.stdout}${result.stderr}`;
}

function diskSpec(logicalBlockSize: 512 | 4096): GptDiskSpec {
  const perMiB = BigInt((1024 * 1024) / logicalBlockSize);
  return {
    logicalBlockSize,
    totalBlocks: 64n * perMiB,
    diskGuid: DISK_GUID,
    partitions: [
      { number: 1, type: ESP_TYPE, uuid: ESP_PARTUUID, firstLba: perMiB, lastLba: 17n * perMiB - 1n, name: 'EFI' },
      { number: 3, type: LINUX_FS_TYPE, uuid: ROOT_PARTUUID, firstLba: 17n * perMiB, lastLba: 60n * perMiB - 1n },
    ],
  };
}

function imageRoot(): { root: string; image: string } {
  const root = makeRoot({ 'dev/.keep': '' });
  return { root, image: path.join(root, 'dev/vda') };
}

describe.skipIf(!haveTool('sgdisk'))('cross-check with sgdisk (512-byte sectors)', () => {
  it('sgdisk reads what the builder wrote, with no problems', () => {
    const { image } = imageRoot();
    writeDiskImage(image, buildGptDisk(diskSpec(512)));
    expect(run('sgdisk', ['-v', image])).toContain('No problems found');
    const listing = run('sgdisk', ['-p', image]);
    expect(listing).toContain(`Disk identifier (GUID): ${DISK_GUID.toUpperCase()}`);
    expect(listing).toMatch(/^\s+1\s+2048\s+34815\s+16\.0 MiB\s+EF00\s+EFI$/m);
    expect(listing).toMatch(/^\s+3\s+34816\s+122879\s+/m);
    const info = run('sgdisk', ['-i', '1', image]);
    expect(info).toContain(`Partition GUID code: ${ESP_TYPE.toUpperCase()}`);
    expect(info).toContain(`Partition unique GUID: ${ESP_PARTUUID.toUpperCase()}`);
  });

  it('sgdisk sees the entry array CRC mismatch the reader rejects', () => {
    const { root, image } = imageRoot();
    const disk = buildGptDisk(diskSpec(512));
    primaryRegion(disk)[1024 + 56] = 0x5a;
    writeDiskImage(image, disk);
    expect(run('sgdisk', ['-v', image])).toContain('The CRC for the main partition table is invalid');
    expect(() => readGptPartition(createContext({ root }), '/dev/vda', 512, 1)).toThrow(/CRC32/);
  });

  it('the reader reads what sgdisk wrote', () => {
    const { root, image } = imageRoot();
    writeDiskImage(image, { size: 64n * 1024n * 1024n, regions: [] });
    run('sgdisk', [
      '-o',
      `-U=${DISK_GUID}`,
      '-n=1:2048:+16M',
      '-t=1:ef00',
      `-u=1:${ESP_PARTUUID}`,
      '-n=2:0:0',
      '-t=2:8300',
      image,
    ]);
    const { header, entry } = readGptPartition(createContext({ root }), '/dev/vda', 512, 1);
    expect(header.diskGuid).toBe(DISK_GUID);
    expect(entry).toMatchObject({ type: ESP_TYPE, unique: ESP_PARTUUID, firstLba: 2048n, lastLba: 34815n });
    const second = readGptPartition(createContext({ root }), '/dev/vda', 512, 2).entry;
    expect(second.type).toBe(LINUX_FS_TYPE);
  });
});

describe.skipIf(!haveTool('fdisk'))('cross-check with fdisk -b 4096 (4096-byte logical blocks)', () => {
  const columns = ['-o', 'Device,Start,End,Type-UUID,UUID'];

  it('fdisk reads what the builder wrote for 4096 and 512-byte blocks', () => {
    for (const lbs of [4096, 512] as const) {
      const { image } = imageRoot();
      writeDiskImage(image, buildGptDisk(diskSpec(lbs)));
      const listing = run('fdisk', ['-b', String(lbs), '-l', ...columns, image]);
      expect(listing).toContain(`Disk identifier: ${DISK_GUID.toUpperCase()}`);
      expect(listing).not.toMatch(/corrupt/i);
      const perMiB = (1024 * 1024) / lbs;
      expect(listing).toMatch(
        new RegExp(
          `vda1\\s+${perMiB}\\s+${17 * perMiB - 1}\\s+${ESP_TYPE.toUpperCase()}\\s+${ESP_PARTUUID.toUpperCase()}`,
        ),
      );
      expect(listing).toMatch(
        new RegExp(`vda3\\s+${17 * perMiB}\\s+${60 * perMiB - 1}\\s+${LINUX_FS_TYPE.toUpperCase()}`),
      );
    }
  });

  it('the reader reads what fdisk -b 4096 wrote', () => {
    const { root, image } = imageRoot();
    writeDiskImage(image, { size: 64n * 1024n * 1024n, regions: [] });
    // g: new GPT; n 1 256 +16M: partition 1; t 1 (EFI System); x u <guid> r: set its unique GUID; w: write
    run('fdisk', ['-b', '4096', image], `g\nn\n1\n256\n+16M\nt\n1\nx\nu\n${ESP_PARTUUID}\nr\nw\n`);
    const { entry } = readGptPartition(createContext({ root }), '/dev/vda', 4096, 1);
    expect(entry).toMatchObject({ type: ESP_TYPE, unique: ESP_PARTUUID, firstLba: 256n, lastLba: 256n + 4096n - 1n });
    expect(() => readGptPartition(createContext({ root }), '/dev/vda', 512, 1)).toThrow(/no GPT header/);
  });
});

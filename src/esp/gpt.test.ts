import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildGptDisk,
  buildMbrDisk,
  type DiskImage,
  ESP_TYPE,
  type GptDiskSpec,
  LINUX_FS_TYPE,
  primaryRegion,
  writeDiskImage,
  zlibCrc32,
} from '../../test/catalogs/esp/build-disk.js';
import { DISK_GUID, ESP_PARTUUID, ROOT_PARTUUID } from '../../test/catalogs/esp/build-machine.js';
import { makeRoot } from '../../test/helpers/make-root.js';
import { createContext } from '../core/context.js';
import { parseGptEntry, parseGptHeader, parseMbrTypes, readGptPartition } from './gpt.js';

function spec(logicalBlockSize: 512 | 4096, overrides: Partial<GptDiskSpec> = {}): GptDiskSpec {
  const perMiB = BigInt((1024 * 1024) / logicalBlockSize);
  return {
    logicalBlockSize,
    totalBlocks: 64n * perMiB,
    diskGuid: DISK_GUID,
    partitions: [
      { number: 1, type: ESP_TYPE, uuid: ESP_PARTUUID, firstLba: perMiB, lastLba: 17n * perMiB - 1n, name: 'EFI' },
      { number: 2, type: LINUX_FS_TYPE, uuid: ROOT_PARTUUID, firstLba: 17n * perMiB, lastLba: 60n * perMiB - 1n },
    ],
    ...overrides,
  };
}

function diskRoot(image: DiskImage): ReturnType<typeof createContext> {
  const root = makeRoot({ 'dev/.keep': '' });
  writeDiskImage(path.join(root, 'dev/vda'), image);
  return createContext({ root });
}

describe('GPT parsing', () => {
  for (const lbs of [512, 4096] as const) {
    it(`reads the header and entries of a ${lbs}-byte-block disk`, () => {
      const image = buildGptDisk(spec(lbs));
      const head = primaryRegion(image);
      const header = parseGptHeader(head.subarray(lbs, 2 * lbs), 'vda');
      const perMiB = BigInt((1024 * 1024) / lbs);
      expect(header).toMatchObject({
        revision: 0x10000,
        headerSize: 92,
        myLba: 1n,
        alternateLba: 64n * perMiB - 1n,
        partitionEntryLba: 2n,
        numberOfEntries: 128,
        entrySize: 128,
        diskGuid: DISK_GUID,
        firstUsableLba: 2n + BigInt(16384 / lbs),
      });
      const entries = head.subarray(2 * lbs);
      expect(parseGptEntry(entries, 128, 1)).toEqual({
        partitionNumber: 1,
        type: ESP_TYPE,
        unique: ESP_PARTUUID,
        firstLba: perMiB,
        lastLba: 17n * perMiB - 1n,
        attributes: 0n,
        name: 'EFI',
      });
      expect(parseGptEntry(entries, 128, 3)).toBeUndefined();
      expect(parseMbrTypes(head)).toEqual([0xee]);

      const ctx = diskRoot(image);
      const { entry } = readGptPartition(ctx, '/dev/vda', lbs, 2);
      expect(entry).toMatchObject({ type: LINUX_FS_TYPE, unique: ROOT_PARTUUID, firstLba: 17n * perMiB });
    });
  }

  it('rejects a header CRC mismatch with both values', () => {
    const image = buildGptDisk(spec(512));
    const head = primaryRegion(image);
    head[512 + 40] = (head[512 + 40] ?? 0) ^ 0x01; // FirstUsableLBA, covered by the header CRC
    expect(() => readGptPartition(diskRoot(image), '/dev/vda', 512, 1)).toThrow(
      /GPT header CRC32 of \/dev\/vda does not match \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)/,
    );
  });

  it('rejects an entry array CRC mismatch', () => {
    const image = buildGptDisk(spec(4096));
    primaryRegion(image)[2 * 4096 + 56] = 0x41; // a letter of entry 1's name
    expect(() => readGptPartition(diskRoot(image), '/dev/vda', 4096, 1)).toThrow(
      /partition entry array CRC32 of \/dev\/vda does not match/,
    );
  });

  it('rejects an MBR disk, a GPT without protective MBR, and a 512-byte GPT on a 4096-byte disk', () => {
    const mbr = buildMbrDisk({
      sectors: 131072,
      diskSignature: 0x1234abcd,
      partitions: [{ number: 1, type: 0xef, firstLba: 2048, sectors: 32768 }],
    });
    expect(() => readGptPartition(diskRoot(mbr), '/dev/vda', 512, 1)).toThrow(/MBR \(dos\) partition table, not GPT/);
    const noPmbr = buildGptDisk(spec(512, { protectiveMbr: false }));
    expect(() => readGptPartition(diskRoot(noPmbr), '/dev/vda', 512, 1)).toThrow(/no protective MBR/);
    const written512 = buildGptDisk(spec(512));
    expect(() => readGptPartition(diskRoot(written512), '/dev/vda', 4096, 1)).toThrow(
      /written for 512-byte sectors but the disk has 4096-byte logical blocks/,
    );
  });

  it('rejects unused entries, numbers beyond the array, a truncated disk and a missing device', () => {
    const ctx = diskRoot(buildGptDisk(spec(512)));
    expect(() => readGptPartition(ctx, '/dev/vda', 512, 3)).toThrow(/GPT entry 3 of \/dev\/vda is unused/);
    expect(() => readGptPartition(ctx, '/dev/vda', 512, 129)).toThrow(/has 128 entries/);
    expect(() => readGptPartition(ctx, '/dev/sdz', 512, 1)).toThrow(/disk device \/dev\/sdz does not exist/);

    const root = makeRoot({});
    fs.mkdirSync(path.join(root, 'dev'));
    fs.writeFileSync(path.join(root, 'dev/vda'), primaryRegion(buildGptDisk(spec(512))).subarray(0, 1024));
    expect(() => readGptPartition(createContext({ root }), '/dev/vda', 512, 1)).toThrow(
      /\/dev\/vda ends at byte 1024, inside its partition table/,
    );
  });

  it('refuses unreasonable header fields before reading entries', () => {
    const block = primaryRegion(buildGptDisk(spec(512))).slice(512, 1024);
    const view = new DataView(block.buffer);
    const reseal = (): void => {
      view.setUint32(16, 0, true);
      view.setUint32(16, zlibCrc32(block.subarray(0, view.getUint32(12, true))), true);
    };
    view.setUint32(80, 100_000, true);
    reseal();
    expect(() => parseGptHeader(block, 'vda')).toThrow(/unreasonable entry count/);
    view.setUint32(80, 128, true);
    view.setUint32(84, 96, true);
    reseal();
    expect(() => parseGptHeader(block, 'vda')).toThrow(/invalid entry size: 96/);
    view.setUint32(84, 128, true);
    view.setBigUint64(24, 5n, true);
    reseal();
    expect(() => parseGptHeader(block, 'vda')).toThrow(/says it is at LBA 5, not 1/);
    view.setUint32(12, 600, true);
    expect(() => parseGptHeader(block, 'vda')).toThrow(/invalid size: 600/);
  });
});

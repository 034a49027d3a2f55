/**
 * Disk-image writers *for tests*: a GPT disk (protective MBR, primary header and entry array, backup entry
 * array and header, all CRC32s correct) or an MBR disk, for 512- or 4096-byte logical blocks. Images are
 * written sparse, so an 8 GiB disk costs a few KiB. The CRC32 comes from zlib's gzip trailer, an
 * implementation independent of `src/esp/crc32.ts`; the output is cross-checked with sgdisk and sfdisk
 * in `src/esp/disk-tools.test.ts`.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { formatGuidBytes } from '../../../src/efi/guid.js';

export const ESP_TYPE = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
export const LINUX_FS_TYPE = '0fc63daf-8483-4772-8e79-3d69d8477de4';
export const MS_BASIC_DATA_TYPE = 'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7';
export const XBOOTLDR_TYPE = 'bc13c2ff-59e6-4262-a352-b275fd6f7172';

export interface GptPartitionSpec {
  /** 1-based entry index (= Linux partition number). */
  number: number;
  type: string;
  uuid: string;
  /** In logical blocks. */
  firstLba: bigint;
  lastLba: bigint;
  name?: string;
  attributes?: bigint;
}

export interface GptDiskSpec {
  logicalBlockSize: 512 | 4096;
  /** Disk size in logical blocks. */
  totalBlocks: bigint;
  diskGuid: string;
  partitions: GptPartitionSpec[];
  /** Default 128 entries of 128 bytes. */
  entryCount?: number;
  entrySize?: number;
  /** Default true; false leaves LBA 0 zero. */
  protectiveMbr?: boolean;
}

export interface MbrPartitionSpec {
  /** Slot 1-4. */
  number: number;
  type: number;
  /** In 512-byte sectors. */
  firstLba: number;
  sectors: number;
  bootable?: boolean;
}

/** A disk image as the regions that are not zero (the rest is a hole). */
export interface DiskImage {
  size: bigint;
  regions: { offset: bigint; bytes: Uint8Array }[];
}

/** CRC-32 (IEEE) taken from zlib's gzip trailer. */
export function zlibCrc32(bytes: Uint8Array): number {
  const gz = zlib.gzipSync(bytes, { level: 0 });
  return gz.readUInt32LE(gz.length - 8);
}

export function buildGptDisk(spec: GptDiskSpec): DiskImage {
  const lbs = spec.logicalBlockSize;
  const blockSize = BigInt(lbs);
  const entryCount = spec.entryCount ?? 128;
  const entrySize = spec.entrySize ?? 128;
  const entryBytes = entryCount * entrySize;
  const entryBlocks = BigInt(Math.ceil(entryBytes / lbs));
  const lastLba = spec.totalBlocks - 1n;
  const firstUsable = 2n + entryBlocks;
  const lastUsable = lastLba - entryBlocks - 1n;

  const entries = new Uint8Array(Number(entryBlocks) * lbs);
  for (const p of spec.partitions) {
    const offset = (p.number - 1) * entrySize;
    const view = new DataView(entries.buffer, offset, 128);
    entries.set(formatGuidBytes(p.type), offset);
    entries.set(formatGuidBytes(p.uuid), offset + 16);
    view.setBigUint64(32, p.firstLba, true);
    view.setBigUint64(40, p.lastLba, true);
    view.setBigUint64(48, p.attributes ?? 0n, true);
    const name = p.name ?? '';
    for (let i = 0; i < Math.min(name.length, 36); i++) view.setUint16(56 + i * 2, name.charCodeAt(i), true);
  }
  const entriesCrc = zlibCrc32(entries.subarray(0, entryBytes));

  const header = (myLba: bigint, alternateLba: bigint, entryLba: bigint): Uint8Array => {
    const block = new Uint8Array(lbs);
    const view = new DataView(block.buffer);
    block.set(new TextEncoder().encode('EFI PART'), 0);
    view.setUint32(8, 0x00010000, true);
    view.setUint32(12, 92, true);
    view.setBigUint64(24, myLba, true);
    view.setBigUint64(32, alternateLba, true);
    view.setBigUint64(40, firstUsable, true);
    view.setBigUint64(48, lastUsable, true);
    block.set(formatGuidBytes(spec.diskGuid), 56);
    view.setBigUint64(72, entryLba, true);
    view.setUint32(80, entryCount, true);
    view.setUint32(84, entrySize, true);
    view.setUint32(88, entriesCrc, true);
    view.setUint32(16, zlibCrc32(block.subarray(0, 92)), true);
    return block;
  };

  const head = new Uint8Array(Number(firstUsable) * lbs);
  if (spec.protectiveMbr !== false) {
    const mbr = new DataView(head.buffer, 0, 512);
    const record = 0x1be;
    head.set([0x00, 0x00, 0x02, 0x00, 0xee, 0xff, 0xff, 0xff], record);
    mbr.setUint32(record + 8, 1, true);
    mbr.setUint32(record + 12, Number(spec.totalBlocks - 1n > 0xffffffffn ? 0xffffffffn : spec.totalBlocks - 1n), true);
    head[510] = 0x55;
    head[511] = 0xaa;
  }
  head.set(header(1n, lastLba, 2n), lbs);
  head.set(entries, 2 * lbs);

  const backupEntryLba = lastLba - entryBlocks;
  const tail = new Uint8Array((Number(entryBlocks) + 1) * lbs);
  tail.set(entries, 0);
  tail.set(header(lastLba, 1n, backupEntryLba), Number(entryBlocks) * lbs);

  return {
    size: spec.totalBlocks * blockSize,
    regions: [
      { offset: 0n, bytes: head },
      { offset: backupEntryLba * blockSize, bytes: tail },
    ],
  };
}

/** An MBR (dos) disk with the given disk signature and primary partitions; 512-byte sectors. */
export function buildMbrDisk(spec: {
  sectors: number;
  diskSignature: number;
  partitions: MbrPartitionSpec[];
}): DiskImage {
  const sector = new Uint8Array(512);
  const view = new DataView(sector.buffer);
  view.setUint32(440, spec.diskSignature, true);
  for (const p of spec.partitions) {
    const record = 0x1be + (p.number - 1) * 16;
    sector[record] = p.bootable === true ? 0x80 : 0;
    sector.set([0xfe, 0xff, 0xff], record + 1);
    sector[record + 4] = p.type;
    sector.set([0xfe, 0xff, 0xff], record + 5);
    view.setUint32(record + 8, p.firstLba, true);
    view.setUint32(record + 12, p.sectors, true);
  }
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return { size: BigInt(spec.sectors) * 512n, regions: [{ offset: 0n, bytes: sector }] };
}

/** Writes an image as a sparse file (created or replaced). */
export function writeDiskImage(file: string, image: DiskImage): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.ftruncateSync(fd, Number(image.size));
    for (const region of image.regions) fs.writeSync(fd, region.bytes, 0, region.bytes.length, Number(region.offset));
  } finally {
    fs.closeSync(fd);
  }
}

/** The first region (protective MBR, primary header, entries): handy for flipping bytes in tests. */
export function primaryRegion(image: DiskImage): Uint8Array {
  const first = image.regions[0];
  if (first === undefined) throw new Error('image has no regions');
  return first.bytes;
}

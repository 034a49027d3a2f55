import fs from 'node:fs';
import type { Context } from '../core/context.js';
import { parseGuidBytes } from '../efi/guid.js';
import { crc32, formatCrc32 } from './crc32.js';
import { espError } from './errors.js';
import { tryRealpathInRoot } from './root-path.js';

/** "EFI PART" */
export const GPT_SIGNATURE = 0x5452415020494645n;
export const GPT_HEADER_MIN_SIZE = 92;
/** Upper bound on the partition entry array read from a disk (the usual one is 16 KiB). */
export const GPT_ENTRIES_MAX_BYTES = 4 * 1024 * 1024;
const UNUSED_TYPE = '00000000-0000-0000-0000-000000000000';

/** GPT header (UEFI 2.10 §5.3.2), as read from LBA 1. */
export interface GptHeader {
  revision: number;
  headerSize: number;
  headerCrc32: number;
  myLba: bigint;
  alternateLba: bigint;
  firstUsableLba: bigint;
  lastUsableLba: bigint;
  diskGuid: string;
  partitionEntryLba: bigint;
  numberOfEntries: number;
  entrySize: number;
  entriesCrc32: number;
}

/** One GPT partition entry (UEFI 2.10 §5.3.3). LBAs are in the disk's logical blocks. */
export interface GptEntry {
  /** 1-based index in the entry array: the Linux partition number and the HD node's partition number. */
  partitionNumber: number;
  type: string;
  unique: string;
  firstLba: bigint;
  lastLba: bigint;
  attributes: bigint;
  name: string;
}

/** Partition record types of an MBR in LBA 0 (`0xee` = GPT protective), if it has the 0x55AA signature. */
export function parseMbrTypes(sector: Uint8Array): number[] | undefined {
  if (sector.length < 512 || sector[510] !== 0x55 || sector[511] !== 0xaa) return undefined;
  const types: number[] = [];
  for (let i = 0; i < 4; i++) {
    const type = sector[0x1be + i * 16 + 4] ?? 0;
    if (type !== 0) types.push(type);
  }
  return types;
}

/**
 * Parses and verifies a GPT header block: signature, header size (92 … block size), header CRC32 (over
 * `headerSize` bytes with the CRC field zeroed), MyLBA = 1 and the entry array shape. `where` names the disk
 * in messages. Throws `esp-invalid` with the reason.
 */
export function parseGptHeader(block: Uint8Array, where: string): GptHeader {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  if (block.length < GPT_HEADER_MIN_SIZE || view.getBigUint64(0, true) !== GPT_SIGNATURE) {
    throw espError('esp-invalid', `no GPT header (signature "EFI PART") at LBA 1 of ${where}`);
  }
  const headerSize = view.getUint32(12, true);
  if (headerSize < GPT_HEADER_MIN_SIZE || headerSize > block.length) {
    throw espError('esp-invalid', `the GPT header of ${where} has an invalid size: ${headerSize}`);
  }
  const headerCrc32 = view.getUint32(16, true);
  const copy = Uint8Array.from(block.subarray(0, headerSize));
  copy.fill(0, 16, 20);
  const computed = crc32(copy);
  if (computed !== headerCrc32) {
    throw espError(
      'esp-invalid',
      `the GPT header CRC32 of ${where} does not match (stored ${formatCrc32(headerCrc32)}, computed ${formatCrc32(computed)})`,
      { hint: 'the partition table is damaged; check it with gdisk (verify) before updating firmware' },
    );
  }
  const header: GptHeader = {
    revision: view.getUint32(8, true),
    headerSize,
    headerCrc32,
    myLba: view.getBigUint64(24, true),
    alternateLba: view.getBigUint64(32, true),
    firstUsableLba: view.getBigUint64(40, true),
    lastUsableLba: view.getBigUint64(48, true),
    diskGuid: parseGuidBytes(block, 56),
    partitionEntryLba: view.getBigUint64(72, true),
    numberOfEntries: view.getUint32(80, true),
    entrySize: view.getUint32(84, true),
    entriesCrc32: view.getUint32(88, true),
  };
  if (header.myLba !== 1n) {
    throw espError('esp-invalid', `the primary GPT header of ${where} says it is at LBA ${header.myLba}, not 1`);
  }
  if (header.partitionEntryLba < 2n) {
    throw espError('esp-invalid', `the GPT of ${where} puts its entries at LBA ${header.partitionEntryLba}`);
  }
  const { entrySize, numberOfEntries } = header;
  if (entrySize < 128 || (entrySize & (entrySize - 1)) !== 0) {
    throw espError('esp-invalid', `the GPT of ${where} has an invalid entry size: ${entrySize}`);
  }
  if (numberOfEntries < 1 || numberOfEntries * entrySize > GPT_ENTRIES_MAX_BYTES) {
    throw espError('esp-invalid', `the GPT of ${where} has an unreasonable entry count: ${numberOfEntries}`);
  }
  return header;
}

/** Verifies the entry array CRC32 against the header. */
export function verifyGptEntries(header: GptHeader, entries: Uint8Array, where: string): void {
  const computed = crc32(entries.subarray(0, header.numberOfEntries * header.entrySize));
  if (computed !== header.entriesCrc32) {
    throw espError(
      'esp-invalid',
      `the GPT partition entry array CRC32 of ${where} does not match (stored ${formatCrc32(header.entriesCrc32)}, computed ${formatCrc32(computed)})`,
      { hint: 'the partition table is damaged; check it with gdisk (verify) before updating firmware' },
    );
  }
}

/** Entry `partitionNumber` (1-based) of an entry array, or undefined when that slot is unused. */
export function parseGptEntry(entries: Uint8Array, entrySize: number, partitionNumber: number): GptEntry | undefined {
  const offset = (partitionNumber - 1) * entrySize;
  if (partitionNumber < 1 || offset + 128 > entries.length) return undefined;
  const type = parseGuidBytes(entries, offset);
  if (type === UNUSED_TYPE) return undefined;
  const view = new DataView(entries.buffer, entries.byteOffset + offset, 128);
  const nameBytes = entries.subarray(offset + 56, offset + 128);
  let name = '';
  for (let i = 0; i + 1 < nameBytes.length; i += 2) {
    const unit = (nameBytes[i] ?? 0) | ((nameBytes[i + 1] ?? 0) << 8);
    if (unit === 0) break;
    name += String.fromCharCode(unit);
  }
  return {
    partitionNumber,
    type,
    unique: parseGuidBytes(entries, offset + 16),
    firstLba: view.getBigUint64(32, true),
    lastLba: view.getBigUint64(40, true),
    attributes: view.getBigUint64(48, true),
    name,
  };
}

/** Result of reading one partition from the primary GPT of a disk. */
export interface GptPartition {
  header: GptHeader;
  entry: GptEntry;
}

/**
 * Reads partition `partitionNumber` from the primary GPT of the disk at system path `devNode`, with the
 * disk's logical block size (the header is at byte `logicalBlockSize`). Uses positioned reads of the
 * protective MBR, the header block and the entry array only, never the whole disk. `devNode` is a block
 * device on a real system and a regular file (a disk image) under a test root. Throws `esp-invalid` with
 * the reason (MBR disk, no protective MBR, CRC mismatch, unused entry, ...).
 */
export function readGptPartition(
  ctx: Context,
  devNode: string,
  logicalBlockSize: number,
  partitionNumber: number,
): GptPartition {
  const canonical = tryRealpathInRoot(ctx, devNode);
  if (canonical === undefined) throw espError('esp-invalid', `disk device ${devNode} does not exist`);
  let fd: number;
  try {
    fd = fs.openSync(ctx.paths.resolve(canonical), 'r');
  } catch (error) {
    throw ctx.fs.translate(error, devNode, 'opening');
  }
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isBlockDevice() && !stats.isFile()) {
      throw espError('esp-invalid', `${devNode} is neither a block device nor a disk image`);
    }
    const readAt = (position: bigint, length: number): Uint8Array => {
      const buffer = new Uint8Array(length);
      let done = 0;
      try {
        while (done < length) {
          const n = fs.readSync(fd, buffer, done, length - done, position + BigInt(done));
          if (n === 0) break;
          done += n;
        }
      } catch (error) {
        throw ctx.fs.translate(error, devNode, 'reading');
      }
      if (done < length) {
        throw espError('esp-invalid', `${devNode} ends at byte ${position + BigInt(done)}, inside its partition table`);
      }
      return buffer;
    };
    const lbs = BigInt(logicalBlockSize);
    const mbrTypes = parseMbrTypes(readAt(0n, 512));
    const headerBlock = readAt(lbs, logicalBlockSize);
    if (!hasGptSignature(headerBlock)) {
      if (logicalBlockSize !== 512 && hasGptSignature(readAt(512n, 512))) {
        throw espError(
          'esp-invalid',
          `the GPT on ${devNode} was written for 512-byte sectors but the disk has ${logicalBlockSize}-byte logical blocks`,
        );
      }
      if (mbrTypes !== undefined && !mbrTypes.includes(0xee)) {
        throw espError('esp-invalid', `${devNode} has an MBR (dos) partition table, not GPT`);
      }
      throw espError('esp-invalid', `no GPT header (signature "EFI PART") at LBA 1 of ${devNode}`);
    }
    const header = parseGptHeader(headerBlock, devNode);
    if (mbrTypes === undefined || !mbrTypes.includes(0xee)) {
      throw espError(
        'esp-invalid',
        `${devNode} has a GPT but no protective MBR (type 0xee), so firmware may not read it as GPT`,
      );
    }
    if (partitionNumber > header.numberOfEntries) {
      throw espError(
        'esp-invalid',
        `the GPT of ${devNode} has ${header.numberOfEntries} entries, the kernel says partition ${partitionNumber}`,
      );
    }
    const entries = readAt(header.partitionEntryLba * lbs, header.numberOfEntries * header.entrySize);
    verifyGptEntries(header, entries, devNode);
    const entry = parseGptEntry(entries, header.entrySize, partitionNumber);
    if (entry === undefined) {
      throw espError('esp-invalid', `GPT entry ${partitionNumber} of ${devNode} is unused, but the kernel has it`);
    }
    if (
      entry.firstLba > entry.lastLba ||
      entry.firstLba < header.firstUsableLba ||
      entry.lastLba > header.lastUsableLba
    ) {
      throw espError(
        'esp-invalid',
        `GPT entry ${partitionNumber} of ${devNode} has an invalid extent: LBA ${entry.firstLba} to ${entry.lastLba}`,
      );
    }
    return { header, entry };
  } finally {
    fs.closeSync(fd);
  }
}

function hasGptSignature(block: Uint8Array): boolean {
  return block.length >= 8 && new DataView(block.buffer, block.byteOffset, 8).getBigUint64(0, true) === GPT_SIGNATURE;
}

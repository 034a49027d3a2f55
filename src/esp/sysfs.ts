import path from 'node:path';
import type { Context } from '../core/context.js';
import { espError } from './errors.js';
import { tryRealpathInRoot } from './root-path.js';

/** What the kernel says about one partition (`/sys/dev/block/MAJ:MIN` and its parent disk). */
export interface SysfsPartition {
  /** `MAJ:MIN` of the partition. */
  device: string;
  /** Canonical sysfs directory of the partition (`/sys/devices/…/vda/vda1`). */
  sysfsPath: string;
  /** sysfs `partition`: the partition number (for GPT, the 1-based entry index). */
  partitionNumber: number;
  /** sysfs `start` and `size`: always in 512-byte sectors, whatever the disk's block size. */
  start512: bigint;
  size512: bigint;
  /** The parent disk's kernel name (`vda`, `nvme0n1`) and its `queue/logical_block_size`. */
  disk: string;
  logicalBlockSize: number;
  /** System path of the disk's device node (`/dev/vda`; from the disk's `uevent` DEVNAME when present). */
  diskDevNode: string;
}

/**
 * Reads a partition's identity and geometry from sysfs. Throws `esp-invalid` with the reason when the
 * device is not a partition of a disk (a whole disk, device-mapper, md RAID) or sysfs is incomplete.
 */
export function readSysfsPartition(ctx: Context, device: string): SysfsPartition {
  if (!/^\d+:\d+$/.test(device)) throw espError('esp-invalid', `not a block device number: ${device}`);
  const link = `/sys/dev/block/${device}`;
  const sysfsPath = tryRealpathInRoot(ctx, link);
  if (sysfsPath === undefined) throw espError('esp-invalid', `no sysfs entry ${link} for block device ${device}`);
  const name = path.posix.basename(sysfsPath);
  const partitionText = ctx.fs.tryReadText(`${sysfsPath}/partition`);
  if (partitionText === undefined) {
    throw espError(
      'esp-invalid',
      `block device ${device} (${name}) is not a disk partition (whole disk, device-mapper or RAID)`,
    );
  }
  const partitionNumber = parseDecimal(partitionText, `${sysfsPath}/partition`);
  if (partitionNumber < 1n || partitionNumber > 0xffffffffn) {
    throw espError('esp-invalid', `${sysfsPath}/partition is out of range: ${partitionNumber}`);
  }
  const ownDev = ctx.fs.tryReadText(`${sysfsPath}/dev`)?.trim();
  if (ownDev !== undefined && ownDev !== device) {
    throw espError('esp-invalid', `${link} leads to ${sysfsPath}, which is block device ${ownDev}, not ${device}`);
  }
  const start512 = parseDecimal(readRequired(ctx, `${sysfsPath}/start`), `${sysfsPath}/start`);
  const size512 = parseDecimal(readRequired(ctx, `${sysfsPath}/size`), `${sysfsPath}/size`);
  const diskPath = path.posix.dirname(sysfsPath);
  const disk = path.posix.basename(diskPath);
  const blockText = ctx.fs.tryReadText(`${diskPath}/queue/logical_block_size`);
  if (blockText === undefined) {
    throw espError('esp-invalid', `cannot read the logical block size of disk ${disk} (${diskPath}/queue)`);
  }
  const logicalBlockSize = Number(parseDecimal(blockText, `${diskPath}/queue/logical_block_size`));
  if (logicalBlockSize < 512 || logicalBlockSize > 65536 || (logicalBlockSize & (logicalBlockSize - 1)) !== 0) {
    throw espError('esp-invalid', `disk ${disk} reports an impossible logical block size: ${logicalBlockSize}`);
  }
  const devName =
    /^DEVNAME=(.+)$/m.exec(ctx.fs.tryReadText(`${diskPath}/uevent`) ?? '')?.[1]?.trim() ?? disk.replaceAll('!', '/');
  if (devName.split('/').includes('..'))
    throw espError('esp-invalid', `disk ${disk} has a suspicious DEVNAME: ${devName}`);
  return {
    device,
    sysfsPath,
    partitionNumber: Number(partitionNumber),
    start512,
    size512,
    disk,
    logicalBlockSize,
    diskDevNode: `/dev/${devName}`,
  };
}

function readRequired(ctx: Context, systemPath: string): string {
  const text = ctx.fs.tryReadText(systemPath);
  if (text === undefined) throw espError('esp-invalid', `missing sysfs attribute ${systemPath}`);
  return text;
}

/** A non-negative decimal integer as sysfs prints it (`2048\n`). */
export function parseDecimal(text: string, where: string): bigint {
  const trimmed = text.trim();
  if (!/^\d{1,20}$/.test(trimmed))
    throw espError('esp-invalid', `${where} is not a decimal number: ${JSON.stringify(trimmed)}`);
  return BigInt(trimmed);
}

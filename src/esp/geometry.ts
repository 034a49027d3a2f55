import type { Context } from '../core/context.js';
import { tryNormalizeGuid } from '../efi/guid.js';
import { espError } from './errors.js';
import { readGptPartition } from './gpt.js';
import { readSysfsPartition, type SysfsPartition } from './sysfs.js';
import type { EspGeometry } from './types.js';
import { tryReadUdevRecord } from './udev.js';

export interface ReadGeometryOptions {
  /** `auto` (default): the udev database when it has the partition entry, else the GPT; `gpt`: always the GPT. */
  source?: 'auto' | 'gpt';
}

/** A partition's geometry plus the filesystem type udev recorded for it, when it did. */
export interface PartitionIdentity {
  geometry: EspGeometry;
  udevFsType?: string;
}

/**
 * Identity and geometry of partition `MAJ:MIN` for the Hard Drive device-path node: sysfs gives the
 * partition number, the parent disk and its logical block size, and start/size in 512-byte units (converted
 * here); the udev database gives PARTUUID and type, else the disk's primary GPT is read. Every source is
 * cross-checked against sysfs. Throws `esp-invalid` with the reason when the partition cannot be described
 * exactly (MBR disk, stale udev data, a GPT that differs from the kernel's view, misaligned extent, ...).
 */
export function readPartitionGeometry(ctx: Context, device: string, options: ReadGeometryOptions = {}): EspGeometry {
  return readPartitionIdentity(ctx, device, options).geometry;
}

export function readPartitionIdentity(
  ctx: Context,
  device: string,
  options: ReadGeometryOptions = {},
): PartitionIdentity {
  const sysfs = readSysfsPartition(ctx, device);
  const name = `${sysfs.disk} partition ${sysfs.partitionNumber}`;
  const partitionStart = toLogicalBlocks(sysfs.start512, sysfs, 'start');
  const partitionSize = toLogicalBlocks(sysfs.size512, sysfs, 'size');
  const base = {
    partitionNumber: sysfs.partitionNumber,
    partitionStart,
    partitionSize,
    logicalBlockSize: sysfs.logicalBlockSize,
    disk: sysfs.disk,
    device,
  };

  const udev = options.source === 'gpt' ? undefined : tryReadUdevRecord(ctx, device);
  const props = udev?.properties ?? {};
  const udevFsType = props.ID_FS_TYPE;
  const withFsType = (geometry: EspGeometry): PartitionIdentity =>
    udevFsType === undefined || udevFsType === '' ? { geometry } : { geometry, udevFsType };

  const scheme = props.ID_PART_ENTRY_SCHEME;
  const rawType = props.ID_PART_ENTRY_TYPE;
  if (scheme === 'dos' || (rawType !== undefined && /^0x[0-9a-f]{1,2}$/i.test(rawType))) {
    throw mbrRejection(name, rawType);
  }
  if (scheme !== undefined && scheme !== 'gpt') {
    throw espError('esp-invalid', `${name} is on a "${scheme}" partition table, not GPT`);
  }
  const rawUuid = props.ID_PART_ENTRY_UUID;
  const rawNumber = props.ID_PART_ENTRY_NUMBER;
  if (rawUuid !== undefined && rawType !== undefined && rawNumber !== undefined) {
    const partUuid = tryNormalizeGuid(rawUuid);
    const partType = tryNormalizeGuid(rawType);
    if (partUuid === undefined || partType === undefined) {
      throw espError('esp-invalid', `the udev database has a malformed GPT entry for ${name}: ${rawUuid} ${rawType}`);
    }
    const stale = (what: string, udevValue: string, kernelValue: bigint | number): Error =>
      espError(
        'esp-invalid',
        `the udev database says ${what} ${udevValue} for ${name} (${device}), the kernel says ${kernelValue}`,
        { hint: 'the udev database is out of date: run udevadm trigger --settle (or reboot) and try again' },
      );
    if (rawNumber.trim() !== String(sysfs.partitionNumber))
      throw stale('partition number', rawNumber, sysfs.partitionNumber);
    const offset = props.ID_PART_ENTRY_OFFSET;
    if (offset !== undefined && offset.trim() !== String(sysfs.start512))
      throw stale('start sector', offset, sysfs.start512);
    const size = props.ID_PART_ENTRY_SIZE;
    if (size !== undefined && size.trim() !== String(sysfs.size512))
      throw stale('size in sectors', size, sysfs.size512);
    return withFsType({ ...base, partUuid, partType, source: 'udev+sysfs' });
  }

  ctx.log.debug('no udev partition data; reading the GPT', { device, disk: sysfs.diskDevNode });
  const { entry } = readGptPartition(ctx, sysfs.diskDevNode, sysfs.logicalBlockSize, sysfs.partitionNumber);
  const gptSize = entry.lastLba - entry.firstLba + 1n;
  if (entry.firstLba !== partitionStart || gptSize !== partitionSize) {
    throw espError(
      'esp-invalid',
      `the GPT on ${sysfs.diskDevNode} puts partition ${sysfs.partitionNumber} at LBA ${entry.firstLba} (${gptSize} blocks), the kernel at LBA ${partitionStart} (${partitionSize} blocks)`,
      { hint: 'the partition table changed since the kernel read it: run partprobe or reboot' },
    );
  }
  return withFsType({ ...base, partUuid: entry.unique, partType: entry.type, source: 'gpt' });
}

function toLogicalBlocks(value512: bigint, sysfs: SysfsPartition, what: string): bigint {
  const bytes = value512 * 512n;
  const blockSize = BigInt(sysfs.logicalBlockSize);
  if (bytes % blockSize !== 0n) {
    throw espError(
      'esp-invalid',
      `${sysfs.disk} partition ${sysfs.partitionNumber}: ${what} ${value512} (512-byte sectors) is not a whole number of ${sysfs.logicalBlockSize}-byte blocks`,
    );
  }
  return bytes / blockSize;
}

function mbrRejection(name: string, type: string | undefined): Error {
  return espError(
    'esp-invalid',
    `${name} is on an MBR (dos) partition table${type === undefined ? '' : ` (type ${type})`}; capstan needs a GPT ESP`,
    { hint: 'the update helper needs a GPT Hard Drive device path to the ESP; convert the disk to GPT' },
  );
}

/** A JSON-safe rendering of a geometry (`bigint` as decimal strings) for `--json` and doctor output. */
export function formatEspGeometry(geometry: EspGeometry): Record<string, string | number> {
  return {
    ...geometry,
    partitionStart: geometry.partitionStart.toString(),
    partitionSize: geometry.partitionSize.toString(),
  };
}

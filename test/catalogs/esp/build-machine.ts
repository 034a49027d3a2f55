/**
 * Builds the part of a machine root that ESP discovery reads, mirroring a real Linux system:
 *
 * ```
 * proc/self/mountinfo                                   / (ext4) and the ESP (vfat) with MAJ:MIN
 * sys/<sysfsParent>/<disk>/{dev,size,uevent}            the disk (size in 512-byte sectors)
 * sys/<sysfsParent>/<disk>/queue/logical_block_size     512 or 4096 (also physical_block_size, hw_sector_size)
 * sys/<sysfsParent>/<disk>/<part>/{partition,start,size,dev,uevent,ro}   start/size in 512-byte sectors
 * sys/dev/block/<MAJ:MIN>   -> ../../<sysfsParent>/<disk>[/<part>]       relative symlinks, as the kernel makes
 * sys/class/block/<name>    -> ../../<sysfsParent>/<disk>[/<part>]
 * run/udev/data/b<MAJ:MIN>                              udev database (E:ID_PART_ENTRY_*, E:ID_FS_TYPE, S:, I:, G:)
 * dev/<disk>                                            sparse disk image with the partition table (optional)
 * <mount point>/                                        each mount point as a directory (boot/efi/EFI/ for the ESP)
 * ```
 *
 * Presets: `virtioMachine()` (vda, 254:0, 512-byte blocks) and `nvmeMachine()` (nvme0n1, 259:0, 512 or
 * 4096-byte blocks), both with the ESP of reference/uefi-capsule-update.md §5.2 (partition 1, PARTUUID
 * 4d2f3b6a-…, start 0x800 and size 0x100000 sectors of 512 bytes: the same bytes at 4096 are LBA 0x100 and
 * 0x20000 blocks) on /boot/efi and an ext4 root as partition 2.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeRoot, type TreeEntry, writeTree } from '../../helpers/make-root.js';
import { buildGptDisk, buildMbrDisk, type DiskImage, ESP_TYPE, LINUX_FS_TYPE, writeDiskImage } from './build-disk.js';

export const ESP_PARTUUID = '4d2f3b6a-8c1e-4f0a-9b7d-2e5c6a1f0b93';
export const ROOT_PARTUUID = '9a1c7e55-3b2d-4c8f-a6e1-0d5f2b7c9e41';
export const DISK_GUID = '6b0e4f2a-1d3c-4a5b-8e7f-9c0d1e2f3a4b';

export interface MachinePartition {
  number: number;
  /** Minor device number (major is the disk's). */
  minor: number;
  /** GPT type GUID; for an MBR table the type byte as udev prints it (`0xef`). */
  type: string;
  /** GPT unique GUID; for MBR `<disk signature>-<nn>` as udev prints it. */
  uuid: string;
  /** In the disk's logical blocks. */
  start: bigint;
  size: bigint;
  fsType: string;
  name?: string;
  mountPoint?: string;
  /** mountinfo "root" field, default `/` (anything else is a bind mount of a subdirectory). */
  mountRoot?: string;
  /** Write this partition's udev database file (default: the machine's `udev`). */
  udev?: boolean;
  /** Extra `E:` properties, overriding the generated ones (`undefined` removes one). */
  udevOverrides?: Record<string, string | undefined>;
}

export interface EspMachineSpec {
  /** Kernel name: `vda`, `nvme0n1`, `sda`. */
  disk: string;
  major: number;
  diskMinor: number;
  /** sysfs directory holding the disk, below `sys/`: `devices/virtual/block`, `devices/pci…/nvme/nvme0`. */
  sysfsParent: string;
  logicalBlockSize: 512 | 4096;
  totalBlocks: bigint;
  table: 'gpt' | 'dos';
  diskGuid: string;
  /** MBR disk signature (dos only). */
  diskSignature?: number;
  partitions: MachinePartition[];
  /** Write run/udev/data/b* files (default true). */
  udev?: boolean;
  /** Write dev/<disk> as a sparse image of the partition table (default true). */
  image?: boolean;
  /** More mountinfo lines appended as is. */
  extraMountinfo?: string[];
}

export interface MachineTree {
  files: Record<string, TreeEntry>;
  /** Relative path in the root → link target. */
  symlinks: Record<string, string>;
  images: Record<string, DiskImage>;
}

/** `nvme0n1` + 1 → `nvme0n1p1`; `vda` + 1 → `vda1` (the kernel's rule: a `p` after a trailing digit). */
export function partitionName(disk: string, number: number): string {
  return /\d$/.test(disk) ? `${disk}p${number}` : `${disk}${number}`;
}

/** In 512-byte sectors, as sysfs and udev report them. */
export function toSectors(blocks: bigint, logicalBlockSize: number): bigint {
  return (blocks * BigInt(logicalBlockSize)) / 512n;
}

export function virtioMachine(overrides: Partial<EspMachineSpec> = {}): EspMachineSpec {
  return {
    disk: 'vda',
    major: 254,
    diskMinor: 0,
    sysfsParent: 'devices/pci0000:00/0000:00:04.0/virtio2/block',
    logicalBlockSize: 512,
    totalBlocks: 16_777_216n,
    table: 'gpt',
    diskGuid: DISK_GUID,
    partitions: defaultPartitions(512, 16_777_216n),
    ...overrides,
  };
}

export function nvmeMachine(
  overrides: Partial<EspMachineSpec> & { logicalBlockSize?: 512 | 4096 } = {},
): EspMachineSpec {
  const logicalBlockSize = overrides.logicalBlockSize ?? 512;
  const totalBlocks = logicalBlockSize === 512 ? 16_777_216n : 2_097_152n;
  return {
    disk: 'nvme0n1',
    major: 259,
    diskMinor: 0,
    sysfsParent: 'devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0',
    logicalBlockSize,
    totalBlocks,
    table: 'gpt',
    diskGuid: DISK_GUID,
    partitions: defaultPartitions(logicalBlockSize, totalBlocks),
    ...overrides,
  };
}

/** The ESP (1 MiB in, 512 MiB) on /boot/efi and an ext4 root filling the rest, for a block size. */
export function defaultPartitions(logicalBlockSize: 512 | 4096, totalBlocks: bigint): MachinePartition[] {
  const perMiB = BigInt((1024 * 1024) / logicalBlockSize);
  const espStart = perMiB;
  const espSize = 512n * perMiB;
  const rootStart = espStart + espSize;
  const entryBlocks = BigInt(Math.ceil(16384 / logicalBlockSize));
  return [
    {
      number: 1,
      minor: 1,
      type: ESP_TYPE,
      uuid: ESP_PARTUUID,
      start: espStart,
      size: espSize,
      fsType: 'vfat',
      name: 'EFI System Partition',
      mountPoint: '/boot/efi',
    },
    {
      number: 2,
      minor: 2,
      type: LINUX_FS_TYPE,
      uuid: ROOT_PARTUUID,
      start: rootStart,
      size: totalBlocks - entryBlocks - 2n - rootStart,
      fsType: 'ext4',
      name: 'root',
      mountPoint: '/',
    },
  ];
}

export function espMachineTree(spec: EspMachineSpec): MachineTree {
  const files: Record<string, TreeEntry> = {};
  const symlinks: Record<string, string> = {};
  const images: Record<string, DiskImage> = {};
  const lbs = spec.logicalBlockSize;
  const diskDir = `sys/${spec.sysfsParent}/${spec.disk}`;
  const diskDev = `${spec.major}:${spec.diskMinor}`;

  files[`${diskDir}/dev`] = `${diskDev}\n`;
  files[`${diskDir}/size`] = `${toSectors(spec.totalBlocks, lbs)}\n`;
  files[`${diskDir}/uevent`] = `MAJOR=${spec.major}\nMINOR=${spec.diskMinor}\nDEVNAME=${spec.disk}\nDEVTYPE=disk\n`;
  files[`${diskDir}/queue/logical_block_size`] = `${lbs}\n`;
  files[`${diskDir}/queue/physical_block_size`] = `${lbs}\n`;
  files[`${diskDir}/queue/hw_sector_size`] = `${lbs}\n`;
  symlinks[`sys/dev/block/${diskDev}`] = `../../${spec.sysfsParent}/${spec.disk}`;
  symlinks[`sys/class/block/${spec.disk}`] = `../../${spec.sysfsParent}/${spec.disk}`;

  for (const p of spec.partitions) {
    const name = partitionName(spec.disk, p.number);
    const dir = `${diskDir}/${name}`;
    const dev = `${spec.major}:${p.minor}`;
    files[`${dir}/partition`] = `${p.number}\n`;
    files[`${dir}/start`] = `${toSectors(p.start, lbs)}\n`;
    files[`${dir}/size`] = `${toSectors(p.size, lbs)}\n`;
    files[`${dir}/dev`] = `${dev}\n`;
    files[`${dir}/ro`] = '0\n';
    files[`${dir}/uevent`] =
      `MAJOR=${spec.major}\nMINOR=${p.minor}\nDEVNAME=${name}\nDEVTYPE=partition\nDISKSEQ=9\nPARTN=${p.number}\n`;
    symlinks[`sys/dev/block/${dev}`] = `../../${spec.sysfsParent}/${spec.disk}/${name}`;
    symlinks[`sys/class/block/${name}`] = `../../${spec.sysfsParent}/${spec.disk}/${name}`;
    if (p.udev ?? spec.udev ?? true) files[`run/udev/data/b${dev}`] = udevRecord(spec, p);
    if (p.mountPoint !== undefined && p.mountPoint !== '/') {
      files[`${p.mountPoint.slice(1)}/${p.fsType === 'vfat' ? 'EFI' : 'lost+found'}`] = null;
    }
  }
  files['proc/self/mountinfo'] = mountinfo(spec);
  if (spec.image ?? true) images[`dev/${spec.disk}`] = diskImage(spec);
  return { files, symlinks, images };
}

export function writeEspMachine(root: string, spec: EspMachineSpec): void {
  const tree = espMachineTree(spec);
  writeTree(root, tree.files);
  for (const [link, target] of Object.entries(tree.symlinks)) {
    const at = path.join(root, link);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.rmSync(at, { force: true });
    fs.symlinkSync(target, at);
  }
  for (const [file, image] of Object.entries(tree.images)) {
    const at = path.join(root, file);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    writeDiskImage(at, image);
  }
}

/** A throwaway root (removed when the test finishes) holding the machine, plus `extra` files. */
export function makeEspMachine(spec: EspMachineSpec, extra: Record<string, TreeEntry> = {}): string {
  const root = makeRoot({});
  writeEspMachine(root, spec);
  writeTree(root, extra);
  return root;
}

/** The mountinfo line for a mount, as the kernel prints it. */
export function mountinfoLine(
  id: number,
  device: string,
  root: string,
  mountPoint: string,
  fsType: string,
  source: string,
  superOptions = 'rw',
): string {
  return `${id} 1 ${device} ${root} ${mountPoint} rw,relatime shared:${id} - ${fsType} ${source} ${superOptions}`;
}

function mountinfo(spec: EspMachineSpec): string {
  const lines: string[] = [];
  let id = 21;
  const mounted = spec.partitions
    .filter((p) => p.mountPoint !== undefined)
    .sort((a, b) => (a.mountPoint ?? '').length - (b.mountPoint ?? '').length);
  const rootPartition = mounted.find((p) => p.mountPoint === '/');
  const line = (p: MachinePartition): string =>
    mountinfoLine(
      id++,
      `${spec.major}:${p.minor}`,
      p.mountRoot ?? '/',
      p.mountPoint ?? '',
      p.fsType,
      `/dev/${partitionName(spec.disk, p.number)}`,
      p.fsType === 'vfat'
        ? 'rw,fmask=0077,dmask=0077,codepage=437,iocharset=ascii,shortname=mixed,utf8,errors=remount-ro'
        : 'rw,errors=remount-ro',
    );
  if (rootPartition !== undefined) lines.push(line(rootPartition));
  lines.push(mountinfoLine(id++, '0:21', '/', '/sys', 'sysfs', 'sysfs'));
  lines.push(mountinfoLine(id++, '0:22', '/', '/proc', 'proc', 'proc'));
  lines.push(mountinfoLine(id++, '0:5', '/', '/dev', 'devtmpfs', 'udev', 'rw,size=8011204k,mode=755'));
  lines.push(mountinfoLine(id++, '0:24', '/', '/run', 'tmpfs', 'tmpfs', 'rw,size=1606376k,mode=755'));
  for (const p of mounted) if (p !== rootPartition) lines.push(line(p));
  lines.push(...(spec.extraMountinfo ?? []));
  return `${lines.join('\n')}\n`;
}

function udevRecord(spec: EspMachineSpec, p: MachinePartition): string {
  const lbs = spec.logicalBlockSize;
  const name = partitionName(spec.disk, p.number);
  const props: Record<string, string | undefined> = {
    ID_PART_TABLE_UUID: spec.table === 'gpt' ? spec.diskGuid : (spec.diskSignature ?? 0).toString(16).padStart(8, '0'),
    ID_PART_TABLE_TYPE: spec.table,
    ID_FS_UUID: p.fsType === 'vfat' ? '1A2B-3C4D' : '2f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f',
    ID_FS_TYPE: p.fsType,
    ID_FS_USAGE: 'filesystem',
    ID_PART_ENTRY_SCHEME: spec.table,
    ...(spec.table === 'gpt' ? { ID_PART_ENTRY_NAME: (p.name ?? '').replaceAll(' ', '\\x20') } : {}),
    ID_PART_ENTRY_UUID: p.uuid,
    ID_PART_ENTRY_TYPE: p.type,
    ID_PART_ENTRY_NUMBER: String(p.number),
    ID_PART_ENTRY_OFFSET: String(toSectors(p.start, lbs)),
    ID_PART_ENTRY_SIZE: String(toSectors(p.size, lbs)),
    ID_PART_ENTRY_DISK: `${spec.major}:${spec.diskMinor}`,
    ...p.udevOverrides,
  };
  return [
    `S:disk/by-partuuid/${p.uuid}`,
    `S:disk/by-id/virtio-capstan-test-part${p.number}`,
    `S:disk/by-path/pci-0000:00:04.0-part${p.number}`,
    'I:5310245',
    ...Object.entries(props)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, value]) => `E:${key}=${value}`),
    `E:DEVNAME=/dev/${name}`,
    'G:systemd',
    'Q:systemd',
    'V:1',
    '',
  ].join('\n');
}

function diskImage(spec: EspMachineSpec): DiskImage {
  if (spec.table === 'dos') {
    return buildMbrDisk({
      sectors: Number(spec.totalBlocks),
      diskSignature: spec.diskSignature ?? 0,
      partitions: spec.partitions.map((p) => ({
        number: p.number,
        type: Number.parseInt(p.type, 16),
        firstLba: Number(p.start),
        sectors: Number(p.size),
      })),
    });
  }
  return buildGptDisk({
    logicalBlockSize: spec.logicalBlockSize,
    totalBlocks: spec.totalBlocks,
    diskGuid: spec.diskGuid,
    partitions: spec.partitions.map((p) => ({
      number: p.number,
      type: p.type,
      uuid: p.uuid,
      firstLba: p.start,
      lastLba: p.start + p.size - 1n,
      ...(p.name === undefined ? {} : { name: p.name }),
    })),
  });
}

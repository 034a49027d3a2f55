import type { Context } from '../core/context.js';

export interface MountEntry {
  /** Mount point as the system sees it (absolute, unescaped). */
  mountPoint: string;
  fsType: string;
  source: string;
  /** Per-mount options (`rw`, `ro`, ...) merged with superblock options where known. */
  options: string[];
  /** `MAJ:MIN` from mountinfo; undefined from /proc/mounts. */
  device?: string;
  root?: string;
}

/** Mount table from `/proc/self/mountinfo`, falling back to `/proc/mounts`. */
export function readMounts(ctx: Context): MountEntry[] {
  const mountinfo = ctx.fs.tryReadText('/proc/self/mountinfo');
  if (mountinfo !== undefined) return parseMountinfo(mountinfo);
  const mounts = ctx.fs.tryReadText('/proc/mounts');
  return mounts === undefined ? [] : parseProcMounts(mounts);
}

/** `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue` */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const separator = fields.indexOf('-');
    if (separator < 6 || fields.length < separator + 3) continue;
    const [, , device, root, mountPoint, mountOptions] = fields;
    const fsType = fields[separator + 1] ?? '';
    const source = fields[separator + 2] ?? '';
    const superOptions = fields[separator + 3] ?? '';
    if (mountPoint === undefined || mountOptions === undefined) continue;
    entries.push({
      mountPoint: unescapeMount(mountPoint),
      fsType,
      source: unescapeMount(source),
      options: [...mountOptions.split(','), ...superOptions.split(',').filter((o) => o !== 'rw' && o !== 'ro')],
      ...(device === undefined ? {} : { device }),
      ...(root === undefined ? {} : { root: unescapeMount(root) }),
    });
  }
  return entries;
}

/** `efivarfs /sys/firmware/efi/efivars efivarfs rw,nosuid,nodev,noexec,relatime 0 0` */
export function parseProcMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, mountPoint, fsType, options] = line.trim().split(/\s+/);
    if (source === undefined || mountPoint === undefined || fsType === undefined || options === undefined) continue;
    entries.push({
      source: unescapeMount(source),
      mountPoint: unescapeMount(mountPoint),
      fsType,
      options: options.split(','),
    });
  }
  return entries;
}

/** The last mount on a path wins, as in the kernel's view. */
export function findMount(mounts: readonly MountEntry[], mountPoint: string): MountEntry | undefined {
  return mounts.filter((m) => m.mountPoint === mountPoint).at(-1);
}

function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

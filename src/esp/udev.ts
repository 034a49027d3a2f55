import type { Context } from '../core/context.js';

/** One device's record in the udev database (`/run/udev/data/b<MAJ>:<MIN>`). */
export interface UdevRecord {
  /** `E:` lines: `ID_PART_ENTRY_UUID`, `ID_PART_ENTRY_TYPE`, `ID_FS_TYPE`, ... */
  properties: Record<string, string>;
  /** `S:` lines: symlinks under /dev (`disk/by-partuuid/…`). */
  symlinks: string[];
}

/**
 * Parses a udev database file: one `<letter>:<value>` per line (`E:KEY=VALUE` properties, `S:` symlinks,
 * `I:` init time, `G:`/`Q:` tags, `V:` version, ...). Unknown letters and malformed lines are ignored.
 */
export function parseUdevRecord(text: string): UdevRecord {
  const properties: Record<string, string> = {};
  const symlinks: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length < 2 || line[1] !== ':') continue;
    const value = line.slice(2);
    if (line[0] === 'E') {
      const equals = value.indexOf('=');
      if (equals > 0) properties[value.slice(0, equals)] = value.slice(equals + 1);
    } else if (line[0] === 'S') {
      symlinks.push(value);
    }
  }
  return { properties, symlinks };
}

/** The udev record of block device `MAJ:MIN`, or undefined when udev has none (no udev, container, initramfs). */
export function tryReadUdevRecord(ctx: Context, device: string): UdevRecord | undefined {
  const text = ctx.fs.tryReadText(`/run/udev/data/b${device}`);
  return text === undefined ? undefined : parseUdevRecord(text);
}

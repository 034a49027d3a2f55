import fs from 'node:fs';
import type { Context } from '../core/context.js';
import { errnoOf } from '../core/root-fs.js';

const MAX_RECORDS = 50_000;

/**
 * The kernel log's messages, from `/dev/kmsg` under the root. On a real system that is a
 * character device read record by record without blocking; in a fixture machine it is a plain
 * file with the same record format (`prio,seq,usec,flags;message`) or plain `dmesg` lines.
 * Returns undefined when the log cannot be read (not root, dmesg_restrict, no file).
 */
export function readKernelLog(ctx: Context): string[] | undefined {
  const path = ctx.paths.resolve('/dev/kmsg');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    return undefined;
  }
  try {
    if (stat.isCharacterDevice()) return readDevice(path);
    if (stat.isFile()) return parseRecords(fs.readFileSync(path, 'utf8').split('\n'));
  } catch (error) {
    ctx.log.debug('kernel log not readable', { path, errno: errnoOf(error) ?? String(error) });
  }
  return undefined;
}

function readDevice(path: string): string[] {
  const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const records: string[] = [];
  const buffer = Buffer.alloc(8192);
  try {
    while (records.length < MAX_RECORDS) {
      let length: number;
      try {
        length = fs.readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        const code = errnoOf(error);
        if (code === 'EPIPE') continue; // a record was overwritten while reading: skip it
        if (code === 'EAGAIN') break; // end of the buffer
        throw error;
      }
      if (length === 0) break;
      records.push(buffer.toString('utf8', 0, length));
    }
  } finally {
    fs.closeSync(fd);
  }
  return parseRecords(records.flatMap((record) => record.split('\n')));
}

function parseRecords(lines: string[]): string[] {
  const messages: string[] = [];
  for (const line of lines) {
    if (line === '' || line.startsWith(' ')) continue; // continuation key=value lines
    const record = /^\d+,\d+,\d+,[^;]*;(.*)$/.exec(line);
    messages.push(record === null ? line.replace(/^\[\s*\d+\.\d+\]\s*/, '') : (record[1] ?? ''));
  }
  return messages;
}

export interface EsrtLogFacts {
  /** The firmware published an ESRT (`efi: ... ESRT=0x...` in the boot line). */
  published: boolean;
  /** Linux >= 6.3 on Xen dropped it: `(ESRT=0x... unusable)` / `may have been clobbered by Xen`. */
  droppedUnderXen: boolean;
  /** esrt.c refused it, with its words (`esrt: ESRT header is not in the memory map.`). */
  rejectedBy: string | undefined;
}

export function findEsrtLogFacts(messages: readonly string[]): EsrtLogFacts {
  let published = false;
  let droppedUnderXen = false;
  let rejectedBy: string | undefined;
  for (const message of messages) {
    if (/\bESRT=0x[0-9a-fA-F]+/.test(message)) published = true;
    if (/\(ESRT=0x[0-9a-fA-F]+ unusable\)|ESRT=0x[0-9a-fA-F]+\)? may have been clobbered by Xen/.test(message)) {
      droppedUnderXen = true;
    }
    const esrt = /^esrt: (.*)$/.exec(message);
    if (esrt !== null && !/^Reserving ESRT space/.test(esrt[1] ?? '')) rejectedBy = message.trim();
  }
  return { published, droppedUnderXen, rejectedBy };
}

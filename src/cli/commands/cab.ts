import fs from 'node:fs';
import path from 'node:path';
import { CapstanError } from '../../core/errors.js';
import { errnoOf } from '../../core/root-fs.js';
import { extractCabinetToDirectory, readCabinetIndex } from '../../engine/cabinet/index.js';
import { writeJson } from '../output/json.js';
import { chooseStyle, formatTable } from '../output/text.js';
import type { CommandInvocation } from '../program.js';

// Its own module so that `cab list|extract` loads only the cabinet reader (not signatures or XML).

/** `cab list FILE` and `cab extract FILE [DIRECTORY]`: the reader for admins and support. */
export async function run({ io, global, args }: CommandInvocation): Promise<number> {
  const [action, fileArg, directoryArg] = args;
  if (action !== 'list' && action !== 'extract') {
    throw new CapstanError('usage', `cab ${JSON.stringify(action ?? '')}: expected list or extract`, {
      hint: 'capstan cab list FILE.cab, or capstan cab extract FILE.cab [DIRECTORY]',
    });
  }
  if (fileArg === undefined) {
    throw new CapstanError('usage', `cab ${action}: missing the cabinet file`, {
      hint: `capstan cab ${action} FILE.cab`,
    });
  }
  const file = path.resolve(io.cwd ?? process.cwd(), fileArg);
  if (action === 'list') {
    const index = await readCabinetIndex({ kind: 'file', path: file });
    if (global.json) {
      writeJson(io.stdout, {
        file,
        size: index.size,
        folders: index.folders,
        members: index.members.map((m) => ({ ...m, modified: m.modified?.toISOString() ?? null })),
      });
      return 0;
    }
    const rows = index.members.map((m) => [
      m.name,
      String(m.size),
      m.modified?.toISOString().replace('T', ' ').slice(0, 19) ?? '-',
      `${m.folder} (${index.folders[m.folder]?.compression ?? '?'})`,
    ]);
    io.stdout.write(`${formatTable(['NAME', 'SIZE', 'MODIFIED (UTC)', 'FOLDER'], rows, chooseStyle(io, 'stdout'))}\n`);
    return 0;
  }
  const directory = path.resolve(io.cwd ?? process.cwd(), directoryArg ?? '.');
  try {
    fs.mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new CapstanError(
      errnoOf(error) === 'EACCES' ? 'permission-denied' : 'io-error',
      `creating ${directory}: ${errnoOf(error) ?? String(error)}`,
      {
        hint: 'choose a directory you can write to',
        cause: error,
      },
    );
  }
  const result = await extractCabinetToDirectory({ kind: 'file', path: file }, directory);
  if (global.json) writeJson(io.stdout, { file, directory, written: result.written });
  else if (!global.quiet) io.stdout.write(`extracted ${result.written.length} file(s) to ${directory}\n`);
  return 0;
}

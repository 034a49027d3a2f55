import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../core/context.js';
import type { EfiVarStore } from '../efi/store.js';

export const JOURNAL_DIR = '/var/lib/capstan/journal';

/** One side effect, written down (with what it replaces) before it is made. */
export type JournalEffect =
  | { kind: 'efivar'; guid: string; name: string; previous: { attributes: number; data: string } | null }
  | { kind: 'esp-file'; path: string; backup: string | null }
  | { kind: 'esp-dir'; path: string };

/** What rollback needs to touch: the variable store and ESP-relative file operations. */
export interface JournalTargets {
  variables: EfiVarStore;
  esp: {
    writeFile(rel: string, bytes: Uint8Array): void;
    removeFile(rel: string): void;
    /** Removes the directory only if it is empty. */
    removeEmptyDir(rel: string): void;
  };
}

type Line =
  | { type: 'begin'; id: string; at: string; meta: Record<string, unknown> }
  | { type: 'effect'; effect: JournalEffect }
  | { type: 'commit'; at: string };

/**
 * The transaction journal of one staging run, in `<root>/var/lib/capstan/journal/<id>/`. Every
 * effect is appended and fsynced before the caller makes it; a replaced file's old bytes are saved
 * (and fsynced) first. Rolling back undoes the effects newest first. A journal without a commit line
 * belongs to a run that failed or was killed: the next run rolls it back (`recoverJournals`).
 */
export class Journal {
  private constructor(
    private readonly ctx: Context,
    readonly id: string,
    private readonly directory: string,
  ) {}

  static begin(ctx: Context, meta: Record<string, unknown>): Journal {
    const id = `${ctx.clock.now().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
    const directory = ctx.paths.resolve(`${JOURNAL_DIR}/${id}`);
    fs.mkdirSync(path.join(directory, 'backups'), { recursive: true, mode: 0o700 });
    const journal = new Journal(ctx, id, directory);
    journal.append({ type: 'begin', id, at: ctx.clock.now().toISOString(), meta });
    fsyncDirectory(path.dirname(directory));
    return journal;
  }

  /** Before setting or deleting a variable: remembers its current value (or that it did not exist). */
  recordVariable(variables: EfiVarStore, guid: string, name: string): void {
    const current = variables.get(guid, name);
    this.append({
      type: 'effect',
      effect: {
        kind: 'efivar',
        guid,
        name,
        previous:
          current === undefined
            ? null
            : { attributes: current.attributes, data: Buffer.from(current.data).toString('base64') },
      },
    });
  }

  /** Before writing an ESP file: saves the bytes it replaces (null when it is new). */
  recordEspFile(rel: string, previous: Uint8Array | null): void {
    let backup: string | null = null;
    if (previous !== null) {
      backup = `backups/${this.lineCount()}`;
      writeDurably(path.join(this.directory, backup), previous);
    }
    this.append({ type: 'effect', effect: { kind: 'esp-file', path: rel, backup } });
  }

  /** Before creating an ESP directory that did not exist. */
  recordEspDir(rel: string): void {
    this.append({ type: 'effect', effect: { kind: 'esp-dir', path: rel } });
  }

  /** The staged state is complete and verified: nothing is rolled back any more. */
  commit(): void {
    this.append({ type: 'commit', at: this.ctx.clock.now().toISOString() });
    fs.rmSync(this.directory, { recursive: true, force: true });
  }

  /** Undoes every recorded effect, newest first, then removes the journal. */
  rollback(targets: JournalTargets): JournalEffect[] {
    const effects = readLines(this.directory)
      .filter((line): line is Extract<Line, { type: 'effect' }> => line.type === 'effect')
      .map((line) => line.effect);
    for (const effect of [...effects].reverse()) undo(effect, targets, this.directory);
    fs.rmSync(this.directory, { recursive: true, force: true });
    return effects;
  }

  private append(line: Line): void {
    const fd = fs.openSync(path.join(this.directory, 'journal.jsonl'), 'a', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify(line)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  private lineCount(): number {
    return readLines(this.directory).length;
  }

  /** Opens an existing (unfinished) journal, e.g. one a killed run left behind. */
  static open(ctx: Context, id: string): Journal {
    return new Journal(ctx, id, ctx.paths.resolve(`${JOURNAL_DIR}/${id}`));
  }

  meta(): Record<string, unknown> {
    const begin = readLines(this.directory).find((line) => line.type === 'begin');
    return begin?.type === 'begin' ? begin.meta : {};
  }
}

/** Journals left by runs that did not commit (failed, or killed): oldest first. */
export function listUnfinishedJournals(ctx: Context): string[] {
  return (ctx.fs.tryListDir(JOURNAL_DIR) ?? []).filter((id) => {
    const lines = readLines(ctx.paths.resolve(`${JOURNAL_DIR}/${id}`));
    return lines.length > 0 && !lines.some((line) => line.type === 'commit');
  });
}

/** Rolls back every unfinished journal; `targetsFor` gets the journal's meta (which ESP, which store). */
export function recoverJournals(ctx: Context, targetsFor: (meta: Record<string, unknown>) => JournalTargets): string[] {
  const recovered: string[] = [];
  for (const id of listUnfinishedJournals(ctx)) {
    const journal = Journal.open(ctx, id);
    journal.rollback(targetsFor(journal.meta()));
    recovered.push(id);
  }
  return recovered;
}

function undo(effect: JournalEffect, targets: JournalTargets, directory: string): void {
  switch (effect.kind) {
    case 'efivar':
      if (effect.previous === null) targets.variables.delete(effect.guid, effect.name);
      else
        targets.variables.set(
          effect.guid,
          effect.name,
          effect.previous.attributes,
          Buffer.from(effect.previous.data, 'base64'),
        );
      return;
    case 'esp-file':
      if (effect.backup === null) targets.esp.removeFile(effect.path);
      else targets.esp.writeFile(effect.path, fs.readFileSync(path.join(directory, effect.backup)));
      return;
    case 'esp-dir':
      targets.esp.removeEmptyDir(effect.path);
      return;
  }
}

/** Every complete line; a torn last line (the process died while appending) is ignored: its effect never started. */
function readLines(directory: string): Line[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(directory, 'journal.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    try {
      lines.push(JSON.parse(raw) as Line);
    } catch {
      break;
    }
  }
  return lines;
}

function writeDurably(file: string, bytes: Uint8Array): void {
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDirectory(directory: string): void {
  const fd = fs.openSync(directory, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

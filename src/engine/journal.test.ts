import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRoot } from '../../test/helpers/make-root.js';
import { REPO } from '../../test/helpers/run-cli.js';
import { createContext } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { EFI_GLOBAL_VARIABLE_GUID, LinuxEfivarfsStore } from '../efi/index.js';
import { Journal, type JournalTargets, listUnfinishedJournals, recoverJournals } from './journal.js';
import { acquireLock } from './lock.js';

const FWUPDATE = '0abba7dc-e516-4167-bbf5-4d9d1c739416';
const ESP = 'boot/efi';

function machine() {
  const root = makeRoot({
    // BootOrder exists (7 = NV|BS|RT), nothing of fwupd's yet
    'sys/firmware/efi/efivars/BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c': Buffer.from('0700000001000000', 'hex'),
    [`${ESP}/EFI/debian/fwupdx64.efi`]: 'old helper',
  });
  const ctx = createContext({ root });
  const espDir = path.join(root, ESP);
  const targets: JournalTargets = {
    variables: new LinuxEfivarfsStore(ctx),
    esp: {
      writeFile: (rel, bytes) => fs.writeFileSync(path.join(espDir, rel), bytes),
      removeFile: (rel) => fs.rmSync(path.join(espDir, rel), { force: true }),
      removeEmptyDir: (rel) => {
        try {
          fs.rmdirSync(path.join(espDir, rel));
        } catch {
          /* not empty or gone: leave it */
        }
      },
    },
  };
  const snapshot = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const dir of ['sys/firmware/efi/efivars', ESP]) {
      for (const file of fs.readdirSync(path.join(root, dir), { recursive: true }) as string[]) {
        const full = path.join(root, dir, file);
        out[`${dir}/${file}`] = fs.statSync(full).isDirectory() ? '<dir>' : fs.readFileSync(full).toString('hex');
      }
    }
    return out;
  };
  return { root, ctx, espDir, targets, snapshot };
}

describe('transaction journal', () => {
  it('records each effect before it is made and rolls all of them back, newest first', () => {
    const { ctx, espDir, targets, snapshot } = machine();
    const before = snapshot();
    const journal = Journal.begin(ctx, { esp: ESP });
    journal.recordEspDir('EFI/debian/fw');
    fs.mkdirSync(path.join(espDir, 'EFI/debian/fw'));
    journal.recordEspFile('EFI/debian/fw/fwupd.cap', null);
    fs.writeFileSync(path.join(espDir, 'EFI/debian/fw/fwupd.cap'), 'capsule');
    journal.recordEspFile('EFI/debian/fwupdx64.efi', fs.readFileSync(path.join(espDir, 'EFI/debian/fwupdx64.efi')));
    fs.writeFileSync(path.join(espDir, 'EFI/debian/fwupdx64.efi'), 'new helper');
    journal.recordVariable(targets.variables, FWUPDATE, 'fwupd-x-0');
    targets.variables.set(FWUPDATE, 'fwupd-x-0', 7, Buffer.from('update info'));
    journal.recordVariable(targets.variables, EFI_GLOBAL_VARIABLE_GUID, 'BootOrder');
    targets.variables.set(EFI_GLOBAL_VARIABLE_GUID, 'BootOrder', 7, Buffer.from('01000200', 'hex'));
    expect(snapshot()).not.toEqual(before);
    expect(listUnfinishedJournals(ctx)).toEqual([journal.id]);

    const undone = journal.rollback(targets);
    expect(undone.map((e) => e.kind)).toEqual(['esp-dir', 'esp-file', 'esp-file', 'efivar', 'efivar']);
    expect(snapshot()).toEqual(before);
    expect(listUnfinishedJournals(ctx)).toEqual([]);
  });

  it('a committed journal is gone and never rolled back', () => {
    const { ctx, targets } = machine();
    const journal = Journal.begin(ctx, {});
    journal.recordVariable(targets.variables, FWUPDATE, 'fwupd-x-0');
    targets.variables.set(FWUPDATE, 'fwupd-x-0', 7, Buffer.from('staged'));
    journal.commit();
    expect(recoverJournals(ctx, () => targets)).toEqual([]);
    expect(targets.variables.get(FWUPDATE, 'fwupd-x-0')).toBeDefined();
  });

  it('ignores a torn last line: that effect had not started', () => {
    const { root, ctx, targets } = machine();
    const journal = Journal.begin(ctx, {});
    journal.recordVariable(targets.variables, FWUPDATE, 'fwupd-x-0');
    targets.variables.set(FWUPDATE, 'fwupd-x-0', 7, Buffer.from('staged'));
    fs.appendFileSync(
      path.join(root, 'var/lib/capstan/journal', journal.id, 'journal.jsonl'),
      '{"type":"effect","effe',
    );
    expect(recoverJournals(ctx, () => targets)).toEqual([journal.id]);
    expect(targets.variables.get(FWUPDATE, 'fwupd-x-0')).toBeUndefined();
  });

  // A real crash: a child process stages through the journal and is SIGKILLed after step N;
  // the next run recovers, and the machine is byte for byte as it was.
  it.each([1, 2, 3, 4, 5, 6])('recovers from a process killed after step %i', (killAfter) => {
    const { root, ctx, targets, snapshot } = machine();
    const before = snapshot();
    const dist = path.join(REPO, 'dist/src');
    const script = `
      import fs from 'node:fs';
      import path from 'node:path';
      const { createContext } = await import(${JSON.stringify(`${dist}/core/context.js`)});
      const { LinuxEfivarfsStore } = await import(${JSON.stringify(`${dist}/efi/index.js`)});
      const { Journal } = await import(${JSON.stringify(`${dist}/engine/journal.js`)});
      const root = ${JSON.stringify(root)};
      const esp = path.join(root, ${JSON.stringify(ESP)});
      const ctx = createContext({ root });
      const store = new LinuxEfivarfsStore(ctx);
      const journal = Journal.begin(ctx, {});
      let step = 0;
      const tick = () => { if (++step === ${killAfter}) process.kill(process.pid, 'SIGKILL'); };
      journal.recordEspDir('EFI/debian/fw'); tick();
      fs.mkdirSync(path.join(esp, 'EFI/debian/fw')); tick();
      journal.recordEspFile('EFI/debian/fw/fwupd.cap', null); tick();
      fs.writeFileSync(path.join(esp, 'EFI/debian/fw/fwupd.cap'), 'capsule'); tick();
      journal.recordVariable(store, '${FWUPDATE}', 'fwupd-x-0'); tick();
      store.set('${FWUPDATE}', 'fwupd-x-0', 7, Buffer.from('update info')); tick();
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    expect(recoverJournals(ctx, () => targets)).toHaveLength(1);
    expect(snapshot()).toEqual(before);
  });
});

describe('lock', () => {
  it('lets one run change a machine; a second gets busy while the owner lives', () => {
    const { ctx } = machine();
    const lock = acquireLock(ctx, () => true);
    let error: unknown;
    try {
      // same pid here, so pretend the file belongs to another live process
      fs.writeFileSync(ctx.paths.resolve('/run/capstan/capstan.lock'), '999999\n');
      acquireLock(ctx, () => true);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CapstanError);
    expect(error).toMatchObject({ code: 'busy', exitStatus: 10, details: { pid: 999999 } });
    lock.release();
  });

  it('takes over a lock whose owner is gone', () => {
    const { ctx } = machine();
    fs.mkdirSync(ctx.paths.resolve('/run/capstan'), { recursive: true });
    fs.writeFileSync(ctx.paths.resolve('/run/capstan/capstan.lock'), '999999\n');
    const lock = acquireLock(ctx, () => false);
    expect(fs.readFileSync(ctx.paths.resolve('/run/capstan/capstan.lock'), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    expect(fs.existsSync(ctx.paths.resolve('/run/capstan/capstan.lock'))).toBe(false);
  });
});

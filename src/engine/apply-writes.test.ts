import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeEspMachine, virtioMachine } from '../../test/catalogs/esp/build-machine.js';
import { createContext } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { EFI_GLOBAL_VARIABLE_GUID, type EfiVarStore, LinuxEfivarfsStore } from '../efi/index.js';
import { locateEsp } from '../esp/index.js';
import type { PlannedWrite } from '../plugin-api.js';
import { applyWrites } from './apply-writes.js';
import { listUnfinishedJournals } from './journal.js';

const FWUPDATE = '0abba7dc-e516-4167-bbf5-4d9d1c739416';

function machine() {
  const root = makeEspMachine(virtioMachine(), {
    'sys/firmware/efi/efivars/BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c': Buffer.from('0700000001000000', 'hex'),
    'sys/firmware/efi/efivars/FWUPDATE_VERBOSE-0abba7dc-e516-4167-bbf5-4d9d1c739416': Buffer.from('0700000001', 'hex'),
    'boot/efi/EFI/debian/fwupdx64.efi': 'old helper',
    'usr/libexec/fwupd/efi/fwupdx64.efi.signed': 'new helper',
  });
  const ctx = createContext({ root });
  const esp = locateEsp(ctx);
  const snapshot = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const dir of ['sys/firmware/efi/efivars', 'boot/efi']) {
      for (const file of fs.readdirSync(path.join(root, dir), { recursive: true }) as string[]) {
        const full = path.join(root, dir, file);
        out[`${dir}/${file}`] = fs.statSync(full).isDirectory() ? '<dir>' : fs.readFileSync(full).toString('hex');
      }
    }
    return out;
  };
  return { root, ctx, esp, snapshot };
}

const header = new Uint8Array(4096).fill(1);
const payload = new Uint8Array(8192).fill(2);
const WRITES: PlannedWrite[] = [
  { kind: 'esp-mkdir', path: 'EFI/debian/fw', reason: 'capsule directory' },
  {
    kind: 'esp-file',
    path: 'EFI/debian/fw/fwupd-c0f11a4b-2d3e-4f50-8a1b-2c3d4e5f6a7b.cap',
    content: { kind: 'capsule', header, payload: { kind: 'bytes', bytes: payload }, size: 4096 + 8192 },
    reason: 'the capsule',
  },
  { kind: 'efivar-delete', guid: FWUPDATE, name: 'FWUPDATE_VERBOSE', reason: 'stale debug switch' },
  {
    kind: 'efivar',
    guid: FWUPDATE,
    name: 'fwupd-c0f11a4b-2d3e-4f50-8a1b-2c3d4e5f6a7b-0',
    attributes: 7,
    data: new Uint8Array(70).fill(3),
    reason: 'update info',
  },
  {
    kind: 'esp-file',
    path: 'EFI/debian/fwupdx64.efi',
    content: { kind: 'copy', systemPath: '/usr/libexec/fwupd/efi/fwupdx64.efi.signed', sha256: '', size: 10 },
    reason: 'the helper',
  },
  {
    kind: 'efivar',
    guid: EFI_GLOBAL_VARIABLE_GUID,
    name: 'BootNext',
    attributes: 7,
    data: Uint8Array.from([2, 0]),
    reason: 'BootNext',
  },
];

/** A store that fails its n-th write (set or delete), as ENOSPC in NVRAM would. */
function failingStore(inner: EfiVarStore, failAt: number): EfiVarStore {
  let calls = 0;
  const fail = (): void => {
    if (++calls === failAt) throw new CapstanError('io-error', 'writing a variable: ENOSPC', { hint: 'NVRAM is full' });
  };
  return {
    get: (guid, name) => inner.get(guid, name),
    names: (guid) => inner.names(guid),
    supported: () => inner.supported(),
    set: (guid, name, attributes, data) => {
      fail();
      inner.set(guid, name, attributes, data);
    },
    delete: (guid, name) => {
      fail();
      inner.delete(guid, name);
    },
  };
}

describe('applying a write set', () => {
  it('writes every file and variable, journaled, until the caller commits', async () => {
    const { ctx, esp, root } = machine();
    const variables = new LinuxEfivarfsStore(ctx);
    const journal = await applyWrites(ctx, WRITES, esp, variables, { method: 'uefi-capsule' });
    const cap = fs.readFileSync(
      path.join(root, 'boot/efi/EFI/debian/fw/fwupd-c0f11a4b-2d3e-4f50-8a1b-2c3d4e5f6a7b.cap'),
    );
    expect(cap.length).toBe(12288);
    expect(cap.subarray(4096).every((b) => b === 2)).toBe(true);
    expect(fs.readFileSync(path.join(root, 'boot/efi/EFI/debian/fwupdx64.efi'), 'utf8')).toBe('new helper');
    expect(variables.get(EFI_GLOBAL_VARIABLE_GUID, 'BootNext')?.data).toEqual(Uint8Array.from([2, 0]));
    expect(variables.get(FWUPDATE, 'FWUPDATE_VERBOSE')).toBeUndefined();
    expect(listUnfinishedJournals(ctx)).toEqual([journal.id]);
    journal.commit();
    expect(listUnfinishedJournals(ctx)).toEqual([]);
  });

  it.each([1, 2, 3])('leaves the machine exactly as it was when variable write %i fails', async (failAt) => {
    const { ctx, esp, snapshot } = machine();
    const before = snapshot();
    const variables = failingStore(new LinuxEfivarfsStore(ctx), failAt);
    const error = await applyWrites(ctx, WRITES, esp, variables, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CapstanError);
    expect((error as CapstanError).message).toMatch(
      /^staging: writing a variable: ENOSPC; everything written was rolled back$/,
    );
    expect(snapshot()).toEqual(before);
    expect(listUnfinishedJournals(ctx)).toEqual([]);
  });

  it('refuses a capsule whose payload is not the size that was planned, and rolls back', async () => {
    const { ctx, esp, snapshot } = machine();
    const before = snapshot();
    const wrong = WRITES.map((w) =>
      w.kind === 'esp-file' && w.content.kind === 'capsule' ? { ...w, content: { ...w.content, size: 1 } } : w,
    );
    const error = await applyWrites(ctx, wrong, esp, new LinuxEfivarfsStore(ctx), {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'capsule-invalid' });
    expect(snapshot()).toEqual(before);
  });
});

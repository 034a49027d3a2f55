import { describe, expect, it } from 'vitest';
import { fromHex } from '../../test/catalogs/efi/reference-bytes.js';
import { writeBootNext } from './boot-vars.js';
import { EFI_GLOBAL_VARIABLE_GUID, FWUPDATE_GUID } from './guid.js';
import { describeEfiVarWrite, type EfiVarStore, MemoryEfiVarStore, snapshotEfiVarStore } from './store.js';

const G = EFI_GLOBAL_VARIABLE_GUID;
const F = FWUPDATE_GUID;

describe('MemoryEfiVarStore', () => {
  it('records every effective write, printable for --dry-run', () => {
    const store = new MemoryEfiVarStore([{ guid: G, name: 'BootNext', attributes: 7, data: fromHex('01 00') }]);
    writeBootNext(store, 2);
    store.delete(G, 'BootNext');
    store.delete(G, 'BootNext');
    store.set(F, 'FWUPDATE_VERBOSE', 7, fromHex('01'));
    expect(store.writes).toEqual([
      { op: 'set', guid: G, name: 'BootNext', attributes: 7, data: fromHex('02 00') },
      { op: 'delete', guid: G, name: 'BootNext' },
      { op: 'set', guid: F, name: 'FWUPDATE_VERBOSE', attributes: 7, data: fromHex('01') },
    ]);
    expect(store.writes.map(describeEfiVarWrite)).toEqual([
      `set BootNext-${G} attributes 0x7, 2 bytes`,
      `delete BootNext-${G}`,
      `set FWUPDATE_VERBOSE-${F} attributes 0x7, 1 bytes`,
    ]);
  });

  it('starts from a snapshot of another store without recording it, and keeps copies', () => {
    const seed = [{ guid: G, name: 'BootNext', attributes: 7, data: fromHex('01 00') }];
    const first = new MemoryEfiVarStore(seed);
    seed[0]?.data.fill(9);
    const second = new MemoryEfiVarStore(first);
    expect(second.get(G, 'BootNext')?.data).toEqual(fromHex('01 00'));
    expect(second.writes).toEqual([]);
    writeBootNext(second, 5);
    expect(first.get(G, 'BootNext')?.data).toEqual(fromHex('01 00'));
    expect(second.snapshot()).toEqual([{ guid: G, name: 'BootNext', attributes: 7, data: fromHex('05 00') }]);
    expect(() => new MemoryEfiVarStore([{ guid: 'X', name: 'a', attributes: 7, data: fromHex('00') }])).toThrow(
      TypeError,
    );
  });

  it('can say it is unsupported', () => {
    expect(new MemoryEfiVarStore([], { supported: false }).supported()).toBe(false);
  });
});

describe('snapshotEfiVarStore', () => {
  it('copies chosen GUIDs and lists variables that cannot be read', () => {
    const source = new MemoryEfiVarStore([
      { guid: G, name: 'BootNext', attributes: 7, data: fromHex('01 00') },
      { guid: G, name: 'Locked', attributes: 7, data: fromHex('01') },
      { guid: F, name: 'FWUPDATE_VERBOSE', attributes: 7, data: fromHex('01') },
    ]);
    const flaky: EfiVarStore = {
      ...source,
      names: (guid) => source.names(guid),
      supported: () => true,
      set: () => {},
      delete: () => {},
      get: (guid, name) => {
        if (name === 'Locked') throw new Error('EIO');
        return source.get(guid, name);
      },
    };
    const snapshot = snapshotEfiVarStore(flaky, [G]);
    expect(snapshot.records.map((r) => r.name)).toEqual(['BootNext']);
    expect(snapshot.unreadable).toEqual([{ guid: G, name: 'Locked' }]);
    expect(snapshotEfiVarStore(flaky).records).toHaveLength(2);
  });
});

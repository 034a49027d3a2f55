import { describe, expect, it } from 'vitest';
import { FWUPD_ENTRY } from '../../test/catalogs/efi/objects.js';
import {
  ATTRIBUTES_0X7,
  BOOT_ENTRY_152,
  BOOT_NEXT_0002_FILE,
  fromHex,
  OS_INDICATIONS_0X4_FILE,
} from '../../test/catalogs/efi/reference-bytes.js';
import {
  clearOsIndicationsBits,
  deleteBootNext,
  findFwupdBootEntry,
  findLowestUnusedBootIndex,
  formatBootNext,
  formatBootOrder,
  formatOsIndications,
  listBootEntries,
  OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED,
  parseBootNext,
  parseBootOrder,
  parseOsIndications,
  readBootEntry,
  readBootEntryBytes,
  readBootNext,
  readBootOrder,
  readOsIndications,
  readOsIndicationsSupported,
  setOsIndicationsBits,
  writeBootEntry,
  writeBootNext,
  writeBootOrder,
} from './boot-vars.js';
import { EFI_GLOBAL_VARIABLE_GUID } from './guid.js';
import { FWUPD_LEGACY_BOOT_DESCRIPTION, formatLoadOption } from './load-option.js';
import { type EfiVarStore, MemoryEfiVarStore } from './store.js';

const G = EFI_GLOBAL_VARIABLE_GUID;

/** What the variable's efivarfs file would hold: attributes + data. */
function fileOf(store: EfiVarStore, name: string): Uint8Array | undefined {
  const variable = store.get(G, name);
  if (variable === undefined) return undefined;
  const out = new Uint8Array(4 + variable.data.length);
  new DataView(out.buffer).setUint32(0, variable.attributes, true);
  out.set(variable.data, 4);
  return out;
}

describe('BootNext', () => {
  it('is a u16: Boot0002 → 07 00 00 00 02 00 on efivarfs', () => {
    const store = new MemoryEfiVarStore();
    writeBootNext(store, 2);
    expect(fileOf(store, 'BootNext')).toEqual(BOOT_NEXT_0002_FILE);
    expect(readBootNext(store)).toEqual({ ok: true, index: 2 });
    deleteBootNext(store);
    expect(readBootNext(store)).toBeUndefined();
  });

  it('must be exactly 2 bytes', () => {
    expect(parseBootNext(fromHex('02 00 00'))).toMatchObject({ ok: false, reason: expect.stringContaining('got 3') });
    expect(parseBootNext(fromHex('02'))).toMatchObject({ ok: false });
    expect(formatBootNext(0xffff)).toEqual(fromHex('ff ff'));
    expect(() => formatBootNext(0x10000)).toThrow(TypeError);
  });

  it('a malformed stored value is reported, not thrown', () => {
    const store = new MemoryEfiVarStore([{ guid: G, name: 'BootNext', attributes: 7, data: fromHex('01 00 00 00') }]);
    expect(readBootNext(store)).toMatchObject({ ok: false });
  });
});

describe('BootOrder', () => {
  it('is a u16 list of even length', () => {
    expect(formatBootOrder([1, 0x1f, 0xabcd])).toEqual(fromHex('01 00 1f 00 cd ab'));
    expect(parseBootOrder(fromHex('01 00 1f 00 cd ab'))).toEqual({ ok: true, order: [1, 0x1f, 0xabcd] });
    expect(parseBootOrder(new Uint8Array())).toEqual({ ok: true, order: [] });
    expect(parseBootOrder(fromHex('01 00 02'))).toMatchObject({ ok: false, reason: expect.stringContaining('odd') });
    expect(() => formatBootOrder([1, -1])).toThrow(TypeError);
  });

  it('round-trips through a store', () => {
    const store = new MemoryEfiVarStore();
    expect(readBootOrder(store)).toBeUndefined();
    writeBootOrder(store, [3, 1, 2]);
    expect(readBootOrder(store)).toEqual({ ok: true, order: [3, 1, 2] });
    expect(store.get(G, 'BootOrder')?.attributes).toBe(7);
  });
});

describe('OsIndications', () => {
  it('is a u64: 0x4 → 07 00 00 00 04 00 00 00 00 00 00 00 on efivarfs', () => {
    const store = new MemoryEfiVarStore();
    expect(setOsIndicationsBits(store, OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED)).toEqual({
      ok: true,
      written: true,
      previous: undefined,
      value: 4n,
    });
    expect(fileOf(store, 'OsIndications')).toEqual(OS_INDICATIONS_0X4_FILE);
  });

  it('writes only when the value changes and keeps other bits', () => {
    const store = new MemoryEfiVarStore([
      { guid: G, name: 'OsIndications', attributes: 7, data: formatOsIndications(0x1n) },
    ]);
    expect(setOsIndicationsBits(store, 4n)).toMatchObject({ written: true, previous: 1n, value: 5n });
    expect(setOsIndicationsBits(store, 4n)).toMatchObject({ written: false, value: 5n });
    expect(store.writes).toHaveLength(1);
    expect(clearOsIndicationsBits(store, 4n)).toMatchObject({ written: true, value: 1n });
    expect(clearOsIndicationsBits(store, 4n)).toMatchObject({ written: false });
    expect(clearOsIndicationsBits(new MemoryEfiVarStore(), 4n)).toMatchObject({ written: false, previous: undefined });
    expect(readOsIndications(store)).toEqual({ ok: true, value: 1n });
  });

  it('leaves a malformed value alone', () => {
    const store = new MemoryEfiVarStore([
      { guid: G, name: 'OsIndications', attributes: 7, data: fromHex('04 00 00 00') },
    ]);
    expect(setOsIndicationsBits(store, 4n)).toMatchObject({ ok: false, reason: expect.stringContaining('8 bytes') });
    expect(store.writes).toEqual([]);
  });

  it('reads OsIndicationsSupported and checks lengths', () => {
    const store = new MemoryEfiVarStore([
      { guid: G, name: 'OsIndicationsSupported', attributes: 6, data: formatOsIndications(0x5dn) },
    ]);
    expect(readOsIndicationsSupported(store)).toEqual({ ok: true, value: 0x5dn });
    expect(parseOsIndications(new Uint8Array(9))).toMatchObject({ ok: false });
    expect(() => formatOsIndications(-1n)).toThrow(TypeError);
    expect(() => formatOsIndications(1n << 64n)).toThrow(TypeError);
  });
});

describe('Boot#### on a store', () => {
  const other = { ...FWUPD_ENTRY, description: 'debian' };

  it('writes the 152-byte entry, reads it back and lists entries by index', () => {
    const store = new MemoryEfiVarStore([
      { guid: G, name: 'BootOrder', attributes: 7, data: formatBootOrder([0, 1]) },
      { guid: G, name: 'Boot0000', attributes: 7, data: formatLoadOption(other) },
      { guid: G, name: 'Boot0001', attributes: 7, data: fromHex('01 00 00 00 ff ff 00 00') },
      { guid: G, name: 'BootCurrent', attributes: 6, data: fromHex('00 00') },
    ]);
    writeBootEntry(store, 2, FWUPD_ENTRY);
    expect(readBootEntryBytes(store, 2)).toEqual(BOOT_ENTRY_152);
    expect(fileOf(store, 'Boot0002')?.subarray(0, 4)).toEqual(ATTRIBUTES_0X7);
    expect(readBootEntry(store, 2)).toEqual({ ok: true, option: FWUPD_ENTRY });
    expect(readBootEntry(store, 9)).toBeUndefined();
    const entries = listBootEntries(store);
    expect(entries.map((e) => [e.name, e.result.ok])).toEqual([
      ['Boot0000', true],
      ['Boot0001', false],
      ['Boot0002', true],
    ]);
    expect(findFwupdBootEntry(entries)?.index).toBe(2);
  });

  it('finds the legacy description too, lowest index first', () => {
    const store = new MemoryEfiVarStore();
    writeBootEntry(store, 7, FWUPD_ENTRY);
    writeBootEntry(store, 4, { ...FWUPD_ENTRY, description: FWUPD_LEGACY_BOOT_DESCRIPTION });
    expect(findFwupdBootEntry(listBootEntries(store))?.index).toBe(4);
    expect(findFwupdBootEntry([])).toBeUndefined();
  });

  it('picks the lowest unused index as fwupd does, optionally avoiding more', () => {
    const store = new MemoryEfiVarStore();
    expect(findLowestUnusedBootIndex(store)).toBe(0);
    writeBootEntry(store, 0, other);
    writeBootEntry(store, 1, other);
    writeBootEntry(store, 3, other);
    expect(findLowestUnusedBootIndex(store)).toBe(2);
    expect(findLowestUnusedBootIndex(store, [2, 4])).toBe(5);
    // fwupd's scanf counts lower-case hex as used too.
    const lower = new MemoryEfiVarStore([{ guid: G, name: 'Boot000a', attributes: 7, data: fromHex('00') }]);
    expect(
      findLowestUnusedBootIndex(
        lower,
        Array.from({ length: 10 }, (_, i) => i),
      ),
    ).toBe(11);
    expect(
      findLowestUnusedBootIndex(
        store,
        Array.from({ length: 0xffff }, (_, i) => i),
      ),
    ).toBeUndefined();
  });
});

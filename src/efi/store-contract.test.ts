/**
 * One contract, every EfiVarStore: the in-memory store and LinuxEfivarfsStore on a temporary root
 * must give the same answers.
 */
import { describe, expect, it } from 'vitest';
import { FWUPD_ENTRY } from '../../test/catalogs/efi/objects.js';
import { FW_CLASS, fromHex } from '../../test/catalogs/efi/reference-bytes.js';
import { makeRoot } from '../../test/helpers/make-root.js';
import { createContext } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { EFI_GLOBAL_VARIABLE_GUID, FWUPDATE_GUID, LINUX_EFI_RANDOM_SEED_GUID } from './guid.js';
import { LinuxEfivarfsStore } from './linux-efivarfs.js';
import { formatLoadOption } from './load-option.js';
import { type EfiVarStore, MemoryEfiVarStore } from './store.js';
import { updateInfoVariableName } from './structs/update-info.js';

const G = EFI_GLOBAL_VARIABLE_GUID;
const F = FWUPDATE_GUID;
const UPDATE = updateInfoVariableName(FW_CLASS);

const implementations: Array<[string, () => EfiVarStore]> = [
  ['MemoryEfiVarStore', () => new MemoryEfiVarStore()],
  [
    'LinuxEfivarfsStore',
    () => new LinuxEfivarfsStore(createContext({ root: makeRoot({ 'sys/firmware/efi/efivars': null }) })),
  ],
];

function expectCapstanError(run: () => unknown, code: string): CapstanError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CapstanError);
    expect((error as CapstanError).code).toBe(code);
    return error as CapstanError;
  }
  throw new Error('expected a CapstanError');
}

describe.each(implementations)('EfiVarStore contract: %s', (_, make) => {
  it('is supported and starts without the variables the tests use', () => {
    const store = make();
    expect(store.supported()).toBe(true);
    expect(store.get(G, 'BootNext')).toBeUndefined();
    expect(store.names(F)).toEqual([]);
  });

  it('round-trips attributes and data, and hands out copies', () => {
    const store = make();
    const data = fromHex('de ad be ef 01');
    store.set(F, UPDATE, 0x7, data);
    data[0] = 0;
    const got = store.get(F, UPDATE);
    expect(got).toEqual({ attributes: 7, data: fromHex('de ad be ef 01') });
    if (got !== undefined) got.data[0] = 0;
    expect(store.get(F, UPDATE)?.data[0]).toBe(0xde);
  });

  it('replaces the whole value: a shorter rewrite leaves no stale tail', () => {
    const store = make();
    store.set(F, UPDATE, 0x7, new Uint8Array(300).fill(0xaa));
    store.set(F, UPDATE, 0x6, fromHex('01 02'));
    expect(store.get(F, UPDATE)).toEqual({ attributes: 6, data: fromHex('01 02') });
  });

  it('appends with EFI_VARIABLE_APPEND_WRITE and keeps the stored attributes', () => {
    const store = make();
    store.set(F, 'FWUPDATE_DEBUG_LOG', 0x47, fromHex('41 00'));
    expect(store.get(F, 'FWUPDATE_DEBUG_LOG')).toEqual({ attributes: 7, data: fromHex('41 00') });
    store.set(F, 'FWUPDATE_DEBUG_LOG', 0x47, fromHex('42 00'));
    expect(store.get(F, 'FWUPDATE_DEBUG_LOG')).toEqual({ attributes: 7, data: fromHex('41 00 42 00') });
  });

  it('deletes, and deleting a missing variable is a no-op', () => {
    const store = make();
    store.set(G, 'BootNext', 7, fromHex('02 00'));
    store.delete(G, 'BootNext');
    expect(store.get(G, 'BootNext')).toBeUndefined();
    store.delete(G, 'BootNext');
    store.delete(F, 'never-there');
  });

  it('lists names per GUID, sorted, with dashes inside names intact', () => {
    const store = make();
    store.set(F, UPDATE, 7, new Uint8Array(1));
    store.set(F, 'FWUPDATE_VERBOSE', 7, fromHex('01'));
    store.set(G, 'BootNext', 7, fromHex('00 00'));
    store.set(G, 'Boot0002', 7, formatLoadOption(FWUPD_ENTRY));
    expect(store.names(F)).toEqual([
      { guid: F, name: 'FWUPDATE_VERBOSE' },
      { guid: F, name: UPDATE },
    ]);
    expect(store.names(G).map((n) => n.name)).toEqual(['Boot0002', 'BootNext']);
    expect(store.names()).toEqual([...store.names(F), ...store.names(G)]);
    expect(store.names('11111111-2222-3333-4444-555555555555')).toEqual([]);
  });

  it('refuses bad arguments with TypeError before touching anything', () => {
    const store = make();
    expect(() => store.set(G.toUpperCase(), 'X', 7, fromHex('00'))).toThrow(TypeError);
    expect(() => store.set(G, '', 7, fromHex('00'))).toThrow(TypeError);
    expect(() => store.set(G, 'a/b', 7, fromHex('00'))).toThrow(TypeError);
    expect(() => store.set(G, 'a\u0000b', 7, fromHex('00'))).toThrow(TypeError);
    expect(() => store.set(F, 'X', 7, new Uint8Array())).toThrow(TypeError);
    expect(() => store.set(F, 'X', -1, fromHex('00'))).toThrow(TypeError);
    expect(() => store.get('nope', 'X')).toThrow(TypeError);
    expect(() => store.delete(G, '')).toThrow(TypeError);
    expect(() => store.names('NOPE')).toThrow(TypeError);
    expect(store.names()).toEqual([]);
  });

  it("applies the kernel's validation before writing (io-error, nothing written)", () => {
    const store = make();
    const bootNext = expectCapstanError(() => store.set(G, 'BootNext', 7, fromHex('02 00 00')), 'io-error');
    expect(bootNext.message).toContain('BootNext');
    expect(bootNext.hint).toMatch(/bug in capstan/);
    expectCapstanError(() => store.set(G, 'BootOrder', 7, fromHex('01 00 02')), 'io-error');
    expectCapstanError(() => store.set(G, 'Boot0003', 7, formatLoadOption(FWUPD_ENTRY).subarray(0, 100)), 'io-error');
    expectCapstanError(() => store.set(G, 'Timeout', 7, fromHex('05')), 'io-error');
    expectCapstanError(() => store.set(F, 'X', 0x80, fromHex('00')), 'io-error');
    expectCapstanError(() => store.set(LINUX_EFI_RANDOM_SEED_GUID, 'X', 7, fromHex('00')), 'io-error');
    expect(store.names()).toEqual([]);
    // Not load options, so not validated as such.
    store.set(G, 'BootCurrent', 6, fromHex('01 00 00'));
    store.set(G, 'OsIndications', 7, fromHex('04'));
  });
});

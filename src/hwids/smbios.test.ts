import { describe, expect, it } from 'vitest';
import {
  biosStructure,
  buildStructure,
  buildTable,
  concat,
  ENTRY_POINT_FILE,
  endOfTableStructure,
  entryPoint32,
  entryPoint64,
  smbiosTree,
  systemStructure,
  TABLE_FILE,
} from '../../test/catalogs/smbios/build-smbios.js';
import { lenovoT440s } from '../../test/catalogs/smbios/machines.js';
import { makeRoot } from '../../test/helpers/make-root.js';
import { createContext } from '../core/context.js';
import { computeHardwareIds } from './chid.js';
import { findStructure, parseSmbios, readSmbios, structureByte, structureString } from './smbios.js';

const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);
const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

const SYSTEM = systemStructure({ manufacturer: 'Acme', productName: 'Anvil', family: 'Tools' });
const BIOS = biosStructure({ vendor: 'Acme BIOS', version: '1.0', major: 1, minor: 0 });

describe('parseSmbios: well-formed tables', () => {
  it('walks types 0, 1, 2, 3 and 127 behind a 2.x entry point', () => {
    const { entryPoint, table } = lenovoT440s();
    const result = parseSmbios(entryPoint, table);
    expect(result.problems).toEqual([]);
    expect(result.entryPoint).toEqual({ anchor: '_SM_', major: 2, minor: 8, tableLength: table.length });
    expect(result.structures.map((s) => [s.type, s.handle, s.formatted.length])).toEqual([
      [0, 0x0000, 0x1a],
      [1, 0x0001, 0x1b],
      [2, 0x0002, 0x0f],
      [3, 0x0003, 0x15],
      [127, 0xfeff, 4],
    ]);
    const system = findStructure(result.structures, 1);
    const at = system?.offset ?? -1;
    expect([table[at], table[at + 1]]).toEqual([1, 0x1b]);
    expect(system?.strings.map(text)).toEqual([
      'LENOVO',
      '20ARS19C0C',
      'ThinkPad T440s',
      'PB00000',
      'LENOVO_MT_20AR_BU_Think_FM_ThinkPad T440s',
      'ThinkPad T440s',
    ]);
    expect(system && text(structureString(system, 0x1a))).toBe('ThinkPad T440s');
    expect(system && structureByte(system, 0x18)).toBe(0x06);
  });

  it('reads a 3.x entry point (table length is a maximum)', () => {
    const table = buildTable({ system: { manufacturer: 'Acme' } });
    const result = parseSmbios(entryPoint64(table.length + 4096, { minor: 7 }), table);
    expect(result.problems).toEqual([]);
    expect(result.entryPoint).toEqual({ anchor: '_SM3_', major: 3, minor: 7, tableLength: table.length + 4096 });
    expect(result.structures.map((s) => s.type)).toEqual([1, 127]);
  });

  it('takes a table on its own without an entry point', () => {
    const result = parseSmbios(undefined, concat([SYSTEM, endOfTableStructure()]));
    expect(result.entryPoint).toBeUndefined();
    expect(result.problems).toEqual([]);
    expect(result.structures).toHaveLength(2);
  });

  it('records an empty string-set as one empty string, as fwupd does', () => {
    const result = parseSmbios(undefined, concat([SYSTEM, endOfTableStructure()]));
    const end = result.structures[1];
    expect(end?.strings.map(text)).toEqual(['']);
  });
});

describe('parseSmbios: malformed tables never throw', () => {
  it('a table cut at every possible length keeps the whole structures before the cut', () => {
    const { table } = lenovoT440s();
    const whole = parseSmbios(undefined, table).structures;
    for (let cut = 0; cut < table.length; cut++) {
      const result = parseSmbios(undefined, table.subarray(0, cut));
      expect(result.problems.length, `cut at ${cut}`).toBeGreaterThan(0);
      for (const s of result.structures) {
        const same = whole.find((w) => w.offset === s.offset);
        expect(s.formatted, `cut at ${cut}`).toEqual(same?.formatted);
        expect(s.offset + s.formatted.length).toBeLessThan(cut);
      }
    }
  });

  it('a structure running past the end stops the walk', () => {
    const table = concat([SYSTEM, bytes(2, 0x0f, 0x02, 0x00, 1, 2, 3)]);
    const result = parseSmbios(undefined, table);
    expect(result.structures.map((s) => s.type)).toEqual([1]);
    expect(result.problems).toContain(
      `structure at 0x${SYSTEM.length.toString(16)} (type 2): length 15 runs past the end of the table; walk stopped`,
    );
  });

  it('a header cut short stops the walk', () => {
    const result = parseSmbios(undefined, concat([SYSTEM, bytes(2, 0x0f)]));
    expect(result.structures.map((s) => s.type)).toEqual([1]);
    expect(result.problems[0]).toMatch(/only 2 bytes left for a 4-byte header; walk stopped$/);
  });

  it('a string number beyond the string-set reads as no string', () => {
    const system = systemStructure({ manufacturer: 'Acme', productName: { index: 7 }, family: { index: 255 } });
    const result = parseSmbios(undefined, concat([system, endOfTableStructure()]));
    expect(result.problems).toEqual([]);
    const s = findStructure(result.structures, 1);
    expect(s && text(structureString(s, 0x04))).toBe('Acme');
    expect(s && structureString(s, 0x05)).toBeUndefined();
    expect(s && structureString(s, 0x1a)).toBeUndefined();
    expect(s && structureString(s, 0x40)).toBeUndefined();
    expect(computeHardwareIds(result).keys).toEqual({ Manufacturer: 'Acme' });
  });

  it('a structure length below 4 stops the walk and keeps what came before', () => {
    for (const length of [0, 1, 2, 3]) {
      const table = concat([BIOS, SYSTEM, bytes(3, length, 0x03, 0x00, 0, 0), endOfTableStructure()]);
      const result = parseSmbios(undefined, table);
      expect(result.structures.map((s) => s.type)).toEqual([0, 1]);
      expect(result.problems[0]).toBe(
        `structure at 0x${(BIOS.length + SYSTEM.length).toString(16)}: length ${length} is smaller than its header; walk stopped`,
      );
    }
  });

  it('a missing double-NUL terminator keeps the structure and reports it', () => {
    const noFinalNul = systemStructure({ manufacturer: 'Acme', productName: 'Anvil' }).subarray(0, -1);
    const result = parseSmbios(undefined, concat([BIOS, noFinalNul]));
    expect(result.structures.map((s) => s.type)).toEqual([0, 1]);
    expect(result.structures[1]?.strings.map(text)).toEqual(['Acme', 'Anvil']);
    expect(result.problems).toContain(
      `structure at 0x${BIOS.length.toString(16)} (type 1): string-set has no double-NUL terminator`,
    );

    const noNulAtAll = systemStructure({ manufacturer: 'Acme', productName: 'Anvil' }).subarray(0, -2);
    const cut = parseSmbios(undefined, noNulAtAll);
    expect(cut.structures[0]?.strings.map(text)).toEqual(['Acme', 'Anvil']);
    expect(cut.problems).toContain('structure at 0x0 (type 1): string 2 has no NUL');
  });

  it('a table with only the end-of-table structure has nothing to offer', () => {
    const result = parseSmbios(entryPoint64(6), endOfTableStructure());
    expect(result.structures.map((s) => s.type)).toEqual([127]);
    expect(result.problems).toEqual(['no type 1 (System Information) structure']);
    expect(computeHardwareIds(result).ids).toEqual([]);
  });

  it('an empty table', () => {
    expect(parseSmbios(entryPoint64(0), new Uint8Array(0))).toEqual({
      entryPoint: { anchor: '_SM3_', major: 3, minor: 3, tableLength: 0 },
      structures: [],
      problems: ['structure table is empty', 'no type 1 (System Information) structure'],
    });
  });

  it('keeps walking past the end-of-table structure, as fwupd does, and says so', () => {
    const result = parseSmbios(undefined, concat([BIOS, endOfTableStructure(), SYSTEM]));
    expect(result.structures.map((s) => s.type)).toEqual([0, 127, 1]);
    expect(result.problems[0]).toMatch(/\(type 1\) follows the end-of-table structure$/);
  });

  it('random bytes: never throws, every structure lies inside the table', () => {
    let state = 0x2545f491;
    const next = (limit: number): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % limit;
    };
    const { table } = lenovoT440s();
    for (let round = 0; round < 3000; round++) {
      let sample: Uint8Array;
      if (round % 2 === 0) {
        sample = new Uint8Array(next(200)).map(() => next(256));
      } else {
        sample = table.slice();
        for (let flips = 1 + next(6); flips > 0; flips--) sample[next(sample.length)] = next(256);
      }
      const result = parseSmbios(undefined, sample);
      for (const s of result.structures) {
        expect(s.formatted.length).toBeGreaterThanOrEqual(4);
        expect(s.offset + s.formatted.length).toBeLessThan(sample.length);
      }
      expect(() => computeHardwareIds(result)).not.toThrow();
    }
  });
});

describe('parseSmbios: entry points fwupd refuses leave no structures', () => {
  const { table } = lenovoT440s();
  const ignored = (entryPoint: Uint8Array, reason: string): void => {
    const result = parseSmbios(entryPoint, table);
    expect(result.structures).toEqual([]);
    expect(result.problems).toEqual([`${reason}: fwupd ignores the SMBIOS tables`]);
  };

  it('bad checksums', () => {
    ignored(entryPoint32(table.length, { badChecksum: true }), '_SM_ entry point checksum is invalid');
    ignored(entryPoint64(table.length, { badChecksum: true }), '_SM3_ entry point checksum is invalid');
  });

  it('a 2.x entry point revision other than 0 (fwupd sums the intermediate checksum from byte 10)', () => {
    ignored(
      entryPoint32(table.length, { revision: 1 }),
      '_SM_ entry point intermediate checksum (as fwupd sums it, from byte 10) is invalid',
    );
  });

  it('a wrong intermediate anchor', () => {
    const ep = entryPoint32(table.length);
    ep[0x10] = 0x58; // 'X', and keep the overall checksum right
    ep[0x04] = ((ep[0x04] ?? 0) - (0x58 - 0x5f)) & 0xff;
    ignored(ep, '_SM_ entry point intermediate anchor is "XDMI_"');
  });

  it('short or unknown entry points', () => {
    ignored(bytes(0x5f, 0x53), 'entry point is 2 bytes, too short for an anchor');
    ignored(entryPoint32(table.length).subarray(0, 0x1e), '_SM_ entry point is 30 bytes, needs 31');
    ignored(entryPoint64(table.length).subarray(0, 0x10), '_SM3_ entry point is 16 bytes, needs 24');
    ignored(new TextEncoder().encode('_DMI_ and more'), 'entry point anchor "_DMI" is neither _SM_ nor _SM3_');
  });

  it('a table longer than the entry point allows', () => {
    const result = parseSmbios(entryPoint64(table.length - 1), table);
    expect(result.structures).toEqual([]);
    expect(result.problems).toEqual([
      `structure table is ${table.length} bytes but the entry point allows ${table.length - 1}: fwupd ignores the SMBIOS tables`,
    ]);
  });

  it('but a table shorter than announced is fine', () => {
    expect(parseSmbios(entryPoint32(table.length + 10), table).problems).toEqual([]);
  });
});

describe('readSmbios', () => {
  it('reads the sysfs files under the root', () => {
    const { entryPoint, table } = lenovoT440s();
    const result = readSmbios(createContext({ root: makeRoot(smbiosTree(entryPoint, table)) }));
    expect(result.found).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.structures).toHaveLength(5);
  });

  it('no tables: found is false, nothing thrown', () => {
    const root = makeRoot({ 'sys/firmware/efi': null });
    const result = readSmbios(createContext({ root }));
    expect(result).toEqual({
      found: false,
      structures: [],
      problems: [
        `${root}/sys/firmware/dmi/tables/smbios_entry_point does not exist: no SMBIOS tables`,
        `${root}/sys/firmware/dmi/tables/DMI does not exist: no SMBIOS tables`,
      ],
    });
  });

  it('only one of the two files', () => {
    const { entryPoint, table } = lenovoT440s();
    const a = readSmbios(createContext({ root: makeRoot({ [ENTRY_POINT_FILE]: entryPoint }) }));
    expect(a.found).toBe(false);
    expect(a.problems).toHaveLength(1);
    const b = readSmbios(createContext({ root: makeRoot({ [TABLE_FILE]: table }) }));
    expect(b.found).toBe(false);
    expect(b.problems[0]).toMatch(/smbios_entry_point does not exist/);
  });

  it('an odd structure in the middle does not stop hardware IDs from what came before', () => {
    const odd = buildStructure(0xc8, 0x00c8, 0x06, (w) => w.str(0x04, 'OEM'));
    const table = concat([BIOS, SYSTEM, odd, endOfTableStructure()]);
    const result = readSmbios(createContext({ root: makeRoot(smbiosTree(entryPoint64(table.length), table)) }));
    expect(result.problems).toEqual([]);
    expect(result.structures.map((s) => s.type)).toEqual([0, 1, 0xc8, 127]);
  });
});

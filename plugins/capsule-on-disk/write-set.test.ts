import { describe, expect, it } from 'vitest';
import {
  CapstanError,
  concatBytes,
  EFI_GLOBAL_VARIABLE_GUID,
  formatOsIndications,
  type PlannedWrite,
} from '../../src/plugin-api.js';
import { FW_CLASS, OS_INDICATIONS_0X4_FILE, UPDATE_INFO_226 } from '../../test/catalogs/efi/reference-bytes.js';
import { defineMethodContract } from '../../test/catalogs/staging/method-contract.js';
import { fwupdateRecord, globalRecord, referenceInput } from '../../test/catalogs/staging/reference-input.js';
import { method, planCodWrites } from './index.js';

const COD = { OsIndicationsSupported: globalRecord(formatOsIndications(0x5n), 0x6) };
const codInput = (options: Parameters<typeof referenceInput>[0] = {}) =>
  referenceInput({ ...options, vars: { ...COD, ...options.vars } });

const outline = (writes: readonly PlannedWrite[]): string[] =>
  writes.map((w) => `${w.kind} ${w.kind === 'esp-mkdir' || w.kind === 'esp-file' ? w.path : w.name}`);

defineMethodContract('capsule-on-disk', method, () => codInput());

describe('planCodWrites (§9)', () => {
  it('writes EFI/UpdateCapsule/fwupd-<guid>.cap and OsIndications = 0x4, nothing else', () => {
    const writes = planCodWrites(codInput());
    expect(outline(writes)).toEqual([
      'esp-mkdir EFI/UpdateCapsule',
      `esp-file EFI/UpdateCapsule/fwupd-${FW_CLASS}.cap`,
      'efivar OsIndications',
    ]);
    const os = writes[2];
    if (os?.kind !== 'efivar') throw new Error('expected OsIndications');
    expect(os.guid).toBe(EFI_GLOBAL_VARIABLE_GUID);
    expect(concatBytes(Uint8Array.of(os.attributes, 0, 0, 0), os.data)).toEqual(OS_INDICATIONS_0X4_FILE);
  });

  it('the capsule carries the same 4096-byte header as the NVRAM method', () => {
    const file = planCodWrites(codInput())[1];
    expect(file).toMatchObject({ kind: 'esp-file', content: { kind: 'capsule', size: 4160 } });
    const header = file?.kind === 'esp-file' && file.content.kind === 'capsule' ? file.content.header : null;
    expect(header?.subarray(0, 28)).toEqual(
      concatBytes(UPDATE_INFO_226.subarray(4, 20), Uint8Array.of(0, 0x10, 0, 0, 0, 0, 5, 0, 0x40, 0x10, 0, 0)),
    );
  });

  it('ORs 0x4 into an existing OsIndications, and writes it even when the bit is already set (as fwupd)', () => {
    const set = (value: bigint) =>
      planCodWrites(codInput({ vars: { OsIndications: globalRecord(formatOsIndications(value)) } }));
    expect(set(0x1n).at(-1)).toMatchObject({ name: 'OsIndications', data: formatOsIndications(0x5n) });
    expect(set(0x4n).at(-1)).toMatchObject({ name: 'OsIndications', data: formatOsIndications(0x4n) });
  });

  it('reads only the first 8 bytes of a longer OsIndications (fu_memread_uint64_safe) and writes 8', () => {
    const long = concatBytes(formatOsIndications(0x1n), Uint8Array.of(9, 9));
    expect(planCodWrites(codInput({ vars: { OsIndications: globalRecord(long) } })).at(-1)).toMatchObject({
      data: formatOsIndications(0x5n),
    });
  });

  it('no helper, no update info, no Boot####, no BootNext, and no mkdir when the directory exists', () => {
    const writes = planCodWrites(
      codInput({
        esp: { ...referenceInput().esp, existing: new Set(['EFI', 'efi/updatecapsule']) },
        helpers: { unsigned: undefined, signed: undefined },
        vars: { FWUPDATE_VERBOSE: fwupdateRecord(Uint8Array.of(1)), SecureBoot: globalRecord(Uint8Array.of(1), 0x6) },
      }),
    );
    expect(outline(writes)).toEqual([`esp-file EFI/UpdateCapsule/fwupd-${FW_CLASS}.cap`, 'efivar OsIndications']);
  });

  it('creates EFI too when the ESP is empty', () => {
    const writes = planCodWrites(codInput({ esp: { ...referenceInput().esp, existing: new Set() } }));
    expect(outline(writes).slice(0, 2)).toEqual(['esp-mkdir EFI', 'esp-mkdir EFI/UpdateCapsule']);
  });
});

describe('probeCod: refused before anything is written', () => {
  const cases: [string, Parameters<typeof referenceInput>[0], string, RegExp][] = [
    [
      'OsIndicationsSupported without bit 0x4',
      { vars: { OsIndicationsSupported: globalRecord(formatOsIndications(0x1n), 0x6) } },
      'unsupported-platform',
      /0x1, without bit 0x4/,
    ],
    ['no OsIndicationsSupported', { vars: { OsIndicationsSupported: null } }, 'unsupported-platform', /is missing/],
    [
      'a 4-byte OsIndicationsSupported',
      { vars: { OsIndicationsSupported: globalRecord(Uint8Array.of(5, 0, 0, 0), 0x6) } },
      'unsupported-platform',
      /is 4 bytes/,
    ],
    ['a read-only efivarfs', { efivarsWritable: false, vars: COD }, 'efivars-read-only', /read-only/],
    [
      'a 2-byte OsIndications',
      { vars: { ...COD, OsIndications: globalRecord(Uint8Array.of(1, 0)) } },
      'unsupported-platform',
      /OsIndications is 2 bytes/,
    ],
  ];
  it.each(cases)('%s', (_, options, code, message) => {
    const input = referenceInput(options);
    expect(method.probe(input)).toMatchObject({ supported: false, code, reason: expect.stringMatching(message) });
    expect(() => method.planWrites(input)).toThrow(CapstanError);
    expect(() => method.planWrites(input)).toThrow(message);
  });
});

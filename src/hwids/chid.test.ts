import { describe, expect, it } from 'vitest';
import {
  baseboardStructure,
  biosStructure,
  buildStructure,
  chassisStructure,
  concat,
  endOfTableStructure,
  type SmbiosText,
  systemStructure,
} from '../../test/catalogs/smbios/build-smbios.js';
import { lenovoT440s } from '../../test/catalogs/smbios/machines.js';
import { computeHardwareIds, HARDWARE_ID_DEFINITIONS, HARDWARE_ID_NAMESPACE, hardwareIdGuid, uuidV5 } from './chid.js';
import { parseSmbios } from './smbios.js';

const idsOf = (table: Uint8Array) => computeHardwareIds(parseSmbios(undefined, table));
const manufacturerOf = (manufacturer: SmbiosText): string | undefined =>
  idsOf(concat([systemStructure({ manufacturer }), endOfTableStructure()])).keys.Manufacturer;

describe('uuidV5', () => {
  it('matches the published RFC 4122 example (Python docs: uuid5(NAMESPACE_DNS, "python.org"))', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', new TextEncoder().encode('python.org'))).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('rejects a namespace that is not a UUID', () => {
    expect(() => uuidV5('not-a-uuid', new Uint8Array(1))).toThrow(TypeError);
  });

  it('hashes the UTF-16LE text in the Microsoft namespace', () => {
    expect(HARDWARE_ID_NAMESPACE).toBe('70ffd812-4c7f-4c7d-0000-000000000000');
    expect(hardwareIdGuid('LENOVO')).toBe(uuidV5(HARDWARE_ID_NAMESPACE, Buffer.from('LENOVO', 'utf16le')));
  });
});

/*
 * Published values: fwupd 2.0.20 `libfwupdplugin/fu-self-test.c` (`fu_hwids_func`) asserts these
 * GUIDs for its Lenovo ThinkPad T440s test tables. The synthetic table carries the same values.
 */
const T440S_PUBLISHED: Record<string, string> = {
  'HardwareID-0': '147efce9-f201-5fc8-ab0c-c859751c3440',
  'HardwareID-1': 'b7cceb67-774c-537e-bf8b-22c6107e9a74',
  'HardwareID-2': 'f5ff077f-3eeb-5bae-be1c-e98ffe8ce5f8',
  'HardwareID-3': '3faec92a-3ae3-5744-be88-495e90a7d541',
  'HardwareID-4': '660ccba8-1b78-5a33-80e6-9fb8354ee873',
  'HardwareID-5': '8dc9b7c5-f5d5-5850-9ab3-bd6f0549d814',
  'HardwareID-6': '178cd22d-ad9f-562d-ae0a-34009822cdbe',
  'HardwareID-7': 'da1da9b6-62f5-5f22-8aaa-14db7eeda2a4',
  'HardwareID-8': '059eb22d-6dc7-59af-abd3-94bbe017f67c',
  'HardwareID-9': '0cf8618d-9eff-537c-9f35-46861406eb9c',
  'HardwareID-10': 'f4275c1f-6130-5191-845c-3426247eb6a1',
  'HardwareID-11': 'db73af4c-4612-50f7-b8a7-787cf4871847',
  'HardwareID-12': 'e093d715-70f7-51f4-b6c8-b4a7e31def85',
  'HardwareID-13': 'f8e1de5f-b68c-5f52-9d1a-f1ba52f1f773',
  'HardwareID-14': '6de5d951-d755-576b-bd09-c5cf66b27234',
};

describe('computeHardwareIds', () => {
  it('reproduces the CHIDs published in fwupd self test for a ThinkPad T440s', () => {
    const { entryPoint, table } = lenovoT440s();
    const result = computeHardwareIds(parseSmbios(entryPoint, table));
    expect(result.keys).toEqual({
      Manufacturer: 'LENOVO',
      EnclosureKind: 'a',
      Family: 'ThinkPad T440s',
      ProductName: '20ARS19C0C',
      ProductSku: 'LENOVO_MT_20AR_BU_Think_FM_ThinkPad T440s',
      BiosVendor: 'LENOVO',
      BiosVersion: 'GJET75WW (2.25 )',
      BiosMajorRelease: '02',
      BiosMinorRelease: '19',
      FirmwareMajorRelease: 'ff',
      FirmwareMinorRelease: 'ff',
      BaseboardManufacturer: 'LENOVO',
      BaseboardProduct: '20ARS19C0C',
    });
    const microsoft = Object.fromEntries(
      result.ids.filter((id) => id.name.startsWith('HardwareID-')).map((id) => [id.name, id.guid]),
    );
    expect(microsoft).toEqual(T440S_PUBLISHED);
    expect(result.omitted).toEqual([]);
    expect(result.ids.map((id) => id.name)).toEqual(HARDWARE_ID_DEFINITIONS.map((d) => d.name));
    expect(result.ids.find((id) => id.name === 'HardwareID-12')).toEqual({
      name: 'HardwareID-12',
      guid: 'e093d715-70f7-51f4-b6c8-b4a7e31def85',
      keys: ['Manufacturer', 'EnclosureKind'],
      value: 'LENOVO&a',
    });
    expect(result.ids.find((id) => id.name === 'fwupd-14')?.value).toBe('LENOVO&LENOVO');
  });

  it('accepts a bare structure list', () => {
    const { table } = lenovoT440s();
    const parsed = parseSmbios(undefined, table);
    expect(computeHardwareIds(parsed.structures)).toEqual(computeHardwareIds(parsed));
  });

  it('omits the IDs whose keys are missing, as fwupd does', () => {
    const result = idsOf(
      concat([systemStructure({ manufacturer: 'Acme', productName: 'Anvil' }), endOfTableStructure()]),
    );
    expect(result.ids.map((id) => id.name)).toEqual(['HardwareID-9', 'HardwareID-14']);
    expect(result.omitted.find((o) => o.name === 'HardwareID-0')).toEqual({
      name: 'HardwareID-0',
      reason: 'Family is not available',
    });
  });

  it('an empty value still counts inside a composite ID, but not alone', () => {
    const table = concat([
      systemStructure({ manufacturer: '000' }),
      baseboardStructure({ manufacturer: 'B', product: 'P' }),
      endOfTableStructure(),
    ]);
    const result = idsOf(table);
    expect(result.keys.Manufacturer).toBe('');
    expect(result.ids.map((id) => [id.name, id.value])).toEqual([['HardwareID-13', '&B&P']]);
    expect(result.omitted.find((o) => o.name === 'HardwareID-14')?.reason).toBe('the value is empty');
  });

  it('omits IDs with invalid UTF-8, naming the key', () => {
    const table = concat([
      systemStructure({ manufacturer: 'Acme', productName: new Uint8Array([0x41, 0xe9]) }),
      endOfTableStructure(),
    ]);
    const result = idsOf(table);
    expect(result.keys.ProductName).toBe('A\ufffd');
    expect(result.omitted.find((o) => o.name === 'HardwareID-9')?.reason).toBe('ProductName is not valid UTF-8');
    expect(result.ids.map((id) => id.name)).toEqual(['HardwareID-14']);
  });

  it('keeps a byte-order mark and characters outside the BMP', () => {
    const table = concat([systemStructure({ manufacturer: '\ufeffAcme 💻' }), endOfTableStructure()]);
    expect(idsOf(table).ids[0]?.guid).toBe(hardwareIdGuid('\ufeffAcme 💻'));
  });
});

describe('values are normalised like fwupd', () => {
  it.each([
    ['LENOVO', 'LENOVO'],
    ['  HP  ', 'HP'],
    ['Dell Inc.\n', 'Dell Inc.'],
    ['A \t\r\f\n', 'A'],
    ['A \v', 'A \v'], // GLib's g_ascii_isspace does not include \v
    ['\tHP', '\tHP'], // only ' ' is skipped at the front
    ['   ', ''],
    [' \t ', ''], // fu_strstrip's arithmetic: one space before a lone \t gives ''
    ['\t ', '\t'], // ... none gives the \t
    ['  \t', '\t'], // ... two or more give the rest
    ['  \t \n', '\t \n'],
    ['a\u00a0', 'a\u00a0'], // not ASCII whitespace
    ['007 Agent', '7 Agent'], // "weirdly, remove leading zeros"
    [' 0 1', ' 1'],
    ['0', ''],
    ['0x1F', 'x1F'],
  ])('string %j becomes %j', (input, expected) => {
    expect(manufacturerOf(input)).toBe(expected);
  });

  it.each([
    [0x0a, 'a'],
    [0x89, '89'],
    [0x10, '10'],
    [0x00, ''],
  ])('chassis type 0x%s gives EnclosureKind %j (hex, lock bit kept, leading zeros removed)', (type, expected) => {
    const table = concat([chassisStructure({ type }), endOfTableStructure()]);
    expect(idsOf(table).keys.EnclosureKind).toBe(expected);
  });

  it('BIOS and EC releases are two lower-case hex digits, zeros kept', () => {
    const table = concat([
      biosStructure({ vendor: 'V', major: 0, minor: 0xab, ecMajor: 0x0c, ecMinor: 0 }),
      endOfTableStructure(),
    ]);
    expect(idsOf(table).keys).toEqual({
      BiosVendor: 'V',
      BiosMajorRelease: '00',
      BiosMinorRelease: 'ab',
      FirmwareMajorRelease: '0c',
      FirmwareMinorRelease: '00',
    });
  });

  it('fields beyond a short structure are missing, not zero', () => {
    const table = concat([biosStructure({ vendor: 'V', version: '1', length: 0x14 }), endOfTableStructure()]);
    expect(idsOf(table).keys).toEqual({ BiosVendor: 'V', BiosVersion: '1' });
  });

  it('string number 1 of an empty string-set reads as an empty value', () => {
    const board = buildStructure(2, 2, 0x0f, (w) => {
      w.u8(0x04, 1);
      w.u8(0x05, 2);
    });
    expect(idsOf(concat([board, endOfTableStructure()])).keys).toEqual({ BaseboardManufacturer: '' });
  });
});

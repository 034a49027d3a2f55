import {
  baseboardStructure,
  biosStructure,
  buildStructure,
  buildTable,
  chassisStructure,
  concat,
  endOfTableStructure,
  entryPoint32,
  entryPoint64,
  systemStructure,
} from './build-smbios.js';

/** A synthetic machine's /sys/firmware/dmi/tables/ files. */
export interface SmbiosMachine {
  name: string;
  entryPoint: Uint8Array;
  table: Uint8Array;
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

const T440S = {
  bios: { vendor: 'LENOVO', version: 'GJET75WW (2.25 )', releaseDate: '02/21/2017', major: 2, minor: 0x19 },
  system: {
    manufacturer: 'LENOVO',
    productName: '20ARS19C0C',
    version: 'ThinkPad T440s',
    serial: 'PB00000',
    sku: 'LENOVO_MT_20AR_BU_Think_FM_ThinkPad T440s',
    family: 'ThinkPad T440s',
  },
  baseboard: { manufacturer: 'LENOVO', product: '20ARS19C0C', version: 'Not Defined' },
  chassis: { manufacturer: 'LENOVO', type: 0x0a },
};

/** The machine of fwupd's own self test (`fu_hwids_func`), here behind a 2.x entry point. */
export function lenovoT440s(): SmbiosMachine {
  const table = buildTable(T440S);
  return { name: 'lenovo-t440s (SMBIOS 2.8)', entryPoint: entryPoint32(table.length), table };
}

function with64(name: string, table: Uint8Array): SmbiosMachine {
  return { name, entryPoint: entryPoint64(table.length), table };
}

function with32(name: string, table: Uint8Array): SmbiosMachine {
  return { name, entryPoint: entryPoint32(table.length), table };
}

const DELL = {
  bios: {
    vendor: 'Dell Inc.',
    version: '3.21.0',
    releaseDate: '05/13/2024',
    major: 3,
    minor: 21,
    ecMajor: 1,
    ecMinor: 9,
  },
  system: {
    manufacturer: 'Dell Inc.',
    productName: 'XPS 13 9310',
    serial: 'ABCDEF1',
    sku: '0A5B',
    family: 'XPS',
  },
  baseboard: { manufacturer: 'Dell Inc.', product: '0MRT12', version: 'A00' },
  chassis: { manufacturer: 'Dell Inc.', type: 0x0a },
};
const dell = buildTable(DELL);

/** Every case the peer test runs through fwupdtool; names say what each one exercises. */
export function peerMachines(): SmbiosMachine[] {
  const machines: SmbiosMachine[] = [
    lenovoT440s(),
    with64('dell-xps (SMBIOS 3.3)', dell),
    with64(
      'framework: no family, no sku, no baseboard, SMBIOS 2.3-length BIOS structure',
      buildTable({
        bios: { vendor: 'INSYDE Corp.', version: '03.19', length: 0x14, major: 3, minor: 19 },
        system: { manufacturer: 'Framework', productName: 'Laptop 13 (AMD Ryzen 7040Series)' },
        chassis: { manufacturer: 'Framework', type: 0x09 },
      }),
    ),
    with32(
      'hp: spaces, tabs and newlines around strings, lock bit in chassis type',
      buildTable({
        bios: { vendor: '\tHP', version: ' \t ', major: 0x0b, minor: 0x0a },
        system: {
          manufacturer: '  HP  ',
          productName: 'HP EliteBook 840 G8 Notebook PC\t',
          sku: '\t ',
          family: '103C_5336AN HP EliteBook\n',
        },
        // fwupd reads a product of '  \t' as '\t' too, but only after zero-filling 4 GiB: not run here
        baseboard: { manufacturer: 'HP \v\f\r', product: '8AB8 \f' },
        chassis: { manufacturer: 'HP', type: 0x89 },
      }),
    ),
    with64(
      'fujitsu: non-ASCII UTF-8, astral plane, BOM, trailing no-break space, ampersand',
      buildTable({
        bios: { vendor: 'FUJITSU // Phoenix Technologies Ltd.', version: 'Version 1.21 ÄÖÜ', major: 1, minor: 21 },
        system: {
          manufacturer: 'FUJITSU CLIENT COMPUTING LIMITED',
          productName: 'LIFEBOOK E5512 — 日本',
          sku: 'SK&U\u00a0',
          family: '💻 Family',
        },
        baseboard: { manufacturer: '\ufeffBOM Corp', product: 'FJNB2E5' },
        chassis: { manufacturer: 'FUJITSU', type: 0x0a },
      }),
    ),
    with64(
      'invalid UTF-8 (Latin-1) in Manufacturer: every ID is lost',
      buildTable({
        ...T440S,
        system: { ...T440S.system, manufacturer: bytes(0x4d, 0xe9, 0x64, 0x69, 0x6f, 0x6e) }, // "Médion", Latin-1
      }),
    ),
    with64(
      'invalid UTF-8 elsewhere: Latin-1, overlong, surrogate, beyond U+10FFFF, truncated sequence',
      buildTable({
        bios: { vendor: utf8('AMI'), version: bytes(0x31, 0xc0, 0xaf), major: 5, minor: 17 },
        system: {
          manufacturer: utf8('MEDION'),
          productName: bytes(0x41, 0x6b, 0x6f, 0x79, 0x61, 0xe9),
          sku: bytes(0xed, 0xa0, 0x80),
          family: bytes(0xf4, 0x90, 0x80, 0x80),
        },
        baseboard: { manufacturer: utf8('MEDION'), product: bytes(0x4d, 0x53, 0xe2, 0x82) },
        chassis: { manufacturer: 'MEDION', type: 0x0a },
      }),
    ),
    with32(
      'leading zeros: "000" manufacturer becomes empty, chassis type 0, releases 00',
      buildTable({
        bios: { vendor: '0Vendor', version: '00.00.01', major: 0, minor: 0 },
        system: { manufacturer: '000', productName: '007 Agent', sku: ' 0042', family: '0' },
        baseboard: { manufacturer: '0', product: '0x1F' },
        chassis: { manufacturer: '000', type: 0x00 },
      }),
    ),
    with64(
      'string numbers out of range, string 1 of an empty string-set, all-space BIOS version',
      concat([
        biosStructure({ vendor: 'American Megatrends International, LLC.', version: '    ', major: 5, minor: 27 }),
        systemStructure({
          manufacturer: 'Gigabyte',
          productName: 'B650 AORUS',
          family: { index: 9 },
          sku: { index: 200 },
        }),
        buildStructure(2, 0x0002, 0x0f, (w) => {
          w.u8(0x04, 1);
          w.u8(0x05, 2);
        }),
        chassisStructure({ manufacturer: 'Default string', type: 0x03 }),
        endOfTableStructure(),
      ]),
    ),
    with64(
      'two System structures: the first one counts',
      buildTable({
        ...T440S,
        extra: [systemStructure({ manufacturer: 'Second', productName: 'Ignored', family: 'Nope', handle: 0x0101 })],
      }),
    ),
    with64(
      'SMBIOS 2.0-length System structure (no SKU, no family) and 2.3 BIOS',
      buildTable({
        bios: { vendor: 'Phoenix', version: '1.0', length: 0x13 },
        system: { manufacturer: 'Acme', productName: 'Roadrunner', length: 0x08 },
        baseboard: { manufacturer: 'Acme', product: 'RR-1', length: 0x08 },
      }),
    ),
    with32(
      'System structure after the end-of-table structure',
      concat([
        biosStructure({ vendor: 'SeaBIOS', version: '1.16.3', major: 0, minor: 0 }),
        endOfTableStructure(),
        systemStructure({ manufacturer: 'QEMU', productName: 'Standard PC (Q35 + ICH9, 2009)', version: 'pc-q35-9.0' }),
      ]),
    ),
    with64(
      'truncated in the chassis formatted area: BIOS, System, Baseboard survive',
      dell.subarray(
        0,
        concat([biosStructure(DELL.bios), systemStructure(DELL.system), baseboardStructure(DELL.baseboard)]).length + 6,
      ),
    ),
    with64(
      'truncated inside the baseboard string-set: product "20ARS19C0C" is read as "20ARS"',
      buildTable(T440S).subarray(
        0,
        concat([biosStructure(T440S.bios), systemStructure(T440S.system), baseboardStructure(T440S.baseboard)]).length -
          18,
      ),
    ),
    with64(
      'structure with length 2 after the System structure: walk stops',
      concat([
        biosStructure(T440S.bios),
        systemStructure(T440S.system),
        bytes(2, 2, 0x02, 0x00, 0, 0),
        baseboardStructure(T440S.baseboard),
        endOfTableStructure(),
      ]),
    ),
    with64(
      'no double-NUL after the last structure',
      concat([
        biosStructure(T440S.bios),
        systemStructure(T440S.system),
        chassisStructure({ manufacturer: 'LENOVO', type: 0x0a }).subarray(0, -1),
      ]),
    ),
    with64('only an end-of-table structure', endOfTableStructure()),
  ];

  const t440s = buildTable(T440S);
  machines.push(
    {
      name: 'SMBIOS 2.x entry point revision 1: fwupd sums from byte 10 and drops SMBIOS',
      entryPoint: entryPoint32(t440s.length, { revision: 1 }),
      table: t440s,
    },
    {
      name: 'SMBIOS 2.x entry point with a bad checksum',
      entryPoint: entryPoint32(t440s.length, { badChecksum: true }),
      table: t440s,
    },
    {
      name: 'SMBIOS 3.x entry point with a bad checksum',
      entryPoint: entryPoint64(t440s.length, { badChecksum: true }),
      table: t440s,
    },
    {
      name: 'table longer than the 3.x entry point allows',
      entryPoint: entryPoint64(t440s.length - 1),
      table: t440s,
    },
    {
      name: 'table shorter than the 2.x entry point announces',
      entryPoint: entryPoint32(t440s.length + 100),
      table: t440s,
    },
    {
      name: 'entry point with an unknown anchor',
      entryPoint: concat([utf8('_XX_'), entryPoint32(t440s.length).subarray(4)]),
      table: t440s,
    },
  );
  return machines;
}

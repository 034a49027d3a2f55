import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  formatVersion,
  getVersionFormat,
  isVersionFormatId,
  parseVersionInteger,
  VERSION_FORMATS,
  type VersionFormatId,
} from './index.js';

const ALL_IDS = [...VERSION_FORMATS.keys()];

/** -n without producing -0 (toBe tells them apart). */
const negate = (n: number): number => (n === 0 ? 0 : -n);

/** Reference §6 (observed with fwupdtool 2.0.20), plus hand-computed edge values. */
const RENDERINGS: Record<VersionFormatId, [raw: number, text: string][]> = {
  plain: [
    [0x12345678, '305419896'],
    [0, '0'],
    [0xffffffff, '4294967295'],
    [0x80000000, '2147483648'],
  ],
  number: [
    [0x12345678, '305419896'],
    [0, '0'],
    [0xffffffff, '4294967295'],
    [0x80000000, '2147483648'],
  ],
  pair: [
    [0x12345678, '4660.22136'],
    [0, '0.0'],
    [0xffffffff, '65535.65535'],
    [0x00010032, '1.50'],
  ],
  triplet: [
    [0x12345678, '18.52.22136'],
    [0, '0.0.0'],
    [0xffffffff, '255.255.65535'],
    [0x01020304, '1.2.772'],
  ],
  quad: [
    [0x12345678, '18.52.86.120'],
    [0, '0.0.0.0'],
    [0xffffffff, '255.255.255.255'],
    [0x00010032, '0.1.0.50'],
  ],
  bcd: [
    [0x12345678, '12.34.56.78'],
    [0, '0.0.0.0'],
    [0xffffffff, '165.165.165.165'],
    [0x20240131, '20.24.1.31'],
  ],
  'intel-me': [
    [0x12345678, '11.18.52.22136'],
    [0, '11.0.0.0'],
    [0xffffffff, '18.31.255.65535'],
    [0xa0000000, '16.0.0.0'],
  ],
  'intel-me2': [
    [0x12345678, '1.2.52.22136'],
    [0, '0.0.0.0'],
    [0xffffffff, '15.15.255.65535'],
    [0x80000000, '8.0.0.0'],
  ],
  'surface-legacy': [
    [0x12345678, '72.3349.632'],
    [0, '0.0.0'],
    [0xffffffff, '1023.4095.1023'],
    [0x80000000, '512.0.0'],
  ],
  surface: [
    [0x12345678, '18.13398.120'],
    [0, '0.0.0'],
    [0xffffffff, '255.65535.255'],
    [0x00010032, '0.256.50'],
  ],
  'dell-bios': [
    [0x12345678, '52.86.120'],
    [0, '0.0.0'],
    [0xffffffff, '255.255.255'],
    [0x80000000, '0.0.0'],
  ],
  hex: [
    [0x12345678, '0x12345678'],
    [0, '0x00000000'],
    [0xffffffff, '0xffffffff'],
    [0xabc, '0x00000abc'],
  ],
  'dell-bios-msb': [
    [0x12345678, '18.52.86'],
    [0, '0.0.0'],
    [0xffffffff, '255.255.255'],
    [0x000000ff, '0.0.0'],
  ],
  'intel-csme19': [
    [0x12345678, '19.18.52.22136'],
    [0, '19.0.0.0'],
    [0xffffffff, '26.31.255.65535'],
    [0x80000000, '23.0.0.0'],
  ],
};

/** Deterministic spread of uint32 values (a Weyl sequence), edges first. */
const SAMPLE_RAWS = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff].concat(
  Array.from({ length: 200 }, (_, i) => Math.imul(i + 1, 0x9e3779b1) >>> 0),
);

/** Formats whose dotted rendering covers all 32 bits, most significant field first. */
const ORDER_PRESERVING: VersionFormatId[] = [
  'number',
  'pair',
  'triplet',
  'quad',
  'intel-me',
  'intel-me2',
  'intel-csme19',
  'surface-legacy',
  'surface',
  'hex',
];

describe('formatVersion', () => {
  for (const id of ALL_IDS) {
    it(`renders ${id} as fwupd does`, () => {
      for (const [raw, text] of RENDERINGS[id]) {
        expect(formatVersion(raw, id), `${id} ${raw}`).toBe(text);
      }
    });
  }

  it('covers every format in the rendering table', () => {
    expect(Object.keys(RENDERINGS).sort()).toEqual([...ALL_IDS].sort());
  });

  it.each([-1, 0x100000000, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses raw %s', (raw) => {
    for (const id of ALL_IDS) expect(() => formatVersion(raw, id)).toThrow(TypeError);
  });

  it('refuses a raw value that is not a number', () => {
    expect(() => formatVersion('1' as unknown as number, 'quad')).toThrow(TypeError);
  });

  it('keeps the order of raw values for formats that show every bit', () => {
    for (const id of ORDER_PRESERVING) {
      for (let i = 1; i < SAMPLE_RAWS.length; i++) {
        const a = SAMPLE_RAWS[i - 1] ?? 0;
        const b = SAMPLE_RAWS[i] ?? 0;
        const expected = Math.sign(a - b);
        expect(compareVersions(formatVersion(a, id), formatVersion(b, id), id), `${id} ${a} ${b}`).toBe(expected);
      }
    }
  });

  it('produces versions its own isValid accepts', () => {
    for (const id of ALL_IDS) {
      const format = VERSION_FORMATS.get(id);
      for (const raw of SAMPLE_RAWS) {
        // BCD bytes above 0x99 render but are not valid BCD
        const bcdSafe = id !== 'bcd' || /^[0-9]{8}$/.test(raw.toString(16).padStart(8, '0'));
        if (bcdSafe) expect(format?.api.isValid(formatVersion(raw, id)), `${id} ${raw}`).toBe(true);
      }
    }
  });
});

describe('compareVersions', () => {
  /** [a, b, expected]; checked with `fwupdtool vercmp` 2.0.20, except the NUL case (argv cannot carry it). */
  const GENERAL: [string, string, number][] = [
    ['1.2', '1.2.0', -1],
    ['1.2.3', '1.2.3.0', -1],
    ['1.02', '1.2', 0],
    ['1.2.10', '1.2.9', 1],
    ['1.0~rc1', '1.0', -1],
    ['1.0', '1.0a', -1],
    ['1.2a', '1.2b', -1],
    ['1.2~', '1.2', -1],
    ['1.2~a', '1.2~', 1],
    ['a', 'b', -1],
    ['abc', '1', -1],
    ['1', 'bad', 1],
    ['1.a', '1.0', 1],
    ['1.a', '1.b', -1],
    ['1..2', '1.0.2', 0],
    ['.1', '0.1', 0],
    ['1. 2', '1.2', 0],
    ['1.\v2', '1.2', 0],
    ['1.+2', '1.2', 0],
    ['1.-0', '1.0', 0],
    ['1.-1', '1.0', -1],
    ['1', '1.', -1],
    ['1.', '1.0', 0],
    ['', '', 0],
    ['', '0', -1],
    ['~', '', 1],
    ['99999999999999999999', '9223372036854775807', 0],
    ['99999999999999999999', '9223372036854775808a', -1],
    ['1.0', '1.0é', 1],
    ['1.0\0garbage', '1.0', 0],
    ['0.1.0.50', '0.1.0.54', -1],
    ['10', '9', 1],
  ];

  it.each(GENERAL)('general rule: %j vs %j is %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(negate(expected));
    for (const id of ALL_IDS.filter((id) => id !== 'plain' && id !== 'hex')) {
      expect(compareVersions(a, b, id)).toBe(expected);
    }
  });

  it.each([
    ['10', '9', -1],
    ['1.2', '1.2.0', -1],
    ['1.02', '1.2', -1],
    ['1.0~rc1', '1.0', 1],
    ['a', 'é', -1],
    ['abc', 'abc', 0],
  ] as [string, string, number][])('plain rule: %j vs %j is %i', (a, b, expected) => {
    expect(compareVersions(a, b, 'plain')).toBe(expected);
    expect(compareVersions(b, a, 'plain')).toBe(negate(expected));
  });

  it.each([
    ['0x10', '16', 0],
    ['0x1', '0x00000001', 0],
    ['0', '0x0', -1],
    ['0X10', '16', -1],
    ['+16', '0x10', 0],
    [' 16', '0x10', 0],
    ['16\n', '0x10', 0],
    ['0x0x10', '16', 0],
    // a leading '-' cannot reach fwupdtool (option parsing); strtoull wraps it, so it stays text
    ['-16', '0x10', -1],
    ['4294967295', '0xffffffff', 0],
    ['0xFFFFFFFF', '4294967295', 0],
    ['4294967296', '0x0', 1],
    ['19999999', '0x01312cff', 0],
    ['20000000', '0x01312d00', 1],
    ['1.2', '0x1', 1],
    ['0xa', '9', 1],
    ['0x0000000a', '0x9', 1],
  ] as [string, string, number][])('hex rule: %j vs %j is %i', (a, b, expected) => {
    expect(compareVersions(a, b, 'hex')).toBe(expected);
    expect(compareVersions(b, a, 'hex')).toBe(negate(expected));
  });

  it('refuses an unknown format', () => {
    expect(() => compareVersions('1', '2', 'unknown' as VersionFormatId)).toThrow(TypeError);
  });
});

describe('isValid', () => {
  it.each([
    ['quad', '1.2.3.4', true],
    ['quad', '255.255.255.255', true],
    ['quad', '1.2.3.256', false],
    ['quad', '1.2.3', false],
    ['quad', '1.2.3.a', false],
    ['quad', '1.2.-3.4', false],
    ['pair', '65535.0', true],
    ['pair', '65536.0', false],
    ['triplet', '1.2.65535', true],
    ['triplet', '256.2.3', false],
    ['bcd', '12.34.56.78', true],
    ['bcd', '12.34.56.100', false],
    ['intel-me', '11.0.0.0', true],
    ['intel-me', '10.0.0.0', false],
    ['intel-me', '19.0.0.0', false],
    ['intel-csme19', '26.31.255.65535', true],
    ['intel-csme19', '18.0.0.0', false],
    ['surface-legacy', '1023.4095.1023', true],
    ['surface-legacy', '1024.0.0', false],
    ['number', '4294967295', true],
    ['number', '4294967296', false],
    ['number', '1.2', false],
    ['hex', '0x12345678', true],
    ['hex', '0xABC', true],
    ['hex', '0x123456789', false],
    ['hex', '12345678', false],
    ['plain', 'anything at all', true],
    ['plain', '', false],
  ] as [VersionFormatId, string, boolean][])('%s %j is %s', (id, version, expected) => {
    expect(getVersionFormat(id)?.api.isValid(version)).toBe(expected);
  });
});

describe('registry lookups', () => {
  it('knows the fwupd names and nothing else', () => {
    expect(isVersionFormatId('quad')).toBe(true);
    expect(isVersionFormatId('unknown')).toBe(false);
    expect(isVersionFormatId('Quad')).toBe(false);
    expect(getVersionFormat('dell-bios-msb')?.fwupdEnum).toBe(13);
    expect(getVersionFormat('toString')).toBeUndefined();
  });

  it('lists the formats in fwupd enum order', () => {
    expect([...VERSION_FORMATS.values()].map((format) => format.fwupdEnum)).toEqual(
      Array.from({ length: 14 }, (_, i) => i + 1),
    );
  });
});

describe('parseVersionInteger', () => {
  it.each([
    ['65586', 65586],
    ['0x10032', 65586],
    ['0x0000ABCD', 0xabcd],
    ['4294967295', 0xffffffff],
    ['0xffffffff', 0xffffffff],
    ['0', 0],
    ['007', 7],
  ])('reads %j as %i', (text, value) => {
    expect(parseVersionInteger(text)).toBe(value);
  });

  it.each(['4294967296', '0x100000000', '0X10', '0x', '1.2', '', ' 1', '1 ', '-1', '+1', '1e3', '0b1', 'abc'])(
    'refuses %j',
    (text) => {
      expect(parseVersionInteger(text)).toBeUndefined();
    },
  );

  it('renders a parsed integer with the device format', () => {
    const raw = parseVersionInteger('65590');
    expect(raw === undefined ? undefined : formatVersion(raw, 'quad')).toBe('0.1.0.54');
  });
});

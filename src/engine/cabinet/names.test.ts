import { describe, expect, it } from 'vitest';
import { CapstanError } from '../../core/errors.js';
import { checkNameCollisions, parseMemberName } from './names.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const UTF = 0x80;

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CapstanError);
    expect((error as CapstanError).code).toBe('cab-invalid');
    return (error as CapstanError).message;
  }
  throw new Error('expected a rejection');
}

describe('parseMemberName', () => {
  it.each([
    ['firmware.bin', 0x20, 'firmware.bin'],
    ['firmware.metainfo.xml', 0, 'firmware.metainfo.xml'],
    ['sub\\inner.txt', 0x20, 'sub/inner.txt'],
    ['a/b\\c', 0, 'a/b/c'],
    ['..hidden', 0, '..hidden'],
    ['name with spaces ~!@#$%^&()', 0, 'name with spaces ~!@#$%^&()'],
    ['C:firmware.bin', 0, 'C:firmware.bin'],
    ['na\u00efve-\u00fc.txt', 0xa0, 'na\u00efve-\u00fc.txt'],
    ['ascii-with-utf-flag.bin', UTF, 'ascii-with-utf-flag.bin'],
    ['\u65e5\u672c/\u{1f600}.bin', UTF, '\u65e5\u672c/\u{1f600}.bin'],
  ])('accepts %j (attribs %i)', (name, attribs, expected) => {
    expect(parseMemberName(ascii(name), attribs, 0)).toBe(expected);
  });

  it.each([
    ['empty', new Uint8Array(0), 0, /empty name/],
    ['absolute with /', ascii('/etc/passwd'), 0, /absolute name/],
    ['absolute with \\', ascii('\\etc\\passwd'), 0, /absolute name/],
    ['a .. segment', ascii('..\\evil'), 0, /'\.\.' segment/],
    ['a .. segment in the middle', ascii('a/../../b'), 0, /'\.\.' segment/],
    ['a . segment', ascii('./a'), 0, /'\.' or/],
    ['..', ascii('..'), 0, /segment/],
    ['an empty segment', ascii('a//b'), 0, /empty, '\.' or '\.\.' segment/],
    ['a trailing separator', ascii('dir\\'), 0, /empty/],
    ['a control character', ascii('a\tb'), 0, /not printable ASCII: byte 0x09/],
    ['DEL', ascii('a\x7fb'), 0, /byte 0x7f/],
    ['UTF-8 without the 0x80 attribute (fwupd refuses these)', ascii('na\u00efve'), 0x20, /byte 0xc3/],
    ['invalid UTF-8', Uint8Array.of(0x61, 0xc3, 0x28), UTF, /not valid UTF-8/],
    ['an overlong UTF-8 encoding of /', Uint8Array.of(0x61, 0xc0, 0xaf, 0x62), UTF, /not valid UTF-8/],
    ['a UTF-8 encoded surrogate', Uint8Array.of(0xed, 0xa0, 0x80), UTF, /not valid UTF-8/],
    ['a control character in UTF-8', ascii('a\u0085b'), UTF, /U\+0085/],
    ['a newline in UTF-8', ascii('a\nb'), UTF, /U\+000a/],
  ])('rejects %s', (_what, raw, attribs, message) => {
    expect(rejection(() => parseMemberName(raw, attribs, 3))).toMatch(message);
  });

  it('names the file index in the message', () => {
    expect(rejection(() => parseMemberName(ascii('/x'), 0, 7))).toMatch(/^file 7 /);
  });
});

describe('checkNameCollisions', () => {
  it('accepts distinct names and nested paths', () => {
    expect(() => checkNameCollisions(['a', 'b', 'dir/a', 'dir/sub/a', 'dir2/a'])).not.toThrow();
  });
  it('rejects duplicates (after \\ became /)', () => {
    expect(rejection(() => checkNameCollisions(['x/y', 'a', 'x/y']))).toBe('files 0 and 2 have the same name: "x/y"');
  });
  it('rejects a file that is also a directory of another file, in either order', () => {
    expect(rejection(() => checkNameCollisions(['dir', 'dir/a']))).toMatch(/file 0 is also a directory of file 1/);
    expect(rejection(() => checkNameCollisions(['a/b/c', 'a/b']))).toMatch(/file 1 is also a directory of file 0/);
  });
  it('is case-sensitive, like the filesystems capstan writes to', () => {
    expect(() => checkNameCollisions(['A', 'a'])).not.toThrow();
  });
});

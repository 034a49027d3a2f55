import { describe, expect, it } from 'vitest';
import { ESP_NODE as ESP, FWUPD_ENTRY, FWUPD_SB_ENTRY } from '../../test/catalogs/efi/objects.js';
import { BOOT_ENTRY_152, BOOT_ENTRY_SB_178, fromHex, SHIM_ARGUMENT } from '../../test/catalogs/efi/reference-bytes.js';
import {
  formatBootEntryName,
  formatLoadOption,
  type LoadOption,
  parseBootEntryName,
  parseLoadOption,
  parseShimArgument,
} from './load-option.js';

describe('EFI_LOAD_OPTION', () => {
  it('encodes the 152-byte Boot#### of §7 byte for byte', () => {
    const bytes = formatLoadOption(FWUPD_ENTRY);
    expect(bytes.length).toBe(152);
    expect(bytes).toEqual(BOOT_ENTRY_152);
  });

  it('encodes the 178-byte Secure Boot variant byte for byte', () => {
    const bytes = formatLoadOption(FWUPD_SB_ENTRY);
    expect(bytes.length).toBe(178);
    expect(bytes).toEqual(BOOT_ENTRY_SB_178);
  });

  it('decodes both back, with the shim argument', () => {
    const plain = parseLoadOption(BOOT_ENTRY_152);
    expect(plain).toEqual({ ok: true, option: FWUPD_ENTRY });
    const sb = parseLoadOption(BOOT_ENTRY_SB_178);
    expect(sb).toEqual({ ok: true, option: FWUPD_SB_ENTRY });
    expect(sb.ok && parseShimArgument(sb.option.optionalData)).toBe(SHIM_ARGUMENT);
  });

  it('keeps optional data that is not a string, and extra device paths', () => {
    const option: LoadOption = {
      attributes: 0x109,
      description: '',
      filePathList: [ESP, { kind: 'end', subType: 0xff }, { kind: 'raw', type: 3, subType: 0x12, data: fromHex('01') }],
      optionalData: fromHex('01 02 03'),
    };
    const bytes = formatLoadOption(option);
    expect(parseLoadOption(bytes)).toEqual({ ok: true, option });
    expect(parseShimArgument(option.optionalData)).toBeUndefined();
  });

  it('is strict', () => {
    expect(parseLoadOption(new Uint8Array(5))).toMatchObject({ ok: false, reason: expect.stringContaining('6-byte') });
    // Description without its NUL.
    expect(parseLoadOption(fromHex('01 00 00 00 04 00 41 00 42 00'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not NUL-terminated'),
    });
    // FilePathListLength past the end.
    const long = BOOT_ENTRY_152.slice();
    long[4] = 0x65;
    expect(parseLoadOption(long)).toMatchObject({ ok: false, reason: expect.stringContaining('runs past') });
    // FilePathListLength too short: the list does not end with End-of-entire.
    const short = BOOT_ENTRY_152.slice();
    short[4] = 0x60;
    expect(parseLoadOption(short)).toMatchObject({ ok: false, reason: expect.stringContaining('FilePathList') });
    // Zero-length FilePathList.
    expect(parseLoadOption(fromHex('01 00 00 00 00 00 00 00'))).toMatchObject({ ok: false });
  });

  it('rejects bad arguments with TypeError', () => {
    expect(() => formatLoadOption({ ...FWUPD_ENTRY, attributes: -1 })).toThrow(TypeError);
    expect(() => formatLoadOption({ ...FWUPD_ENTRY, description: 'a\u0000' })).toThrow(TypeError);
    expect(() => formatLoadOption({ ...FWUPD_ENTRY, filePathList: Array.from({ length: 2000 }, () => ESP) })).toThrow(
      TypeError,
    );
  });
});

describe('Boot#### names', () => {
  it('formats upper-case four-digit hex', () => {
    expect(formatBootEntryName(2)).toBe('Boot0002');
    expect(formatBootEntryName(0xabc)).toBe('Boot0ABC');
    expect(formatBootEntryName(0xffff)).toBe('BootFFFF');
    expect(() => formatBootEntryName(0x10000)).toThrow(TypeError);
    expect(() => formatBootEntryName(1.5)).toThrow(TypeError);
  });

  it('parses only Boot + four upper-case hex digits', () => {
    expect(parseBootEntryName('Boot0002')).toBe(2);
    expect(parseBootEntryName('Boot0ABC')).toBe(0xabc);
    for (const name of [
      'BootOrder',
      'BootNext',
      'BootCurrent',
      'Boot02',
      'Boot00020',
      'boot0002',
      'Boot0abc',
      'Boot+123',
    ]) {
      expect(parseBootEntryName(name)).toBeUndefined();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { ESP_NODE, UPDATE_INFO_226_FIELDS } from '../../../test/catalogs/efi/objects.js';
import { FW_CLASS, fromHex, UPDATE_INFO_226 } from '../../../test/catalogs/efi/reference-bytes.js';
import { filePathNode } from '../device-path.js';
import { FWUPDATE_GUID } from '../guid.js';
import {
  checkFwupdEfiAcceptance,
  formatUpdateInfo,
  parseUpdateInfo,
  parseUpdateInfoVariableName,
  UPDATE_STATUS_ATTEMPTED,
  type UpdateInfo,
  updateInfoVariableName,
} from './update-info.js';

describe('update-info variable', () => {
  it('encodes the 226-byte worked example of §5.2 byte for byte', () => {
    const bytes = formatUpdateInfo(UPDATE_INFO_226_FIELDS);
    expect(bytes.length).toBe(226);
    expect(bytes).toEqual(UPDATE_INFO_226);
  });

  it('decodes it back to the stated fields', () => {
    expect(parseUpdateInfo(UPDATE_INFO_226)).toEqual({ ok: true, info: UPDATE_INFO_226_FIELDS });
  });

  it('round-trips a stamped variable (status 2, time attempted, hw_inst)', () => {
    const stamped: UpdateInfo = {
      ...UPDATE_INFO_226_FIELDS,
      hwInst: 0xffff_ffff_ffff_fffen,
      status: UPDATE_STATUS_ATTEMPTED,
      timeAttempted: {
        year: 2026,
        month: 8,
        day: 14,
        hour: 3,
        minute: 2,
        second: 1,
        nanosecond: 0,
        timeZone: 0x7ff,
        daylight: 0,
      },
    };
    const bytes = formatUpdateInfo(stamped);
    expect(bytes.subarray(0x20, 0x22)).toEqual(fromHex('ea 07'));
    expect(parseUpdateInfo(bytes)).toEqual({ ok: true, info: stamped });
  });

  it('keeps unknown status values as read', () => {
    const bytes = formatUpdateInfo({ ...UPDATE_INFO_226_FIELDS, status: 0x80000001 });
    expect(parseUpdateInfo(bytes)).toMatchObject({ ok: true, info: { status: 0x80000001 } });
  });

  it('names the variable fwupd-<guid>-<hw_inst> under the FWUPDATE GUID', () => {
    expect(FWUPDATE_GUID).toBe('0abba7dc-e516-4167-bbf5-4d9d1c739416');
    expect(updateInfoVariableName(FW_CLASS)).toBe(`fwupd-${FW_CLASS}-0`);
    expect(updateInfoVariableName(FW_CLASS.toUpperCase(), 12n)).toBe(`fwupd-${FW_CLASS}-12`);
    expect(() => updateInfoVariableName('nope')).toThrow(TypeError);
    expect(() => updateInfoVariableName(FW_CLASS, -1)).toThrow(TypeError);
    expect(parseUpdateInfoVariableName(`fwupd-${FW_CLASS}-0`)).toEqual({ fwClass: FW_CLASS, hwInst: 0n });
    expect(parseUpdateInfoVariableName('fwupd-ux-capsule')).toBeUndefined();
    expect(parseUpdateInfoVariableName(`fwupd-${FW_CLASS}-01`)).toBeUndefined();
    expect(parseUpdateInfoVariableName(`fwupd-${FW_CLASS}-18446744073709551616`)).toBeUndefined();
  });

  it('refuses to encode what fwupd-efi would delete', () => {
    expect(() => formatUpdateInfo({ ...UPDATE_INFO_226_FIELDS, devicePath: [] })).toThrow(TypeError);
    expect(() => formatUpdateInfo({ ...UPDATE_INFO_226_FIELDS, guid: 'x' })).toThrow(TypeError);
    expect(() => formatUpdateInfo({ ...UPDATE_INFO_226_FIELDS, capsuleFlags: 2 ** 32 })).toThrow(TypeError);
    expect(() => formatUpdateInfo({ ...UPDATE_INFO_226_FIELDS, hwInst: -1n })).toThrow(TypeError);
    expect(() =>
      formatUpdateInfo({
        ...UPDATE_INFO_226_FIELDS,
        timeAttempted: {
          year: 2026,
          month: 13,
          day: 1,
          hour: 0,
          minute: 0,
          second: 0,
          nanosecond: 0,
          timeZone: 0,
          daylight: 0,
        },
      }),
    ).toThrow(TypeError);
  });
});

describe("fwupd-efi 1.4's acceptance rule", () => {
  const header = UPDATE_INFO_226.subarray(0, 0x34);
  const withPath = (...path: number[]) => Uint8Array.from([...header, ...path]);

  it('accepts the worked example and the smallest variable it would keep (61 bytes)', () => {
    expect(checkFwupdEfiAcceptance(UPDATE_INFO_226)).toEqual({ ok: true });
    // 52-byte header + a 5-byte raw node + End: 61 bytes, > 60.
    expect(checkFwupdEfiAcceptance(withPath(1, 1, 5, 0, 0xaa, 0x7f, 0xff, 4, 0))).toEqual({ ok: true });
  });

  it('deletes 60 bytes or fewer', () => {
    expect(checkFwupdEfiAcceptance(withPath(1, 1, 4, 0, 0x7f, 0xff, 4, 0))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('60 bytes'),
    });
    expect(checkFwupdEfiAcceptance(new Uint8Array(0))).toMatchObject({ ok: false });
  });

  it('requires the End node exactly at the end of the data', () => {
    const trailing = Uint8Array.from([...UPDATE_INFO_226, 0]);
    expect(checkFwupdEfiAcceptance(trailing)).toMatchObject({ ok: false, reason: expect.stringContaining('deletes') });
    expect(checkFwupdEfiAcceptance(UPDATE_INFO_226.subarray(0, 222))).toMatchObject({ ok: false });
    const noEnd = UPDATE_INFO_226.slice();
    noEnd[0xde] = 0x01; // End → some other type
    expect(checkFwupdEfiAcceptance(noEnd)).toMatchObject({ ok: false, reason: expect.stringContaining('no end') });
  });

  it('treats type 0xff as End like the helper (gnu-efi masks the type), the strict decoder does not', () => {
    const masked = UPDATE_INFO_226.slice();
    masked[0xde] = 0xff;
    expect(checkFwupdEfiAcceptance(masked)).toEqual({ ok: true });
    expect(parseUpdateInfo(masked).ok).toBe(false);
  });

  it('reports the zero-length node that makes 1.4 hang, and short or overlong nodes', () => {
    expect(checkFwupdEfiAcceptance(withPath(1, 1, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 4, 0))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('hang'),
    });
    expect(checkFwupdEfiAcceptance(withPath(1, 1, 2, 0, 0, 0, 0, 0, 0x7f, 0xff, 4, 0))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('below 4'),
    });
    expect(checkFwupdEfiAcceptance(withPath(1, 1, 0x40, 0, 0, 0, 0, 0, 0x7f, 0xff, 4, 0))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('past the end'),
    });
  });
});

describe('strict decoder', () => {
  it('wants version 7', () => {
    const v6 = UPDATE_INFO_226.slice();
    v6[0] = 6;
    expect(checkFwupdEfiAcceptance(v6)).toEqual({ ok: true });
    expect(parseUpdateInfo(v6)).toMatchObject({ ok: false, reason: expect.stringContaining('version is 6') });
  });

  it('wants well-formed nodes', () => {
    const badHd = formatUpdateInfo({ ...UPDATE_INFO_226_FIELDS, devicePath: [ESP_NODE] });
    badHd[0x34 + 40] = 9;
    expect(checkFwupdEfiAcceptance(badHd)).toEqual({ ok: true });
    expect(parseUpdateInfo(badHd)).toMatchObject({ ok: false, reason: expect.stringContaining('format 9') });
  });

  it('accepts a device path of other nodes (fwupd writes HD + file path, others may not)', () => {
    const info = { ...UPDATE_INFO_226_FIELDS, devicePath: [filePathNode('\\EFI\\UpdateCapsule\\a.cap')] };
    expect(parseUpdateInfo(formatUpdateInfo(info))).toEqual({ ok: true, info });
  });
});

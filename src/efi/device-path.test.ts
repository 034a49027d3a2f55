import { describe, expect, it } from 'vitest';
import {
  CAPSULE_PATH,
  ESP_HARD_DRIVE_NODE,
  ESP_PARTUUID,
  fromHex,
  UPDATE_INFO_226,
} from '../../test/catalogs/efi/reference-bytes.js';
import {
  type DevicePathNode,
  filePathNode,
  findFilePath,
  findHardDrive,
  formatDevicePath,
  formatDevicePathText,
  type HardDriveNode,
  hardDriveNode,
  normalizeEfiPath,
  parseDevicePath,
} from './device-path.js';

const ESP: HardDriveNode = hardDriveNode({
  partitionNumber: 1,
  partitionStart: 0x800n,
  partitionSize: 0x100000n,
  format: 2,
  signatureType: 2,
  signature: ESP_PARTUUID,
});

const END = fromHex('7f ff 04 00');

function mustParse(bytes: Uint8Array, options = {}) {
  const result = parseDevicePath(bytes, options);
  if (!result.ok) throw new Error(result.reason);
  return result;
}

describe('hard drive node', () => {
  it('encodes the §5.2 ESP node byte for byte', () => {
    const bytes = formatDevicePath([ESP]);
    expect(bytes.subarray(0, 42)).toEqual(ESP_HARD_DRIVE_NODE);
    expect(bytes.subarray(42)).toEqual(END);
  });

  it('decodes it back', () => {
    const parsed = mustParse(formatDevicePath([ESP]));
    expect(parsed.nodes).toEqual([ESP]);
    expect(parsed.length).toBe(46);
  });

  it('handles an MBR signature and no signature', () => {
    const mbr = hardDriveNode({
      partitionNumber: 2,
      partitionStart: 2048n,
      partitionSize: 1n << 40n,
      format: 1,
      signatureType: 1,
      signature: 0x1234abcd,
    });
    const none = hardDriveNode({
      partitionNumber: 3,
      partitionStart: 0n,
      partitionSize: 0xffff_ffff_ffff_ffffn,
      format: 1,
      signatureType: 0,
      signature: null,
    });
    const bytes = formatDevicePath([mbr, none]);
    expect(Array.from(bytes.subarray(24, 28))).toEqual([0xcd, 0xab, 0x34, 0x12]);
    expect(mustParse(bytes).nodes).toEqual([mbr, none]);
  });

  it('refuses a length other than 42, an unknown format or signature type, and MBR padding', () => {
    const node = formatDevicePath([ESP]);
    const withLength = (length: number) => {
      const copy = new Uint8Array(length + 4);
      copy.set(node.subarray(0, Math.min(length, 42)));
      copy[2] = length;
      copy.set(END, length);
      return copy;
    };
    expect(parseDevicePath(withLength(41))).toMatchObject({ ok: false, reason: expect.stringContaining('not 42') });
    expect(parseDevicePath(withLength(43))).toMatchObject({ ok: false, reason: expect.stringContaining('not 42') });
    const badFormat = node.slice();
    badFormat[40] = 3;
    expect(parseDevicePath(badFormat)).toMatchObject({ ok: false, reason: expect.stringContaining('format 3') });
    const badType = node.slice();
    badType[41] = 7;
    expect(parseDevicePath(badType)).toMatchObject({ ok: false, reason: expect.stringContaining('signature type 7') });
    const mbrPadding = node.slice();
    mbrPadding[41] = 1;
    expect(parseDevicePath(mbrPadding)).toMatchObject({ ok: false, reason: expect.stringContaining('padding') });
  });

  it('rejects bad arguments with TypeError', () => {
    expect(() => formatDevicePath([{ ...ESP, partitionNumber: -1 }])).toThrow(TypeError);
    expect(() => formatDevicePath([{ ...ESP, partitionStart: -1n }])).toThrow(TypeError);
    expect(() => formatDevicePath([{ ...ESP, partitionSize: 1n << 64n }])).toThrow(TypeError);
    expect(() => formatDevicePath([{ ...ESP, format: 3 as 2 }])).toThrow(TypeError);
    expect(() => formatDevicePath([{ ...ESP, signature: 'not-a-guid' } as HardDriveNode])).toThrow(TypeError);
    expect(() =>
      formatDevicePath([hardDriveNode({ ...ESP, signatureType: 1, signature: 2 ** 32 } as HardDriveNode)]),
    ).toThrow(TypeError);
  });
});

describe('file path node', () => {
  it('writes UCS-2, backslashes, a leading backslash and a NUL', () => {
    const bytes = formatDevicePath([filePathNode('EFI/debian/fwupdx64.efi')]);
    expect(bytes[0]).toBe(4);
    expect(bytes[1]).toBe(4);
    expect(bytes[2]).toBe(4 + 2 * 25);
    expect(Array.from(bytes.subarray(4, 8))).toEqual([0x5c, 0, 0x45, 0]);
    expect(Array.from(bytes.subarray(4 + 48, 4 + 50))).toEqual([0, 0]);
    expect(mustParse(bytes).nodes).toEqual([{ kind: 'file-path', path: '\\EFI\\debian\\fwupdx64.efi' }]);
  });

  it('normalizes paths the way fwupd does', () => {
    expect(normalizeEfiPath('/EFI/debian/x.efi')).toBe('\\EFI\\debian\\x.efi');
    expect(normalizeEfiPath('\\EFI\\x')).toBe('\\EFI\\x');
    expect(normalizeEfiPath('EFI/x')).toBe('\\EFI\\x');
  });

  it('reproduces the capsule path node of §5.2 (length 0x80)', () => {
    const bytes = formatDevicePath([ESP, filePathNode(CAPSULE_PATH)]);
    expect(bytes).toEqual(UPDATE_INFO_226.subarray(0x34));
  });

  it('refuses odd lengths, a missing NUL, embedded NULs and no room for the NUL', () => {
    const node = (body: number[], length = body.length + 4) =>
      Uint8Array.from([4, 4, length, 0, ...body, 0x7f, 0xff, 4, 0]);
    expect(parseDevicePath(node([0x41, 0, 0]))).toMatchObject({ ok: false, reason: expect.stringContaining('odd') });
    expect(parseDevicePath(node([0x41, 0, 0x42, 0]))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not NUL-terminated'),
    });
    expect(parseDevicePath(node([0x41, 0, 0, 0, 0x42, 0, 0, 0]))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('before its end'),
    });
    expect(parseDevicePath(node([]))).toMatchObject({ ok: false, reason: expect.stringContaining('no room') });
    expect(mustParse(node([0x41, 0, 0, 0])).nodes).toEqual([{ kind: 'file-path', path: 'A' }]);
  });

  it('rejects empty, NUL-containing and non-UCS-2 paths with TypeError', () => {
    expect(() => formatDevicePath([{ kind: 'file-path', path: '' }])).toThrow(TypeError);
    expect(() => formatDevicePath([filePathNode('a\u0000b')])).toThrow(TypeError);
    expect(() => formatDevicePath([filePathNode('\u{1f600}.efi')])).toThrow(TypeError);
    expect(() => formatDevicePath([filePathNode('x'.repeat(40000))])).toThrow(TypeError);
  });
});

describe('device path walk', () => {
  it('keeps unknown nodes raw and round-trips them', () => {
    const nodes: DevicePathNode[] = [
      { kind: 'raw', type: 0x02, subType: 0x01, data: fromHex('d0 41 03 0a 00 00 00 00') },
      { kind: 'raw', type: 0x01, subType: 0x01, data: fromHex('00 1f') },
      ESP,
      filePathNode('\\EFI\\BOOT\\BOOTX64.EFI'),
    ];
    const bytes = formatDevicePath(nodes);
    expect(mustParse(bytes).nodes).toEqual(nodes);
    expect(formatDevicePath(mustParse(bytes).nodes)).toEqual(bytes);
    expect(formatDevicePathText(nodes)).toBe(
      `Path(2,1,d041030a00000000)/Path(1,1,001f)/HD(1,GPT,${ESP_PARTUUID},0x800,0x100000)/\\EFI\\BOOT\\BOOTX64.EFI`,
    );
  });

  it('requires End-of-entire exactly at the end unless told otherwise', () => {
    const bytes = formatDevicePath([ESP]);
    const trailing = Uint8Array.from([...bytes, 0xaa, 0xbb]);
    expect(parseDevicePath(trailing)).toMatchObject({ ok: false, reason: expect.stringContaining('2 bytes follow') });
    expect(parseDevicePath(trailing, { allowTrailing: true })).toMatchObject({ ok: true, length: 46 });
    expect(parseDevicePath(bytes.subarray(0, 42))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no end'),
    });
    expect(parseDevicePath(new Uint8Array())).toMatchObject({ ok: false, reason: 'device path is empty' });
    expect(mustParse(END).nodes).toEqual([]);
  });

  it('walks several paths only when allowed, and keeps End-of-instance nodes', () => {
    const two = Uint8Array.from([...formatDevicePath([ESP]), ...formatDevicePath([filePathNode('\\x')])]);
    expect(parseDevicePath(two).ok).toBe(false);
    const parsed = mustParse(two, { allowMultiple: true });
    expect(parsed.nodes).toEqual([ESP, { kind: 'end', subType: 0xff }, filePathNode('\\x')]);
    expect(formatDevicePath(parsed.nodes)).toEqual(two);
    const instances = formatDevicePath([ESP, { kind: 'end', subType: 0x01 }, ESP]);
    expect(mustParse(instances).nodes).toEqual([ESP, { kind: 'end', subType: 0x01 }, ESP]);
  });

  it('refuses short, long, zero-length and unknown end nodes', () => {
    expect(parseDevicePath(fromHex('7f ff 04'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('truncated'),
    });
    expect(parseDevicePath(fromHex('01 01 00 00 7f ff 04 00'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('length 0'),
    });
    expect(parseDevicePath(fromHex('01 01 03 00 7f ff 04 00'))).toMatchObject({ ok: false });
    expect(parseDevicePath(fromHex('01 01 09 00 7f ff 04 00'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('past the end'),
    });
    expect(parseDevicePath(fromHex('7f ff 06 00 00 00'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not 4'),
    });
    expect(parseDevicePath(fromHex('7f 02 04 00'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('subtype'),
    });
  });

  it('refuses an explicit final end node or typed nodes passed as raw', () => {
    expect(() => formatDevicePath([ESP, { kind: 'end', subType: 0xff }])).toThrow(TypeError);
    expect(() => formatDevicePath([{ kind: 'raw', type: 0x7f, subType: 0xff, data: new Uint8Array() }])).toThrow(
      TypeError,
    );
    expect(() => formatDevicePath([{ kind: 'raw', type: 4, subType: 4, data: new Uint8Array(2) }])).toThrow(TypeError);
    expect(() => formatDevicePath([{ kind: 'raw', type: 256, subType: 0, data: new Uint8Array() }])).toThrow(TypeError);
  });

  it('finds the hard drive and the file path', () => {
    const nodes = [ESP, filePathNode(CAPSULE_PATH)];
    expect(findHardDrive(nodes)).toEqual(ESP);
    expect(findFilePath(nodes)).toBe(CAPSULE_PATH);
    expect(findFilePath([ESP])).toBeUndefined();
  });
});

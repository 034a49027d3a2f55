/**
 * Peer check against the real fwupd 2.0.20: `fwupdtool firmware-parse FILE uefi-update-info` and
 * `... efi-load-option` on bytes capstan encodes. Run with a clean environment and a temporary
 * HOME so no user or system state leaks in.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FWUPD_ENTRY, FWUPD_SB_ENTRY, UPDATE_INFO_226_FIELDS } from '../../test/catalogs/efi/objects.js';
import { ESP_PARTUUID, FW_CLASS, UPDATE_INFO_226 } from '../../test/catalogs/efi/reference-bytes.js';
import { haveTool } from '../../test/helpers/tools.js';
import { type DevicePathNode, filePathNode, hardDriveNode } from './device-path.js';
import { formatLoadOption, type LoadOption } from './load-option.js';
import { checkFwupdEfiAcceptance, formatUpdateInfo, parseUpdateInfo, type UpdateInfo } from './structs/update-info.js';

let home = '';
let counter = 0;

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-fwupdtool-'));
});
afterAll(() => {
  if (home !== '') fs.rmSync(home, { recursive: true, force: true });
});

interface Parsed {
  status: number;
  xml: string;
  stderr: string;
  tag(name: string): string | undefined;
  tags(name: string): string[];
}

function firmwareParse(bytes: Uint8Array, type: 'uefi-update-info' | 'efi-load-option'): Parsed {
  const file = path.join(home, `blob-${counter++}.bin`);
  fs.writeFileSync(file, bytes);
  const result = spawnSync('fwupdtool', ['firmware-parse', file, type], {
    encoding: 'utf8',
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: home, LANG: 'C.UTF-8' },
    timeout: 30_000,
  });
  const xml = result.stdout.slice(Math.max(0, result.stdout.indexOf('<firmware')));
  const tags = (name: string): string[] =>
    [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1] ?? '');
  return { status: result.status ?? -1, xml, stderr: result.stderr, tag: (name) => tags(name)[0], tags };
}

const statusName = (status: number): string => ['unknown', 'attempt-update', 'attempted'][status] ?? String(status);
const slashed = (text: string): string => text.replaceAll('\\', '/');

function expectUpdateInfoAgrees(info: UpdateInfo, bytes: Uint8Array): void {
  const parsed = firmwareParse(bytes, 'uefi-update-info');
  expect(parsed.status, parsed.stderr).toBe(0);
  expect(parsed.tag('guid')).toBe(info.guid);
  expect(parsed.tag('version_raw')).toBe(`0x${info.version.toString(16)}`);
  expect(parsed.tag('capsule_flags')).toBe(`0x${info.capsuleFlags.toString(16)}`);
  // fwupd leaves out a zero (unknown) status.
  expect(parsed.tag('status')).toBe(info.status === 0 ? undefined : statusName(info.status));
  const file = info.devicePath.find((node) => node.kind === 'file-path');
  expect(parsed.tag('capsule_fn')).toBe(file?.kind === 'file-path' ? slashed(file.path) : undefined);
}

function expectLoadOptionAgrees(option: LoadOption, bytes: Uint8Array): Parsed {
  const parsed = firmwareParse(bytes, 'efi-load-option');
  expect(parsed.status, parsed.stderr).toBe(0);
  expect(parsed.tag('id')).toBe(option.description);
  expect(parsed.tag('attrs')).toBe(`0x${option.attributes.toString(16)}`);
  const hardDrives = option.filePathList.filter((node) => node.kind === 'hard-drive');
  expect(parsed.tags('partition_number')).toEqual(hardDrives.map((hd) => `0x${hd.partitionNumber.toString(16)}`));
  expect(parsed.tags('partition_start')).toEqual(hardDrives.map((hd) => `0x${hd.partitionStart.toString(16)}`));
  expect(parsed.tags('partition_size')).toEqual(hardDrives.map((hd) => `0x${hd.partitionSize.toString(16)}`));
  expect(parsed.tags('name')).toEqual(
    option.filePathList.flatMap((node) => (node.kind === 'file-path' ? [slashed(node.path)] : [])),
  );
  return parsed;
}

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomGuid(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function randomPath(next: () => number): DevicePathNode[] {
  const esp = hardDriveNode({
    partitionNumber: 1 + Math.floor(next() * 128),
    partitionStart: BigInt(Math.floor(next() * 2 ** 40)),
    partitionSize: BigInt(Math.floor(next() * 2 ** 40)),
    format: 2,
    signatureType: 2,
    signature: randomGuid(next),
  });
  const name = Array.from({ length: 1 + Math.floor(next() * 40) }, () =>
    String.fromCharCode(0x61 + Math.floor(next() * 26)),
  ).join('');
  return [esp, filePathNode(`\\EFI\\${name}\\fw\\fwupd-${randomGuid(next)}.cap`)];
}

describe.skipIf(!haveTool('fwupdtool'))('fwupdtool 2.0.20 firmware-parse agrees', () => {
  it('uefi-update-info: the 226-byte worked example capstan encodes', () => {
    const bytes = formatUpdateInfo(UPDATE_INFO_226_FIELDS);
    expect(bytes).toEqual(UPDATE_INFO_226);
    expectUpdateInfoAgrees(UPDATE_INFO_226_FIELDS, bytes);
    const parsed = firmwareParse(bytes, 'uefi-update-info');
    expect(parsed.tag('capsule_fn')).toBe(`/EFI/debian/fw/fwupd-${FW_CLASS}.cap`);
    expect(parsed.xml).toContain('size="0xe2"');
  });

  it('uefi-update-info: 40 generated variables (status 0/1/2, any flags and guid)', () => {
    const next = random(0x5eed);
    for (let i = 0; i < 40; i++) {
      const info: UpdateInfo = {
        ...UPDATE_INFO_226_FIELDS,
        guid: randomGuid(next),
        capsuleFlags: Math.floor(next() * 2 ** 32),
        status: i % 3,
        devicePath: randomPath(next),
      };
      expectUpdateInfoAgrees(info, formatUpdateInfo(info));
    }
  });

  it('efi-load-option: the 152-byte Boot#### and the 178-byte Secure Boot variant', () => {
    const plain = expectLoadOptionAgrees(FWUPD_ENTRY, formatLoadOption(FWUPD_ENTRY));
    expect(plain.tag('partition_signature')).toBe(ESP_PARTUUID);
    expect(plain.xml).toContain('size="0x98"');
    const sb = expectLoadOptionAgrees(FWUPD_SB_ENTRY, formatLoadOption(FWUPD_SB_ENTRY));
    expect(sb.tag('kind')).toBe('path');
    // fwupd shows the shim argument without its leading backslash.
    expect(sb.tag('path')).toBe('fwupdx64.efi');
    expect(sb.xml).toContain('size="0xb2"');
  });

  it('efi-load-option: raw nodes and binary optional data survive', () => {
    const option: LoadOption = {
      attributes: 0x1,
      description: 'Other',
      filePathList: [
        { kind: 'raw', type: 2, subType: 1, data: Uint8Array.of(0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0) },
        ...randomPath(random(7)),
      ],
      optionalData: Uint8Array.of(1, 2, 3),
    };
    const parsed = expectLoadOptionAgrees(option, formatLoadOption(option));
    expect(parsed.tag('optional_data')).toBe('AQID');
  });

  it('where fwupd is more lenient than the helper, capstan sides with the helper', () => {
    // Two bytes after the End node: fwupd 2.0.20 parses it, fwupd-efi 1.4 deletes it and aborts.
    const trailing = Uint8Array.from([...UPDATE_INFO_226, 0, 0]);
    expect(firmwareParse(trailing, 'uefi-update-info').status).toBe(0);
    expect(checkFwupdEfiAcceptance(trailing).ok).toBe(false);
    expect(parseUpdateInfo(trailing).ok).toBe(false);
    // Truncated inside the End node: everyone refuses.
    const truncated = UPDATE_INFO_226.subarray(0, 224);
    expect(firmwareParse(truncated, 'uefi-update-info').status).not.toBe(0);
    expect(parseUpdateInfo(truncated).ok).toBe(false);
    // A 41-byte Hard Drive node: fwupd refuses, the strict decoder refuses.
    const hd41 = UPDATE_INFO_226.slice();
    hd41[0x36] = 41;
    expect(firmwareParse(hd41, 'uefi-update-info').status).not.toBe(0);
    expect(parseUpdateInfo(hd41).ok).toBe(false);
  });
});

/**
 * The strict decoders against every truncation of the reference bytes and a seeded mutation loop:
 * they answer {ok: false, reason} and never throw, and whatever they accept re-encodes to the same
 * bytes (when the encoder's path normalization is the identity) and passes the kernel's checks.
 */
import { describe, expect, it } from 'vitest';
import {
  BOOT_ENTRY_152,
  BOOT_ENTRY_SB_178,
  fromHex,
  UPDATE_INFO_226,
} from '../../test/catalogs/efi/reference-bytes.js';
import { parseBootNext, parseBootOrder, parseOsIndications } from './boot-vars.js';
import { bytesEqual } from './bytes.js';
import { type DevicePathNode, formatDevicePath, parseDevicePath } from './device-path.js';
import { EFI_GLOBAL_VARIABLE_GUID } from './guid.js';
import { formatLoadOption, parseLoadOption } from './load-option.js';
import { parseEfiTime } from './structs/efi-time.js';
import { checkFwupdEfiAcceptance, formatUpdateInfo, parseUpdateInfo } from './structs/update-info.js';
import { validateKernelVariable } from './variable-policy.js';

/** mulberry32: a deterministic PRNG so a failing case reproduces from its seed. */
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

/** Byte offsets of the u16 length fields of the nodes in a well-formed device path at `start`. */
function lengthFields(bytes: Uint8Array, start: number): number[] {
  const fields: number[] = [];
  for (let at = start; at + 4 <= bytes.length; ) {
    fields.push(at + 2);
    const length = (bytes[at + 2] ?? 0) | ((bytes[at + 3] ?? 0) << 8);
    if (length < 4) break;
    at += length;
  }
  return fields;
}

function mutate(bytes: Uint8Array, next: () => number, hotSpots: readonly number[]): Uint8Array {
  const pick = (n: number) => Math.floor(next() * n);
  const out = Array.from(bytes);
  const operations = 1 + pick(3);
  for (let i = 0; i < operations; i++) {
    switch (pick(7)) {
      case 0: // random byte
        if (out.length > 0) out[pick(out.length)] = pick(256);
        break;
      case 1: // a length field (or description length) to a nearby or extreme value
        if (hotSpots.length > 0) {
          const at = hotSpots[pick(hotSpots.length)] ?? 0;
          const value = [0, 1, 2, 3, 4, 5, 41, 42, 43, 0xffff, pick(0x10000)][pick(11)] ?? 0;
          out[at] = value & 0xff;
          out[at + 1] = value >> 8;
        }
        break;
      case 2: // truncate
        out.length = pick(out.length + 1);
        break;
      case 3: // insert
        out.splice(pick(out.length + 1), 0, ...Array.from({ length: 1 + pick(4) }, () => pick(256)));
        break;
      case 4: // delete a range
        out.splice(pick(out.length + 1), 1 + pick(6));
        break;
      case 5: // append
        out.push(...Array.from({ length: 1 + pick(4) }, () => pick(256)));
        break;
      default: // flip a bit
        if (out.length > 0) {
          const at = pick(out.length);
          out[at] = (out[at] ?? 0) ^ (1 << pick(8));
        }
    }
  }
  return Uint8Array.from(out);
}

const normalized = (nodes: readonly DevicePathNode[]): boolean =>
  nodes.every((node) => node.kind !== 'file-path' || (node.path.startsWith('\\') && !node.path.includes('/')));

interface Tally {
  cases: number;
  accepted: number;
  problems: string[];
}

function run(corpus: Uint8Array, hotSpots: number[], seed: number, cases: number, check: (b: Uint8Array) => boolean) {
  const next = random(seed);
  const tally: Tally = { cases: 0, accepted: 0, problems: [] };
  for (let i = 0; i < cases; i++) {
    const bytes = mutate(corpus, next, hotSpots);
    tally.cases++;
    try {
      if (check(bytes)) tally.accepted++;
    } catch (error) {
      tally.problems.push(`case ${i}: ${String(error)} for ${Buffer.from(bytes).toString('hex')}`);
    }
  }
  return tally;
}

function checkUpdateInfo(bytes: Uint8Array): boolean {
  const result = parseUpdateInfo(bytes);
  const helper = checkFwupdEfiAcceptance(bytes);
  if (typeof result.ok !== 'boolean' || typeof helper.ok !== 'boolean') throw new Error('no ok field');
  if (!result.ok) {
    if (typeof result.reason !== 'string' || result.reason === '') throw new Error('no reason');
    return false;
  }
  if (!helper.ok) throw new Error(`decoder accepted what fwupd-efi deletes: ${helper.reason}`);
  const padsZero = bytes[0x27] === 0 && bytes[0x2f] === 0;
  if (normalized(result.info.devicePath) && padsZero) {
    let again: Uint8Array | undefined;
    try {
      again = formatUpdateInfo(result.info);
    } catch {
      again = undefined; // an out-of-range time_attempted cannot be re-encoded, by design
    }
    if (again !== undefined && !bytesEqual(again, bytes)) throw new Error('re-encoding differs');
  }
  return true;
}

function checkLoadOption(bytes: Uint8Array): boolean {
  const result = parseLoadOption(bytes);
  if (!result.ok) {
    if (typeof result.reason !== 'string' || result.reason === '') throw new Error('no reason');
    return false;
  }
  const kernel = validateKernelVariable(EFI_GLOBAL_VARIABLE_GUID, 'Boot0001', bytes);
  if (kernel !== undefined) throw new Error(`decoder accepted what the kernel refuses: ${kernel}`);
  if (normalized(result.option.filePathList) && !bytesEqual(formatLoadOption(result.option), bytes)) {
    throw new Error('re-encoding differs');
  }
  return true;
}

function checkDevicePath(bytes: Uint8Array): boolean {
  const strict = parseDevicePath(bytes);
  const multiple = parseDevicePath(bytes, { allowMultiple: true });
  const trailing = parseDevicePath(bytes, { allowTrailing: true });
  if (strict.ok && !(multiple.ok && trailing.ok)) throw new Error('a relaxation refused what strict accepted');
  if (trailing.ok && (trailing.length > bytes.length || trailing.length < 4)) throw new Error('bad length');
  if (multiple.ok && normalized(multiple.nodes) && !bytesEqual(formatDevicePath(multiple.nodes), bytes)) {
    throw new Error('re-encoding differs');
  }
  return strict.ok;
}

describe('every truncation is refused', () => {
  it('update-info (226 bytes): all 226 truncations', () => {
    for (let length = 0; length < UPDATE_INFO_226.length; length++) {
      const bytes = UPDATE_INFO_226.subarray(0, length);
      expect(parseUpdateInfo(bytes).ok, `length ${length}`).toBe(false);
      expect(checkFwupdEfiAcceptance(bytes).ok, `length ${length}`).toBe(false);
    }
  });

  it('Boot#### (152 bytes): all truncations; the SB variant only inside its optional data', () => {
    for (let length = 0; length < BOOT_ENTRY_152.length; length++) {
      expect(parseLoadOption(BOOT_ENTRY_152.subarray(0, length)).ok, `length ${length}`).toBe(false);
    }
    for (let length = 0; length < BOOT_ENTRY_SB_178.length; length++) {
      // Optional data has no length of its own: a shorter one is still a well-formed load option.
      expect(parseLoadOption(BOOT_ENTRY_SB_178.subarray(0, length)).ok, `length ${length}`).toBe(length >= 150);
    }
  });

  it('device path: every truncation of HD + file path + End', () => {
    const path = UPDATE_INFO_226.subarray(0x34);
    for (let length = 0; length < path.length; length++) {
      expect(parseDevicePath(path.subarray(0, length)).ok, `length ${length}`).toBe(false);
    }
  });

  it('BootNext, BootOrder, OsIndications, EFI_TIME: bad lengths', () => {
    for (const length of [0, 1, 3, 4, 8]) expect(parseBootNext(new Uint8Array(length)).ok).toBe(false);
    for (const length of [1, 3, 5, 151]) expect(parseBootOrder(new Uint8Array(length)).ok).toBe(false);
    for (const length of [0, 4, 7, 9, 16]) expect(parseOsIndications(new Uint8Array(length)).ok).toBe(false);
    for (let length = 0; length < 16; length++) expect(parseEfiTime(new Uint8Array(length)).ok).toBe(false);
    expect(parseBootNext(fromHex('02 00 00')).ok).toBe(false);
  });
});

describe('seeded mutations never throw and never accept a bad variable', () => {
  it('update-info: 4000 mutants', () => {
    const tally = run(UPDATE_INFO_226, lengthFields(UPDATE_INFO_226, 0x34), 0xc0ffee, 4000, checkUpdateInfo);
    expect(tally.problems).toEqual([]);
    expect(tally.cases).toBe(4000);
    // Some mutants (a changed guid, flag or status byte) must still be accepted.
    expect(tally.accepted).toBeGreaterThan(100);
    expect(tally.accepted).toBeLessThan(tally.cases);
  });

  it('Boot#### (both variants): 4000 mutants', () => {
    const plain = run(BOOT_ENTRY_152, [4, ...lengthFields(BOOT_ENTRY_152, 52)], 0xb007, 2000, checkLoadOption);
    const sb = run(BOOT_ENTRY_SB_178, [4, ...lengthFields(BOOT_ENTRY_SB_178, 52)], 0x5b, 2000, checkLoadOption);
    expect([...plain.problems, ...sb.problems]).toEqual([]);
    expect(plain.accepted + sb.accepted).toBeGreaterThan(100);
    expect(plain.accepted + sb.accepted).toBeLessThan(4000);
  });

  it('device paths: 3000 mutants', () => {
    const path = UPDATE_INFO_226.subarray(0x34);
    const tally = run(path, lengthFields(path, 0), 0xd1, 3000, checkDevicePath);
    expect(tally.problems).toEqual([]);
    expect(tally.accepted).toBeGreaterThan(50);
  });

  it('fixed-size variables: 2000 random buffers', () => {
    const next = random(42);
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(next() * 20) }, () => Math.floor(next() * 256));
      expect(parseBootNext(bytes).ok).toBe(bytes.length === 2);
      expect(parseBootOrder(bytes).ok).toBe(bytes.length % 2 === 0);
      expect(parseOsIndications(bytes).ok).toBe(bytes.length === 8);
      expect(parseEfiTime(bytes).ok).toBe(bytes.length >= 16);
      expect(parseLoadOption(bytes).ok || parseUpdateInfo(bytes).ok).toBe(false);
    }
  });
});

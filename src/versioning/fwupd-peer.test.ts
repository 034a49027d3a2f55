import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveTool } from '../../test/helpers/tools.js';
import { compareVersions, formatVersion, VERSION_FORMATS, type VersionFormatId } from './index.js';

/*
 * Cross-checks against the real fwupdtool: `vercmp` for the comparison rules (one process per
 * pair, run a few at a time) and one `get-devices` over a fake ESRT for the uint32 rendering.
 * Arguments starting with '-' cannot reach vercmp (option parsing), nor can NUL, so none are generated.
 */

const run = promisify(execFile);
const FORMAT_IDS = [...VERSION_FORMATS.keys()];
const PARALLEL = 4;

interface VercmpCase {
  group: 'edge' | 'plain' | 'hex' | 'rendered' | 'random';
  a: string;
  b: string;
  format?: VersionFormatId;
}

interface VercmpResult {
  case: VercmpCase;
  ours: number;
  /** -1, 0 or 1, or why no verdict could be read. */
  fwupd: number | string;
}

/** xorshift32: a fixed seed gives the same "random" table on every run. */
function createRandom(seed: number): (limit: number) => number {
  let state = seed >>> 0 || 1;
  return (limit) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % limit;
  };
}

const EDGE_PAIRS: [string, string][] = [
  ['1.2', '1.2.0'],
  ['1.2.3', '1.2.3.0'],
  ['1.02', '1.2'],
  ['1.2.10', '1.2.9'],
  ['1.0~rc1', '1.0'],
  ['1.0~rc1', '1.0~rc2'],
  ['1.0', '1.0a'],
  ['1.0.0a', '1.0.0b'],
  ['1.0.A', '1.0.a'],
  ['1.2.3-rc1', '1.2.3'],
  ['1.0_1', '1.0.1'],
  ['1.2~', '1.2'],
  ['1.2~a', '1.2~'],
  ['a', 'b'],
  ['abc', '1'],
  ['a.b.c', 'a.b'],
  ['1.a', '1.0'],
  ['1..2', '1.0.2'],
  ['.1', '0.1'],
  ['1.', '1.0'],
  ['1', '1.'],
  ['', ''],
  ['', '0'],
  ['~', ''],
  ['1. 2', '1.2'],
  ['1.\v2', '1.2'],
  ['1.\t2', '1.2'],
  ['1 ', '1'],
  [' 1', '1'],
  ['1.+2', '1.2'],
  ['1.-0', '1.0'],
  ['1.-1', '1.0'],
  ['1.-', '1.+'],
  ['01.0', '1.0'],
  ['2.0', '10.0'],
  ['0x10', '16'],
  ['99999999999999999999', '9223372036854775807'],
  ['99999999999999999999', '9223372036854775808a'],
  ['18446744073709551616', '18446744073709551615'],
  ['1.0', '1.0é'],
  ['1.é', '1.~'],
  ['é', 'e'],
  ['1.2.3.4.5.6', '1.2.3.4.5'],
  ['0.1.0.50', '0.1.0.54'],
];

const PLAIN_PAIRS: [string, string][] = [
  ['10', '9'],
  ['1.2', '1.2.0'],
  ['1.02', '1.2'],
  ['1.0~rc1', '1.0'],
  ['a', 'é'],
  ['abc', 'abc'],
  ['', 'a'],
  ['Z', 'a'],
];

const HEX_PAIRS: [string, string][] = [
  ['0x10', '16'],
  ['0x1', '0x00000001'],
  ['0', '0x0'],
  ['0', '0x00000000'],
  ['0X10', '16'],
  ['+16', '0x10'],
  [' 16', '0x10'],
  ['16\n', '0x10'],
  ['0x0x10', '16'],
  ['4294967295', '0xffffffff'],
  ['0xFFFFFFFF', '4294967295'],
  ['4294967296', '0x0'],
  ['0x100000000', '0x1'],
  ['19999999', '0x01312cff'],
  ['20000000', '0x01312d00'],
  ['20abcdef', '0x20abcdef'],
  ['1.2', '0x1'],
  ['0xa', '9'],
  ['0x0000000a', '0x9'],
  ['0xg', '0x0'],
  ['abc', '0xabc'],
  ['12a', '0x12a'],
];

const RANDOM_ALPHABET = '0000111222345678999....~~-+ abzé';

function generateString(random: (limit: number) => number): string {
  let text = '';
  const length = random(9);
  for (let i = 0; i < length; i++) text += RANDOM_ALPHABET[random(RANDOM_ALPHABET.length)] ?? '';
  return text.startsWith('-') ? `0${text}` : text;
}

/** Half the time `b` is `a` with one character changed, so that near-ties are exercised. */
function generatePair(random: (limit: number) => number): [string, string] {
  const a = generateString(random);
  if (a.length === 0 || random(2) === 0) return [a, generateString(random)];
  const at = random(a.length);
  const b = `${a.slice(0, at)}${RANDOM_ALPHABET[random(RANDOM_ALPHABET.length)] ?? ''}${a.slice(at + 1)}`;
  return [a, b.startsWith('-') ? `0${b}` : b];
}

function generateHexSide(random: (limit: number) => number): string {
  const value = (random(0x10000) * 0x10000 + random(0x10000)) >>> random(32);
  switch (random(4)) {
    case 0:
      return String(value);
    case 1:
      return `0x${value.toString(16)}`;
    case 2:
      return `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;
    default:
      return `20${String(value % 1_000_000).padStart(6, '0')}`;
  }
}

function buildVercmpCases(): VercmpCase[] {
  const random = createRandom(0x5eed_f00d);
  const cases: VercmpCase[] = [
    ...EDGE_PAIRS.map(([a, b]): VercmpCase => ({ group: 'edge', a, b })),
    ...PLAIN_PAIRS.map(([a, b]): VercmpCase => ({ group: 'plain', a, b, format: 'plain' })),
    ...HEX_PAIRS.map(([a, b]): VercmpCase => ({ group: 'hex', a, b, format: 'hex' })),
  ];
  for (const format of FORMAT_IDS) {
    for (let i = 0; i < 3; i++) {
      const rawA = (random(0x10000) * 0x10000 + random(0x10000)) >>> 0;
      // the other side differs in one random byte, or is the next value up
      const rawB = i === 0 ? Math.min(rawA + 1, 0xffffffff) : (rawA ^ (random(256) << (8 * random(4)))) >>> 0;
      cases.push({ group: 'rendered', a: formatVersion(rawA, format), b: formatVersion(rawB, format), format });
    }
  }
  for (let i = 0; i < 25; i++) {
    const [a, b] = generatePair(random);
    cases.push({ group: 'random', a, b });
  }
  for (let i = 0; i < 8; i++) {
    const [a, b] = generatePair(random);
    cases.push({ group: 'random', a, b, format: 'plain' });
  }
  for (let i = 0; i < 12; i++) {
    cases.push({ group: 'random', a: generateHexSide(random), b: generateHexSide(random), format: 'hex' });
  }
  return cases;
}

/** vercmp prints `A < B`, `A == B` or `A > B` as its last line, after progress output. */
function parseVerdict(stdout: string, { a, b }: VercmpCase): number | undefined {
  for (const [operator, verdict] of [
    ['<', -1],
    ['==', 0],
    ['>', 1],
  ] as const) {
    if (stdout.endsWith(`${a} ${operator} ${b}\n`)) return verdict;
  }
  return undefined;
}

async function runVercmp(entry: VercmpCase, env: NodeJS.ProcessEnv): Promise<number | string> {
  const args = ['vercmp', entry.a, entry.b, ...(entry.format === undefined ? [] : [entry.format])];
  try {
    const { stdout } = await run('fwupdtool', args, { env, encoding: 'utf8', timeout: 20_000 });
    return parseVerdict(stdout, entry) ?? `unreadable output: ${JSON.stringify(stdout.slice(-200))}`;
  } catch (error) {
    return `fwupdtool failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Runs every case, a few processes at a time. */
async function collectVercmpResults(cases: readonly VercmpCase[], env: NodeJS.ProcessEnv): Promise<VercmpResult[]> {
  const results: VercmpResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let entry = cases[next++]; entry !== undefined; entry = cases[next++]) {
      const fwupd = await runVercmp(entry, env);
      results.push({ case: entry, ours: compareVersions(entry.a, entry.b, entry.format), fwupd });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return results;
}

interface EsrtCase {
  guid: string;
  format: VersionFormatId;
  raw: number;
  lowest: number;
}

/** Every format at edge values and a few seeded random ones; each entry gets its own GUID. */
function buildEsrtCases(): EsrtCase[] {
  const random = createRandom(0xe5a7);
  const raws = [0, 1, 0x12345678, 0x00010032, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff];
  for (let i = 0; i < 4; i++) raws.push((random(0x10000) * 0x10000 + random(0x10000)) >>> 0);
  const cases: EsrtCase[] = [];
  for (const format of FORMAT_IDS) {
    raws.forEach((raw, i) => {
      const guid = `ca95a000-0000-4000-8000-${cases.length.toString(16).padStart(12, '0')}`;
      cases.push({ guid, format, raw, lowest: raws[(i + 1) % raws.length] ?? 0 });
    });
  }
  return cases;
}

/**
 * A fake sysfs ESRT with one entry per case and a quirk file giving each GUID its VersionFormat.
 * FWUPD_UEFI_TEST skips fwupd's efivarfs mount check; nothing outside `dir` is written.
 */
function writeFakeEsrt(dir: string, cases: readonly EsrtCase[]): NodeJS.ProcessEnv {
  const quirks: string[] = [];
  cases.forEach((entry, i) => {
    const entryDir = path.join(dir, 'fw/efi/esrt/entries', `entry${i}`);
    mkdirSync(entryDir, { recursive: true });
    const files: Record<string, string> = {
      fw_class: entry.guid,
      fw_type: '0',
      fw_version: String(entry.raw),
      lowest_supported_fw_version: String(entry.lowest),
      capsule_flags: '0x0',
      last_attempt_version: '0',
      last_attempt_status: '0',
    };
    for (const [name, value] of Object.entries(files)) writeFileSync(path.join(entryDir, name), `${value}\n`);
    quirks.push(`[${entry.guid}]\nVersionFormat = ${entry.format}\n`);
  });
  mkdirSync(path.join(dir, 'fw/efi/efivars'), { recursive: true });
  mkdirSync(path.join(dir, 'state/lib/fwupd/quirks.d'), { recursive: true });
  writeFileSync(path.join(dir, 'state/lib/fwupd/quirks.d/capstan-test.quirk'), quirks.join('\n'));
  return {
    FWUPD_UEFI_TEST: '1',
    FWUPD_SYSFSFWDIR: path.join(dir, 'fw'),
    FWUPD_LOCALSTATEDIR: path.join(dir, 'state'),
  };
}

interface FwupdDevice {
  Guid?: string[];
  VersionFormat?: string;
  Version?: string;
  VersionLowest?: string;
}

describe.skipIf(!haveTool('fwupdtool'))('agreement with the real fwupdtool', () => {
  let home = '';
  let env: NodeJS.ProcessEnv = {};
  let peerVersion = 'unknown';
  const cases = buildVercmpCases();
  let results: VercmpResult[] = [];

  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'capstan-fwupd-'));
    env = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' };
    const version = spawnSync('fwupdtool', ['--version'], { env, encoding: 'utf8' });
    peerVersion = /org\.freedesktop\.fwupd\s+(\S+)/.exec(version.stdout)?.[1] ?? 'unknown';
    results = await collectVercmpResults(cases, env);
  }, 60_000);

  afterAll(() => {
    if (home !== '') rmSync(home, { recursive: true, force: true });
  });

  it('gets a verdict for each of at least 60 pairs, and all three kinds of verdict', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(results).toHaveLength(cases.length);
    expect(new Set(results.map((result) => result.fwupd))).toEqual(new Set([-1, 0, 1]));
  });

  for (const group of ['edge', 'plain', 'hex', 'rendered', 'random'] as const) {
    it(`compares like fwupdtool vercmp: ${group} pairs`, () => {
      const mismatches = results.filter((result) => result.case.group === group && result.fwupd !== result.ours);
      expect(mismatches, `fwupdtool ${peerVersion}`).toEqual([]);
    });
  }

  it('renders raw ESRT versions like fwupdtool get-devices, for every format', () => {
    const esrtCases = buildEsrtCases();
    const dir = mkdtempSync(path.join(home, 'esrt-'));
    const result = spawnSync('fwupdtool', ['get-devices', '--json', '--plugins', 'uefi-capsule'], {
      env: { ...env, ...writeFakeEsrt(dir, esrtCases) },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status, result.stderr.slice(-500)).toBe(0);
    const devices = (JSON.parse(result.stdout) as { Devices?: FwupdDevice[] }).Devices ?? [];
    const byGuid = new Map(devices.map((device) => [device.Guid?.[0], device]));
    const differences = esrtCases.flatMap((entry) => {
      const device = byGuid.get(entry.guid);
      const ours = {
        VersionFormat: entry.format,
        Version: formatVersion(entry.raw, entry.format),
        // fwupd leaves VersionLowest unset for a raw 0
        VersionLowest: entry.lowest === 0 ? undefined : formatVersion(entry.lowest, entry.format),
      };
      const theirs = {
        VersionFormat: device?.VersionFormat,
        Version: device?.Version,
        VersionLowest: device?.VersionLowest,
      };
      return JSON.stringify(ours) === JSON.stringify(theirs) ? [] : [{ raw: entry.raw, ours, theirs }];
    });
    expect(differences, `fwupdtool ${peerVersion}`).toEqual([]);
  });
});

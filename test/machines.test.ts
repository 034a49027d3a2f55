import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MACHINES, REPO, runCli } from './helpers/run-cli.js';

interface Expectation {
  exitCode: number;
  platformKind: string | null;
  errorCode: string | null;
  esrtStatus: string | null;
  devices: Array<{ guid: string; updatable: boolean; problemCodes: string[] }>;
  tableProblemCodes: string[];
  messageIncludes: string[];
}

/** The parts of the JSON documents these tests read (the full shapes are in docs/json-output.md). */
interface DevicesDocument {
  schemaVersion: number;
  error?: { code: string; message: string; hint: string; details?: { problems?: Problem[] } };
  platform: { kind: string };
  esrt: { status: string; problems: Problem[] };
  devices: Array<Record<string, unknown> & { guid: string; updatable: boolean; problems: Problem[] }>;
}

interface DoctorDocument {
  platform: { kind: string };
  checks: Array<{ id: string; status: string; code?: string; fix?: string }>;
}

interface Problem {
  code: string;
  severity: string;
  message: string;
  hint: string;
}

const machineDirs = [
  ...fs
    .readdirSync(MACHINES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(MACHINES, entry.name)),
  path.join(REPO, 'demo/machine'),
];

describe.each(machineDirs.map((dir) => [path.relative(REPO, dir), dir]))('%s', (_name, dir) => {
  const machine = JSON.parse(fs.readFileSync(path.join(dir, 'machine.json'), 'utf8')) as { expect: Expectation };
  const expected = machine.expect;
  const root = path.join(dir, 'root');

  it('get-devices --json gives the expected verdict', async () => {
    const result = await runCli(['--root', root, 'get-devices', '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(expected.exitCode);
    const doc = result.json<DevicesDocument>();
    expect(doc.schemaVersion).toBe(1);
    if (expected.errorCode !== null) {
      expect(doc.error?.code).toBe(expected.errorCode);
      expect(doc.error?.message).toMatch(/\S/);
      expect(doc.error?.hint).toMatch(/\S/);
      const problems: Problem[] = doc.error?.details?.problems ?? [];
      expect(problems.map((p) => p.code).sort()).toEqual([...expected.tableProblemCodes].sort());
      return;
    }
    expect(doc.platform.kind).toBe(expected.platformKind);
    expect(doc.esrt.status).toBe(expected.esrtStatus);
    expect(doc.esrt.problems.map((p) => p.code).sort()).toEqual([...expected.tableProblemCodes].sort());
    expect(
      doc.devices.map((d) => ({
        guid: d.guid,
        updatable: d.updatable,
        problemCodes: d.problems.map((p) => p.code).sort(),
      })),
    ).toEqual(expected.devices.map((d) => ({ ...d, problemCodes: [...d.problemCodes].sort() })));
    for (const device of doc.devices) {
      for (const key of [
        'guid',
        'fwType',
        'version',
        'versionRaw',
        'versionFormat',
        'lowestSupportedVersionRaw',
        'capsuleFlags',
        'lastAttemptStatus',
        'lastAttemptVersion',
        'updatable',
        'problems',
      ]) {
        expect(device).toHaveProperty(key);
      }
    }
  });

  it('human output says what the reference expects', async () => {
    const result = await runCli(['--root', root, 'get-devices']);
    expect(result.status).toBe(expected.exitCode);
    const text = result.stdout + result.stderr;
    for (const needle of expected.messageIncludes) expect(text).toContain(needle);
    if (expected.exitCode !== 0) expect(result.stderr).toMatch(/^capstan: error: .+\n {2}fix: .+/);
  });

  it('doctor runs to the end and agrees on the platform', async () => {
    const result = await runCli(['--root', root, 'doctor', '--json']);
    const doc = result.json<DoctorDocument>();
    const platformCheck = doc.checks.find((c) => c.id === 'platform');
    if (expected.platformKind === null) {
      expect(platformCheck?.status).toBe('fail');
      expect(platformCheck?.code).toBe(expected.errorCode);
      expect(result.status).toBe(expected.exitCode);
    } else {
      expect(platformCheck?.status).toBe('pass');
      expect(doc.platform.kind).toBe(expected.platformKind);
    }
    for (const check of doc.checks) {
      if (check.status === 'warn' || check.status === 'fail') expect(check.fix).toMatch(/\S/);
    }
  });
});

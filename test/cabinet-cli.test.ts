import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EXIT_STATUS } from '../src/core/exit-codes.js';
import { makeDemoRoot } from './helpers/demo-root.js';
import { makeRoot } from './helpers/make-root.js';
import { REPO, runCli } from './helpers/run-cli.js';
import { haveTool } from './helpers/tools.js';

const CAB = path.join(REPO, 'demo/catalog/cabs/laptop13-system-0.1.0.54.cab');

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-cab-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Extracts the demo cabinet with gcab, lets the test change the files, packs it again with gcab. */
function repack(edit: (dir: string) => void): string {
  const dir = tempDir();
  const work = path.join(dir, 'work');
  fs.mkdirSync(work);
  const extract = spawnSync('gcab', ['-x', '-C', work, CAB]);
  if (extract.status !== 0) throw new Error(`gcab -x: ${extract.stderr}`);
  edit(work);
  const out = path.join(dir, 'tampered.cab');
  const members = fs.readdirSync(work).sort();
  const pack = spawnSync('gcab', ['-c', '-z', '-n', out, ...members], { cwd: work });
  if (pack.status !== 0) throw new Error(`gcab -c: ${pack.stderr}`);
  return out;
}

interface Details {
  trust: { trusted: boolean; metadata: { status: string }; payload: { status: string }; hint: string | null };
  devices: Array<{ guid: string; relation: string; version: string }> | null;
  release: { version: string };
  payload: { contentChecksum: string; capsule: { header: string } };
}

describe('capstan get-details', () => {
  it('shows a signed cabinet as trusted on a machine that trusts its CA, and the device it fits', async () => {
    const result = await runCli(['--root', makeDemoRoot(), 'get-details', CAB, '--json']);
    expect(result.status).toBe(0);
    const details = result.json<Details>();
    expect(details.trust).toMatchObject({
      trusted: true,
      metadata: { status: 'trusted' },
      payload: { status: 'trusted' },
      hint: null,
    });
    expect(details.release.version).toBe('0.1.0.54');
    expect(details.payload).toMatchObject({ contentChecksum: 'verified', capsule: { header: 'added' } });
    expect(details.devices).toEqual([
      {
        guid: 'ddc0ee61-e7f0-4e7d-acc5-c070a398838e',
        name: 'System Firmware',
        version: '0.1.0.50',
        relation: 'update',
      },
    ]);
  });

  it('marks a cabinet signed by an unknown CA as untrusted and says --allow-unsigned is needed', async () => {
    const result = await runCli(['--root', path.join(REPO, 'demo/machine/root'), 'get-details', CAB]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/metadata: +untrusted/);
    expect(result.stdout).toContain('installing this cabinet needs --allow-unsigned');
  });

  it('still describes the cabinet when this machine cannot be read', async () => {
    const result = await runCli(['--root', makeRoot({ 'sys/.keep': '' }), 'get-details', CAB, '--json']);
    expect(result.status).toBe(0);
    expect(result.json<Details & { devicesError: string }>()).toMatchObject({
      devices: null,
      devicesError: expect.stringContaining('legacy BIOS'),
    });
  });

  describe.skipIf(!haveTool('gcab'))('tampered cabinets', () => {
    it('refuses a payload that does not match the metainfo\u2019s checksum (exit 7, never overridable)', async () => {
      const tampered = repack((dir) => {
        const file = path.join(dir, 'firmware.bin');
        const bytes = fs.readFileSync(file);
        bytes[100] = (bytes[100] ?? 0) ^ 0xff;
        fs.writeFileSync(file, bytes);
      });
      const result = await runCli(['--root', makeDemoRoot(), 'get-details', tampered, '--json']);
      expect(result.status).toBe(EXIT_STATUS['checksum-mismatch']);
      expect(result.json()).toMatchObject({ error: { code: 'checksum-mismatch' } });
    });

    it('refuses metainfo that does not match its signed checksum', async () => {
      const tampered = repack((dir) => {
        const file = path.join(dir, 'firmware.metainfo.xml');
        fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Fixes resume', 'Breaks resume'));
      });
      const result = await runCli(['--root', makeDemoRoot(), 'get-details', tampered, '--json']);
      expect(result.status).toBe(EXIT_STATUS['checksum-mismatch']);
      expect(result.json()).toMatchObject({
        error: { code: 'checksum-mismatch', message: expect.stringContaining('firmware.metainfo.xml') },
      });
    });

    it('reports an unsigned cabinet (no JCat) without failing', async () => {
      const unsigned = repack((dir) => fs.rmSync(path.join(dir, 'firmware.jcat')));
      const result = await runCli(['--root', makeDemoRoot(), 'get-details', unsigned, '--json']);
      expect(result.status).toBe(0);
      expect(result.json<Details>().trust).toMatchObject({ trusted: false, metadata: { status: 'unsigned' } });
    });

    it('refuses a cabinet whose payload is missing', async () => {
      const broken = repack((dir) => fs.rmSync(path.join(dir, 'firmware.bin')));
      const result = await runCli(['--root', makeDemoRoot(), 'get-details', broken, '--json']);
      expect(result.status).toBe(EXIT_STATUS['metainfo-invalid']);
    });
  });

  it.each([
    [
      'a file that is not a cabinet',
      (dir: string) => {
        fs.writeFileSync(path.join(dir, 'x.cab'), 'MSCF garbage');
        return path.join(dir, 'x.cab');
      },
      'cab-invalid',
    ],
    ['a missing file', (dir: string) => path.join(dir, 'missing.cab'), 'file-not-found'],
  ])('turns %s into a typed error', async (_what, make, code) => {
    const result = await runCli(['get-details', make(tempDir()), '--json', '--root', makeDemoRoot()]);
    expect(result.status).toBe(EXIT_STATUS[code as keyof typeof EXIT_STATUS]);
    expect(result.json()).toMatchObject({ error: { code, hint: expect.stringMatching(/\S/) } });
  });
});

describe('capstan cab', () => {
  it('lists the members', async () => {
    const result = await runCli(['cab', 'list', CAB]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^NAME +SIZE +MODIFIED \(UTC\) +FOLDER\n/);
    expect(result.stdout).toMatch(/firmware\.bin +32768 +2026-06-10 12:00:00 +0 \(mszip\)/);
  });

  it.skipIf(!haveTool('cabextract'))('extracts byte-identical to cabextract', async () => {
    const dir = tempDir();
    const ours = path.join(dir, 'ours');
    const theirs = path.join(dir, 'theirs');
    const result = await runCli(['cab', 'extract', CAB, ours, '--json']);
    expect(result.status).toBe(0);
    expect(spawnSync('cabextract', ['-q', '-d', theirs, CAB]).status).toBe(0);
    const names = fs.readdirSync(theirs).sort();
    expect(fs.readdirSync(ours).sort()).toEqual(names);
    for (const name of names)
      expect(fs.readFileSync(path.join(ours, name))).toEqual(fs.readFileSync(path.join(theirs, name)));
  });

  it('refuses an unknown action', async () => {
    const result = await runCli(['cab', 'frob', CAB, '--json']);
    expect(result.status).toBe(EXIT_STATUS.usage);
  });
});

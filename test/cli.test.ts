import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EXIT_STATUS } from '../src/core/exit-codes.js';
import { makeRoot } from './helpers/make-root.js';
import { machineRoot, REPO, runCli, spawnCli } from './helpers/run-cli.js';

const version = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-cli-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('entry point and arguments', () => {
  it('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('--help lists every command and the exit codes', async () => {
    const result = await runCli(['--help']);
    expect(result.status).toBe(0);
    for (const verb of ['get-devices', 'doctor', 'export-esrt', '--root', '--json', '--esrt-file']) {
      expect(result.stdout).toContain(verb);
    }
    expect(result.stdout).toContain('docs/exit-codes.md');
  });

  it('a command\u2019s --help shows its examples', async () => {
    const result = await runCli(['get-devices', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('capstan get-devices --json');
  });

  it('no arguments is a usage error with help on stderr', async () => {
    const result = await runCli([]);
    expect(result.status).toBe(EXIT_STATUS.usage);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: capstan');
  });

  it.each([[['frobnicate']], [['get-devices', '--bogus']], [['export-esrt']], [['get-devices', 'extra']]])(
    '%o is a usage error (human and JSON)',
    async (args) => {
      const human = await runCli(args);
      expect(human.status).toBe(4);
      expect(human.stderr).toMatch(/^capstan: error: .+\n {2}fix: run `capstan --help`/);
      const json = await runCli([...args, '--json']);
      expect(json.status).toBe(4);
      expect(json.json()).toMatchObject({ schemaVersion: 1, error: { code: 'usage' } });
    },
  );

  it('--root must be a directory', async () => {
    const result = await runCli(['--root', '/nonexistent/machine', 'get-devices', '--json']);
    expect(result.status).toBe(4);
    expect(result.json()).toMatchObject({
      error: { code: 'usage', message: expect.stringContaining('/nonexistent/machine') },
    });
  });

  it('CAPSTAN_ROOT selects the root like --root, and --root wins', async () => {
    const viaEnv = await runCli(['get-devices', '--json'], { env: { CAPSTAN_ROOT: machineRoot('xen-pv-dom0') } });
    expect(viaEnv.json<{ platform: { kind: string } }>().platform.kind).toBe('xen-pv-dom0');
    const both = await runCli(['--root', machineRoot('bare-metal'), 'get-devices', '--json'], {
      env: { CAPSTAN_ROOT: machineRoot('xen-pv-dom0') },
    });
    expect(both.json<{ platform: { kind: string } }>().platform.kind).toBe('bare-metal');
  });

  it('global options work after the command too', async () => {
    const result = await runCli(['get-devices', '--root', machineRoot('xen-pvh-dom0'), '--json']);
    expect(result.json<{ platform: { kind: string } }>().platform.kind).toBe('xen-pvh-dom0');
  });

  it('human output has no colour codes when not on a terminal', async () => {
    const result = await runCli(['--root', machineRoot('xen-pv-dom0-copy-bug'), 'get-devices']);
    expect(result.stdout).not.toContain(String.fromCharCode(27));
  });
});

describe('bin/capstan.js as a process', () => {
  it('bin/capstan (no extension) runs the same CLI', () => {
    const result = spawnSync(path.join(REPO, 'bin/capstan'), ['--version'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('exits with the documented status and JSON error', () => {
    const result = spawnCli(['--root', machineRoot('legacy-bios'), 'get-devices', '--json']);
    expect(result.status).toBe(EXIT_STATUS['legacy-bios']);
    expect(result.json()).toEqual({
      schemaVersion: 1,
      error: {
        code: 'legacy-bios',
        message: expect.stringContaining('legacy BIOS'),
        hint: expect.stringContaining('UEFI'),
      },
    });
  });

  it('lists devices from a fixture machine', () => {
    const result = spawnCli(['--root', machineRoot('bare-metal'), 'get-devices']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('c0f11a4b-2d3e-4f50-8a1b-2c3d4e5f6a7b');
  });

  it('says "run as root" when the ESRT is mode 0400 and we are not root', () => {
    const root = makeRoot({}, machineRoot('bare-metal'));
    fs.chmodSync(root, 0o755);
    fs.chmodSync(path.join(root, 'sys/firmware/efi/esrt/entries/entry0/fw_version'), 0o000);
    // As root the mode is not enforced, so drop to nobody when we are root.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const result = spawnCli(['--root', root, 'get-devices', '--json'], asNobody);
    expect(result.status).toBe(EXIT_STATUS['permission-denied']);
    expect(result.json()).toMatchObject({
      error: {
        code: 'permission-denied',
        message: expect.stringContaining('fw_version'),
        hint: expect.stringMatching(/root/),
      },
    });
  });
});

describe('--esrt-file and export-esrt', () => {
  it('round-trips a machine\u2019s ESRT through a raw dump', async () => {
    const dir = tempDir();
    const dump = path.join(dir, 'esrt.bin');
    const exported = await runCli(['--root', machineRoot('bare-metal-three-entries'), 'export-esrt', dump, '--json']);
    expect(exported.status).toBe(0);
    expect(exported.json()).toMatchObject({ entries: 3, bytes: 16 + 3 * 40 });

    const live = await runCli(['--root', machineRoot('bare-metal-three-entries'), 'get-devices', '--json']);
    const offline = await runCli(['--esrt-file', dump, 'get-devices', '--json']);
    expect(offline.status).toBe(0);
    const doc = offline.json<{ platform: { kind: string }; devices: unknown[] }>();
    expect(doc.platform.kind).toBe('esrt-file');
    expect(doc.devices).toEqual(live.json<{ devices: unknown[] }>().devices);
  });

  it('resolves --esrt-file against the working directory, not the root', async () => {
    const dir = tempDir();
    await runCli(['--root', machineRoot('bare-metal'), 'export-esrt', 'x.bin'], { cwd: dir });
    expect(fs.existsSync(path.join(dir, 'x.bin'))).toBe(true);
    const result = await runCli(['--esrt-file', 'x.bin', 'get-devices', '--json'], { cwd: dir });
    expect(result.status).toBe(0);
  });

  it('refuses to export garbage from a Xen with the copy bug unless told the build is fixed', async () => {
    const dir = tempDir();
    const root = machineRoot('xen-pv-dom0-copy-bug');
    const refused = await runCli(['--root', root, 'export-esrt', path.join(dir, 'a.bin'), '--json']);
    expect(refused.status).toBe(EXIT_STATUS['esrt-untrusted']);
    expect(refused.json()).toMatchObject({ error: { code: 'esrt-untrusted' } });
    expect(fs.existsSync(path.join(dir, 'a.bin'))).toBe(false);
    // Asserting the fix makes the tail count as data again, so this fixture's real garbage is caught ...
    const garbage = await runCli([
      '--root',
      root,
      '--xen-esrt-fixed',
      'export-esrt',
      path.join(dir, 'b.bin'),
      '--json',
    ]);
    expect(garbage.status).toBe(EXIT_STATUS['esrt-untrusted']);
    expect(garbage.json()).toMatchObject({ error: { message: expect.stringContaining('reserved bits') } });
    // ... and a clean tail on a build that carries the fix exports.
    const clean = makeRoot(
      {
        'sys/firmware/efi/esrt/entries/entry1/lowest_supported_fw_version': '1\n',
        'sys/firmware/efi/esrt/entries/entry1/capsule_flags': '0x8010\n',
        'sys/firmware/efi/esrt/entries/entry1/last_attempt_version': '0\n',
      },
      root,
    );
    const fixed = await runCli(['--root', clean, '--xen-esrt-fixed', 'export-esrt', path.join(dir, 'c.bin')]);
    expect(fixed.status).toBe(0);
  });

  it.each([
    ['a missing file', (dir: string) => path.join(dir, 'nope.bin'), 'file-not-found'],
    ['a directory', (dir: string) => dir, 'esrt-file-invalid'],
    [
      'a truncated dump',
      (dir: string) => {
        fs.writeFileSync(path.join(dir, 't.bin'), Buffer.from('02000000020000000100000000000000', 'hex'));
        return path.join(dir, 't.bin');
      },
      'esrt-file-invalid',
    ],
  ])('%s is a typed error', async (_what, make, code) => {
    const file = make(tempDir());
    const result = await runCli(['--esrt-file', file, 'get-devices', '--json']);
    expect(result.status).toBe(EXIT_STATUS[code as keyof typeof EXIT_STATUS]);
    expect(result.json()).toMatchObject({ error: { code, hint: expect.stringMatching(/\S/) } });
  });
});

describe('capstan hwids', () => {
  it('computes every hardware id from the demo machine\u2019s SMBIOS', async () => {
    const result = await runCli(['--root', path.join(REPO, 'demo/machine/root'), 'hwids', '--json']);
    expect(result.status).toBe(0);
    const doc = result.json<{
      found: boolean;
      ids: Array<{ name: string; guid: string }>;
      keys: Record<string, string>;
    }>();
    expect(doc.found).toBe(true);
    expect(doc.keys.Manufacturer).toBe('Example Computer Inc.');
    expect(doc.ids).toHaveLength(18);
    expect(doc.ids.every((id) => /^[0-9a-f-]{36}$/.test(id.guid))).toBe(true);
  });

  it('says so when a machine has no SMBIOS tables', async () => {
    const result = await runCli(['--root', machineRoot('xen-pv-dom0'), 'hwids']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^no SMBIOS tables in .*: no hardware ids/);
  });
});

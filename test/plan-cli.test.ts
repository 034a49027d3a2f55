import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EXIT_STATUS } from '../src/core/exit-codes.js';
import { makeDemoRoot } from './helpers/demo-root.js';
import { runCli } from './helpers/run-cli.js';

const SYSTEM = 'ddc0ee61-e7f0-4e7d-acc5-c070a398838e';
const EC = '3f5e8c2a-9b1d-4e7f-a6c3-d2b8e4f1a905';

async function refreshed(): Promise<string> {
  const root = makeDemoRoot();
  const result = await runCli(['--root', root, 'refresh']);
  expect(result.status).toBe(0);
  return root;
}

interface Item {
  guid: string;
  action: string;
  from: { version: string; versionRaw: number };
  to: { version: string } | null;
  release: { version: string; location: string; sha256: string; trust: string } | null;
  reasons: Array<{ code: string; message: string }>;
  releases: Array<{ version: string; eligible: boolean; reasons: Array<{ code: string }> }>;
}

describe('refresh, get-updates and plan on the demo machine', () => {
  it('refresh reports what it did, and exits 2 when nothing changed', async () => {
    const root = makeDemoRoot();
    const first = await runCli(['--root', root, 'refresh', '--json']);
    expect(first.status).toBe(0);
    expect(first.json()).toMatchObject({
      remotes: [
        {
          remote: 'demo',
          kind: 'local',
          outcome: 'updated',
          trust: 'signed',
          components: 3,
          releases: 7,
          error: null,
        },
      ],
    });
    const second = await runCli(['--root', root, 'refresh']);
    expect(second.status).toBe(EXIT_STATUS['nothing-to-do']);
    expect(second.stdout).toMatch(/^demo: metadata unchanged/);
  });

  it('plan says exactly what update would do, with every release explained', async () => {
    const root = await refreshed();
    const result = await runCli(['--root', root, 'plan', '--json']);
    expect(result.status).toBe(0);
    const plan = result.json<{
      schemaVersion: number;
      kind: string;
      items: Item[];
      prechecks: unknown[];
      catalog: { sha256: string };
    }>();
    expect(plan).toMatchObject({ schemaVersion: 1, kind: 'capstan-plan' });
    expect(plan.catalog.sha256).toMatch(/^[0-9a-f]{64}$/);
    const system = plan.items.find((i) => i.guid === SYSTEM);
    expect(system).toMatchObject({
      action: 'update',
      from: { version: '0.1.0.50', versionRaw: 65586 },
      to: { version: '0.1.0.54' },
      release: {
        version: '0.1.0.54',
        location: 'file:///usr/share/capstan/demo/cabs/laptop13-system-0.1.0.54.cab',
        trust: 'signed',
      },
    });
    expect(system?.release?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(system?.releases.map((r) => [r.version, r.eligible])).toEqual([
      ['0.1.0.54', true],
      ['0.1.0.52', false],
      ['0.1.0.48', false],
      ['0.1.0.44', false],
    ]);
    const ec = plan.items.find((i) => i.guid === EC);
    expect(ec?.action).toBe('skip');
    expect(ec?.reasons[0]?.message).toBe('needs System Firmware at firmware version \u2265 0.1.0.52; it has 0.1.0.50');
    expect(plan.prechecks.length).toBeGreaterThan(0);
  });

  it('plan --output writes the same document for apply', async () => {
    const root = await refreshed();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-plan-'));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const result = await runCli(['--root', root, 'plan', '--output', 'plan.json'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('plan saved to plan.json');
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8'));
    const printed = (await runCli(['--root', root, 'plan', '--json'])).json<Record<string, unknown>>();
    // createdAt and the ESP's free space legitimately differ between two runs
    const stable = (doc: Record<string, unknown>) => ({
      ...doc,
      createdAt: null,
      prechecks: (doc.prechecks as Array<{ id: string; status: string }>).map((c) => [c.id, c.status]),
    });
    expect(stable(saved)).toEqual(stable(printed));
  });

  it('downgrades only when asked, and explains a refusal', async () => {
    const root = await refreshed();
    const refused = await runCli(['--root', root, 'plan', SYSTEM, '--version', '0.1.0.48', '--json']);
    expect(refused.status).toBe(EXIT_STATUS['nothing-to-do']);
    expect(refused.json<{ items: Item[] }>().items[0]?.reasons.map((r) => r.code)).toEqual(['downgrade-not-allowed']);
    const allowed = await runCli(['--root', root, 'plan', SYSTEM, '--version', '0.1.0.48', '--allow-older', '--json']);
    expect(allowed.status).toBe(0);
    expect(allowed.json<{ items: Item[] }>().items).toMatchObject([
      { guid: SYSTEM, action: 'downgrade', to: { version: '0.1.0.48' } },
    ]);
  });

  it('get-updates lists the update and explains the rest', async () => {
    const root = await refreshed();
    const json = await runCli(['--root', root, 'get-updates', '--json']);
    expect(json.status).toBe(0);
    const devices = json.json<{ devices: Array<{ guid: string; update: { version: string } | null }> }>().devices;
    expect(devices.find((d) => d.guid === SYSTEM)?.update).toEqual({ version: '0.1.0.54', versionRaw: null });
    const human = await runCli(['--root', root, 'get-updates']);
    expect(human.stdout).toContain(
      'the release uses com.example.dock; capstan only installs org.uefi.capsule capsules',
    );
  });

  it.each([
    [['plan', '00000000-0000-0000-0000-000000000001'], 'device-not-found'],
    [['plan', 'not-a-guid'], 'usage'],
    [['plan', '--method', 'teleport'], 'usage'],
  ])('%o fails with %s', async (args, code) => {
    const root = await refreshed();
    const result = await runCli(['--root', root, ...args, '--json']);
    expect(result.status).toBe(EXIT_STATUS[code as keyof typeof EXIT_STATUS]);
    expect(result.json()).toMatchObject({ error: { code } });
  });

  it('needs a refreshed catalog', async () => {
    const result = await runCli(['--root', makeDemoRoot(), 'plan', '--json']);
    expect(result.status).toBe(EXIT_STATUS['catalog-missing']);
    expect(result.json()).toMatchObject({ error: { code: 'catalog-missing', hint: 'run capstan refresh' } });
  });

  it('warns about a stale catalog and names the command that fixes it', async () => {
    const root = await refreshed();
    const indexFile = path.join(root, 'var/cache/capstan/catalog/demo/index.json');
    const index = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
    fs.writeFileSync(indexFile, JSON.stringify({ ...index, refreshedAt: '2026-01-01T00:00:00.000Z' }));
    const result = await runCli(['--root', root, 'plan', '--json']);
    expect(result.json<{ problems: Array<{ code: string; hint: string }> }>().problems).toContainEqual(
      expect.objectContaining({ code: 'catalog-stale', hint: 'run capstan refresh demo' }),
    );
  });

  it('a damaged index is a typed error that says how to rebuild it', async () => {
    const root = await refreshed();
    fs.writeFileSync(
      path.join(root, 'var/cache/capstan/catalog/demo/index.json'),
      '{"format": 1, "remote": "demo", "guids": {"x": [[999999, 10]]}}',
    );
    fs.writeFileSync(path.join(root, 'var/cache/capstan/catalog/demo/index.json'), 'garbage');
    const result = await runCli(['--root', root, 'plan', '--json']);
    expect(result.status).toBe(EXIT_STATUS['catalog-cache-corrupt']);
    expect(result.json()).toMatchObject({
      error: { code: 'catalog-cache-corrupt', hint: 'run `capstan refresh --force demo` to rebuild it' },
    });
  });

  it('chooses the method as fwupd does and lets --method override it', async () => {
    const root = await refreshed();
    const auto = (await runCli(['--root', root, 'plan', '--json'])).json<{
      items: Array<{ method: { id: string } | null }>;
    }>();
    expect(auto.items[0]?.method?.id).toBe('capsule-on-disk');
    const forced = (await runCli(['--root', root, 'plan', '--method', 'uefi-capsule', '--json'])).json<{
      items: Array<{ method: { id: string; reason: string } | null }>;
    }>();
    expect(forced.items[0]?.method).toEqual({ id: 'uefi-capsule', reason: '--method uefi-capsule' });
  });
});

describe('plan --cab: installing a local cabinet', () => {
  const CAB_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'demo/catalog/cabs');

  it('plans a cabinet signed by a trusted CA, without any remote', async () => {
    const root = makeDemoRoot();
    const result = await runCli([
      '--root',
      root,
      'plan',
      '--cab',
      path.join(CAB_DIR, 'laptop13-system-0.1.0.54.cab'),
      '--json',
    ]);
    expect(result.status).toBe(0);
    const plan = result.json<{
      items: Item[];
      catalog: { remotes: Array<{ id: string; trust: string }> };
      problems: unknown[];
    }>();
    expect(plan.catalog.remotes).toEqual([expect.objectContaining({ id: 'local-cabinet', trust: 'signed' })]);
    expect(plan.items.find((i) => i.guid === SYSTEM)).toMatchObject({
      action: 'update',
      release: { trust: 'signed', version: '0.1.0.54' },
    });
    expect(plan.problems).toEqual([]);
  });

  it('needs --allow-unsigned for a cabinet without a trusted signature, and marks the plan', async () => {
    const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'demo/machine/root'); // no demo CA
    const cab = path.join(CAB_DIR, 'laptop13-system-0.1.0.54.cab');
    const refused = await runCli(['--root', root, 'plan', '--cab', cab, '--json']);
    expect(refused.status).toBe(EXIT_STATUS['signature-invalid']);
    expect(refused.json()).toMatchObject({
      error: { code: 'signature-invalid', hint: expect.stringContaining('--allow-unsigned') },
    });
    const forced = await runCli(['--root', root, 'plan', '--cab', cab, '--force', '--json']);
    expect(forced.status).toBe(EXIT_STATUS['signature-invalid']);
    const allowed = await runCli(['--root', root, 'plan', '--cab', cab, '--allow-unsigned', '--json']);
    expect(allowed.status).toBe(0);
    const plan = allowed.json<{ items: Item[]; problems: Array<{ code: string }> }>();
    expect(plan.items.find((i) => i.guid === SYSTEM)?.release?.trust).toBe('unsigned-local');
    expect(plan.problems.map((p) => p.code)).toContain('cabinet-unsigned');
  });

  it('explains an older cabinet as a downgrade that needs --allow-older', async () => {
    const root = makeDemoRoot();
    const cab = path.join(CAB_DIR, 'laptop13-system-0.1.0.48.cab');
    const refused = await runCli(['--root', root, 'plan', '--cab', cab, '--json']);
    expect(refused.status).toBe(EXIT_STATUS['nothing-to-do']);
    expect(refused.json<{ items: Item[] }>().items[0]?.reasons.map((r) => r.code)).toEqual(['downgrade-not-allowed']);
    const allowed = await runCli(['--root', root, 'plan', '--cab', cab, '--allow-older', '--json']);
    expect(allowed.json<{ items: Item[] }>().items[0]).toMatchObject({
      action: 'downgrade',
      to: { version: '0.1.0.48' },
    });
  });
});

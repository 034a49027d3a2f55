import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleCatalogXml, pack, signMetadata, testCaPem } from './catalogs/build-catalog.js';
import { makeDemoRoot } from './helpers/demo-root.js';
import { startServer } from './helpers/http-server.js';
import { makeRoot } from './helpers/make-root.js';
import { REPO, spawnCli } from './helpers/run-cli.js';
import { haveTool } from './helpers/tools.js';

/**
 * The shipped CLI is an esbuild bundle (docs/adr/0004-bundle-the-cli.md). Every lazily loaded
 * dependency path runs here through bin/capstan.js, so a bundling mistake cannot hide behind the
 * in-process tests, which import src/ directly.
 */
describe('the bundled CLI (bin/capstan.js)', () => {
  it.each(['gz', 'xz', 'zst'] as const)(
    'refreshes a signed %s catalog over HTTP (undici, decompressors, pkijs)',
    async (packing) => {
      if (packing !== 'gz' && !haveTool(packing === 'xz' ? 'xz' : 'zstd')) return;
      const metadata = pack(exampleCatalogXml(), packing);
      const files = new Map<string, Uint8Array>([
        [`firmware.xml.${packing}`, metadata],
        [`firmware.xml.${packing}.jcat`, await signMetadata(`firmware.xml.${packing}`, metadata)],
      ]);
      const server = await startServer((req, res) => {
        const body = files.get((req.url ?? '/').slice(1));
        if (body === undefined) res.writeHead(404).end();
        else res.writeHead(200).end(body);
      });
      const root = makeRoot({
        'etc/capstan/remotes.d/lvfs.conf': `[fwupd Remote]\nEnabled=true\nMetadataURI=${server.url}/firmware.xml.${packing}\n`,
        'etc/capstan/pki/test-ca.pem': testCaPem(),
      });
      // spawnSync would block the event loop that serves the request: run the process asynchronously
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, [path.join(REPO, 'bin/capstan.js'), '--root', root, 'refresh', '--json'], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ remotes: [{ outcome: 'updated', trust: 'signed', components: 1 }] });
    },
  );

  it('plans and inspects cabinets (planner, cabinet reader, signatures)', () => {
    const root = makeDemoRoot();
    expect(spawnCli(['--root', root, 'refresh']).status).toBe(0);
    const plan = spawnCli(['--root', root, 'plan', '--json']);
    expect(plan.status).toBe(0);
    expect(plan.json<{ items: Array<{ action: string }> }>().items[0]?.action).toBe('update');
    const cab = path.join(REPO, 'demo/catalog/cabs/laptop13-system-0.1.0.54.cab');
    const details = spawnCli(['--root', root, 'get-details', cab, '--json']);
    expect(details.status).toBe(0);
    expect(details.json<{ trust: { trusted: boolean } }>().trust.trusted).toBe(true);
    expect(spawnCli(['cab', 'list', cab]).stdout).toContain('firmware.bin');
    expect(spawnCli(['--root', root, 'hwids', '--json']).status).toBe(0);
    expect(spawnCli(['--root', root, 'doctor']).status).toBe(0);
    expect(fs.existsSync(path.join(REPO, 'dist/bundle/main.js'))).toBe(true);
  });
});

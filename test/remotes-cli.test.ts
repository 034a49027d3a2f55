import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_STATUS } from '../src/core/exit-codes.js';
import { makeRoot } from './helpers/make-root.js';
import { runCli } from './helpers/run-cli.js';

const DIR = 'etc/capstan/remotes.d';

describe('remote commands', () => {
  it('get-remotes lists priority order and never prints credentials', async () => {
    const root = makeRoot({
      [`${DIR}/corp.conf`]:
        '[fwupd Remote]\nEnabled=true\nMetadataURI=https://user:s3cret@mirror.example/firmware.xml.gz\nPassword=s3cret\nUsername=user\n',
      [`${DIR}/lvfs.conf`]:
        '[fwupd Remote]\nEnabled=false\nMetadataURI=https://cdn.example/firmware.xml.zst\nOrderAfter=corp\n',
    });
    const json = await runCli(['--root', root, 'get-remotes', '--json']);
    expect(json.status).toBe(0);
    expect(json.stdout).not.toContain('s3cret');
    expect(json.json()).toMatchObject({
      schemaVersion: 1,
      remotes: [
        {
          id: 'corp',
          priority: 1,
          enabled: true,
          hasCredentials: true,
          metadataUri: 'https://mirror.example/firmware.xml.gz',
        },
        { id: 'lvfs', priority: 2, enabled: false, hasCredentials: false },
      ],
    });
    const human = await runCli(['--root', root, 'get-remotes']);
    expect(human.stdout).toMatch(/^PRIORITY +ID +ENABLED +KIND +METADATA AGE/);
    expect(human.stdout).toContain('never refreshed');
    expect(human.stdout).not.toContain('s3cret');
  });

  it('enable-remote and disable-remote change the file and report it', async () => {
    const root = makeRoot({
      [`${DIR}/lvfs.conf`]: '[fwupd Remote]\n# keep me\nEnabled=false\nMetadataURI=https://cdn.example/f.xml.zst\n',
    });
    const enabled = await runCli(['--root', root, 'enable-remote', 'lvfs', '--json']);
    expect(enabled.json()).toEqual({ schemaVersion: 1, remote: 'lvfs', enabled: true, changed: true });
    expect(fs.readFileSync(path.join(root, DIR, 'lvfs.conf'), 'utf8')).toContain('# keep me\nEnabled=true\n');
    const again = await runCli(['--root', root, 'enable-remote', 'lvfs']);
    expect(again.stdout).toBe('remote lvfs was already enabled\n');
    const disabled = await runCli(['--root', root, 'disable-remote', 'lvfs']);
    expect(disabled.stdout).toBe('disabled remote lvfs\n');
  });

  it('an unknown remote exits 3 like fwupdmgr', async () => {
    const root = makeRoot({ [`${DIR}/lvfs.conf`]: '[fwupd Remote]\nMetadataURI=https://cdn.example/f.xml.zst\n' });
    const result = await runCli(['--root', root, 'enable-remote', 'nope', '--json']);
    expect(result.status).toBe(EXIT_STATUS['remote-not-found']);
    expect(result.json()).toMatchObject({ error: { code: 'remote-not-found', hint: 'known remotes: lvfs' } });
  });

  it('a broken remote file is config-invalid with its line', async () => {
    const root = makeRoot({ [`${DIR}/x.conf`]: '[fwupd Remote]\nEnabled=maybe\nMetadataURI=https://a/b\n' });
    const result = await runCli(['--root', root, 'get-remotes']);
    expect(result.status).toBe(EXIT_STATUS['config-invalid']);
    expect(result.stderr).toMatch(/x\.conf:2: Enabled must be true or false/);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRoot } from '../../../test/helpers/make-root.js';
import { haveTool } from '../../../test/helpers/tools.js';
import { createContext } from '../../core/context.js';
import { CapstanError } from '../../core/errors.js';
import { parseKeyFile } from '../../core/key-file.js';
import { findRemote, listRemotes, setRemoteEnabled } from './index.js';

const DIR = 'etc/capstan/remotes.d';

function errorOf(run: () => unknown): CapstanError {
  try {
    run();
  } catch (error) {
    if (error instanceof CapstanError) return error;
    throw error;
  }
  throw new Error('expected a CapstanError');
}

describe('key files', () => {
  it('parses groups, comments, escapes and skips localised keys', () => {
    const file = parseKeyFile('# c\n[fwupd Remote]\nTitle=A\\sB\\\\C\nTitle[de]=X\n  Enabled = true \n', 'x.conf');
    const group = file.groups.get('fwupd Remote');
    expect(group?.get('Title')).toEqual({ value: 'A B\\C', line: 3 });
    expect(group?.get('Enabled')?.value).toBe('true');
  });

  it.each([
    ['Title=x\n', /:1: a key appears before any \[group\]/],
    ['[g]\nnot a pair\n', /:2: expected "Key=Value"/],
    ['[g]\nA=1\nA=2\n', /:3: key A appears twice/],
    ['[g]\n[g]\n', /:2: group \[g\] appears twice/],
    ['[g]\nA=\\q\n', /:2: invalid escape/],
  ])('rejects %j with file and line', (text, message) => {
    const error = errorOf(() => parseKeyFile(text, '/etc/capstan/remotes.d/x.conf'));
    expect(error.code).toBe('config-invalid');
    expect(error.message).toMatch(message);
  });
});

describe('remotes', () => {
  const lvfs = [
    '[fwupd Remote]',
    '# stable firmware from the LVFS',
    'Enabled=true',
    'Title=Linux Vendor Firmware Service',
    'MetadataURI=https://cdn.fwupd.org/downloads/firmware.xml.zst',
    'FirmwareBaseURI=https://fwupd.org/downloads',
    'ApprovalRequired=false',
    '',
  ].join('\n');
  const testing = [
    '[fwupd Remote]',
    'Enabled=false',
    'Title=Linux Vendor Firmware Service (testing)',
    'MetadataURI=https://cdn.fwupd.org/downloads/firmware-testing.xml.zst',
    'OrderBefore=lvfs',
    '',
  ].join('\n');

  it('reads fwupd\u2019s keys and kinds, and orders by OrderBefore/OrderAfter', () => {
    const root = makeRoot({
      [`${DIR}/lvfs.conf`]: lvfs,
      [`${DIR}/lvfs-testing.conf`]: testing,
      [`${DIR}/vendor.conf`]:
        '[fwupd Remote]\nEnabled=true\nMetadataURI=file:///usr/share/capstan/cabs\nOrderAfter=lvfs\n',
      [`${DIR}/local.conf`]: '[fwupd Remote]\nEnabled=true\nMetadataURI=file:///srv/catalog.xml.gz\nFuture=1\n',
      [`${DIR}/README`]: 'not a remote',
      'usr/share/capstan/cabs/': null,
    });
    const remotes = listRemotes(createContext({ root }));
    expect(remotes.map((r) => r.id)).toEqual(['local', 'lvfs-testing', 'lvfs', 'vendor']);
    const byId = new Map(remotes.map((r) => [r.id, r]));
    expect(byId.get('lvfs')).toMatchObject({
      kind: 'download',
      enabled: true,
      refreshInterval: 86400,
      firmwareBaseUri: 'https://fwupd.org/downloads',
    });
    expect(byId.get('lvfs-testing')?.enabled).toBe(false);
    expect(byId.get('vendor')).toMatchObject({
      kind: 'directory',
      localPath: '/usr/share/capstan/cabs',
      title: 'vendor',
    });
    expect(byId.get('local')).toMatchObject({
      kind: 'local',
      localPath: '/srv/catalog.xml.gz',
      unknownKeys: ['Future'],
    });
  });

  it.each([
    ['no group', '# nothing\n', /no \[fwupd Remote\] group/],
    ['no MetadataURI', '[fwupd Remote]\nEnabled=true\n', /MetadataURI is required/],
    ['an ipfs URI', '[fwupd Remote]\nMetadataURI=ipfs://x\n', /only http:\/\/, https:\/\/ and file:\/\//],
    ['a bad boolean', '[fwupd Remote]\nMetadataURI=https://a/b\nEnabled=yes\n', /:3: Enabled must be true or false/],
    [
      'a bad interval',
      '[fwupd Remote]\nMetadataURI=https://a/b\nRefreshInterval=1d\n',
      /RefreshInterval must be seconds/,
    ],
    ['a relative file URI', '[fwupd Remote]\nMetadataURI=file://x.xml\n', /absolute file:\/\/ path/],
  ])('refuses %s as config-invalid', (_what, text, message) => {
    const root = makeRoot({ [`${DIR}/bad.conf`]: text });
    const error = errorOf(() => listRemotes(createContext({ root })));
    expect(error.code).toBe('config-invalid');
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(/\S/);
  });

  it('refuses an ordering cycle', () => {
    const root = makeRoot({
      [`${DIR}/a.conf`]: '[fwupd Remote]\nMetadataURI=https://a/x\nOrderBefore=b\n',
      [`${DIR}/b.conf`]: '[fwupd Remote]\nMetadataURI=https://b/x\nOrderBefore=a\n',
    });
    expect(errorOf(() => listRemotes(createContext({ root }))).message).toMatch(
      /remotes a, b form an OrderBefore\/OrderAfter cycle/,
    );
  });

  it('enables and disables by rewriting only the Enabled line', () => {
    const root = makeRoot({ [`${DIR}/lvfs-testing.conf`]: testing });
    const ctx = createContext({ root });
    expect(setRemoteEnabled(ctx, 'lvfs-testing', true).changed).toBe(true);
    expect(fs.readFileSync(path.join(root, DIR, 'lvfs-testing.conf'), 'utf8')).toBe(
      testing.replace('Enabled=false', 'Enabled=true'),
    );
    expect(setRemoteEnabled(ctx, 'lvfs-testing', true).changed).toBe(false);
    expect(findRemote(ctx, 'lvfs-testing').enabled).toBe(true);
  });

  it('adds Enabled= when the file has none', () => {
    const root = makeRoot({ [`${DIR}/x.conf`]: '[fwupd Remote]\nMetadataURI=https://a/x\n' });
    const ctx = createContext({ root });
    setRemoteEnabled(ctx, 'x', true);
    expect(fs.readFileSync(path.join(root, DIR, 'x.conf'), 'utf8')).toBe(
      '[fwupd Remote]\nEnabled=true\nMetadataURI=https://a/x\n',
    );
  });

  it('names the known remotes when an id is unknown', () => {
    const root = makeRoot({ [`${DIR}/lvfs.conf`]: lvfs });
    const error = errorOf(() => findRemote(createContext({ root }), 'nope'));
    expect(error.code).toBe('remote-not-found');
    expect(error.hint).toBe('known remotes: lvfs');
  });
});

describe.skipIf(!haveTool('fwupdtool'))('the remote files Debian\u2019s fwupd ships', () => {
  it('parse unchanged when copied into /etc/capstan/remotes.d', () => {
    const shipped = fs.readdirSync('/etc/fwupd/remotes.d').filter((name) => name.endsWith('.conf'));
    expect(shipped.length).toBeGreaterThanOrEqual(2);
    const tree = Object.fromEntries(
      shipped.map((name) => [`${DIR}/${name}`, fs.readFileSync(path.join('/etc/fwupd/remotes.d', name), 'utf8')]),
    );
    const remotes = listRemotes(createContext({ root: makeRoot(tree) }));
    expect(remotes.map((r) => r.id).sort()).toEqual(shipped.map((name) => name.replace(/\.conf$/, '')).sort());
    const lvfsRemote = remotes.find((r) => r.id === 'lvfs');
    expect(lvfsRemote).toMatchObject({
      kind: 'download',
      enabled: true,
      firmwareBaseUri: 'https://fwupd.org/downloads',
    });
    // lvfs-testing says OrderBefore=lvfs
    const ids = remotes.map((r) => r.id);
    expect(ids.indexOf('lvfs-testing')).toBeLessThan(ids.indexOf('lvfs'));
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { exampleCatalogXml, type Packing, pack, signMetadata, testCaPem } from '../../test/catalogs/build-catalog.js';
import { startProxy, startServer } from '../../test/helpers/http-server.js';
import { makeRoot } from '../../test/helpers/make-root.js';
import { haveTool } from '../../test/helpers/tools.js';
import { DEFAULT_CONFIG } from '../core/config.js';
import { createContext } from '../core/context.js';
import { readCatalogIndex, readComponentsFor } from './index-store.js';
import { type RefreshOptions, refreshRemotes } from './refresh.js';
import { listRemotes } from './remotes/index.js';

const GUID = 'ddc0ee61-e7f0-4e7d-acc5-c070a398838e';
const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const OPTIONS: RefreshOptions = { force: false, backoffMs: 5, timeoutMs: 400 };

interface Served {
  files: Map<string, Uint8Array>;
  etags: boolean;
  silent: Set<string>;
}

async function lvfs(packing: Packing = 'zst') {
  const served: Served = { files: new Map(), etags: true, silent: new Set() };
  const server = await startServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    if (served.silent.has(name)) return; // never answers
    const body = served.files.get(name);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const etag = `"${body.length}-${Buffer.from(body).subarray(-8).toString('hex')}"`;
    if (served.etags && req.headers['if-none-match'] === etag) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, served.etags ? { etag } : {}).end(body);
  });
  // LVFS style: MetadataURI names firmware.xml.<ext>; the JCat item is the cache-safe name
  const alias = `firmware.xml.${packing}`;
  const real = `firmware-00042-stable.xml.${packing}`;
  const metadata = pack(exampleCatalogXml(), packing);
  served.files.set(real, metadata);
  served.files.set(`${alias}.jcat`, await signMetadata(real, metadata, { aliasIds: [alias] }));
  const root = makeRoot({
    'etc/capstan/remotes.d/lvfs.conf': `[fwupd Remote]\nEnabled=true\nMetadataURI=${server.url}/${alias}\n`,
    'etc/capstan/pki/test-ca.pem': testCaPem(),
  });
  return { server, served, root, alias, real, metadata };
}

async function refresh(root: string, options: Partial<RefreshOptions> = {}, env: Record<string, string> = {}) {
  const ctx = createContext({ root, env });
  const results = await refreshRemotes(ctx, DEFAULT_CONFIG, listRemotes(ctx), { ...OPTIONS, ...options });
  return { ctx, result: results[0] };
}

describe('capstan refresh of a download remote', () => {
  it.each(['gz', 'xz', 'zst'] as const)(
    'verifies, decompresses (%s), parses and indexes a signed catalog',
    async (packing) => {
      if (packing !== 'gz' && !haveTool(packing === 'xz' ? 'xz' : 'zstd')) return;
      const site = await lvfs(packing);
      const { ctx, result } = await refresh(site.root);
      expect(result).toMatchObject({ remote: 'lvfs', outcome: 'updated', trust: 'signed', components: 1, releases: 1 });
      expect(result?.signedAt).toBe('2026-11-20T10:00:00.000Z');
      // the item's cache-safe name was fetched, not the alias
      expect(site.server.requests.map((r) => r.url)).toEqual([`/${site.alias}.jcat`, `/${site.real}`]);
      const index = readCatalogIndex(ctx, 'lvfs');
      const [component] = index === undefined ? [] : readComponentsFor(ctx, index, [GUID]);
      expect(component).toMatchObject({
        id: 'com.example.laptop13.system.firmware',
        versionFormat: 'quad',
        provides: [GUID],
      });
      expect(component?.releases[0]).toMatchObject({
        version: '0.1.0.54',
        locations: ['https://fwupd.org/downloads/3f1c5be9-Laptop13-0.1.0.54.cab'],
        container: { sha256: 'e40079fea2015cca9910a0a9f5b3aa99bf4b751e4612454e43f912297993d39d' },
      });
      // the verified bytes are kept
      expect(fs.readFileSync(path.join(site.root, 'var/lib/capstan/metadata/lvfs', site.real))).toEqual(
        Buffer.from(site.metadata),
      );
    },
  );

  it('skips a fresh remote, then uses a conditional request (304) and reports unchanged', async () => {
    const site = await lvfs();
    await refresh(site.root);
    expect((await refresh(site.root)).result?.outcome).toBe('fresh');
    expect(site.server.requests).toHaveLength(2);
    const conf = path.join(site.root, 'etc/capstan/remotes.d/lvfs.conf');
    fs.appendFileSync(conf, 'RefreshInterval=0\n');
    const { result } = await refresh(site.root);
    expect(result?.outcome).toBe('unchanged');
    expect(site.server.requests.at(-1)?.headers['if-none-match']).toMatch(/^"/);
    expect(site.server.requests).toHaveLength(3);
  });

  it('says "content altered in transit" when the metadata does not match its signed checksum, and writes nothing', async () => {
    const site = await lvfs();
    const tampered = Buffer.from(site.metadata);
    tampered[tampered.length - 5] = (tampered[tampered.length - 5] ?? 0) ^ 0xff;
    site.served.files.set(site.real, tampered);
    const { ctx, result } = await refresh(site.root);
    expect(result?.outcome).toBe('failed');
    expect(result?.error?.code).toBe('checksum-mismatch');
    expect(result?.error?.message).toContain('content altered in transit (proxy or captive portal?)');
    expect(readCatalogIndex(ctx, 'lvfs')).toBeUndefined();
    expect(fs.existsSync(path.join(site.root, 'var/lib/capstan/metadata/lvfs'))).toBe(false);
  });

  it('refuses a tampered .jcat: edited checksum, foreign signature, garbage', async () => {
    const site = await lvfs();
    const json = JSON.parse(gunzipSync(site.served.files.get(`${site.alias}.jcat`) ?? new Uint8Array()).toString());
    json.Items[0].Blobs[0].Data = '0'.repeat(64);
    site.served.files.set(`${site.alias}.jcat`, gzipSync(JSON.stringify(json)));
    expect((await refresh(site.root)).result?.error?.code).toBe('checksum-mismatch');

    const foreign = await signMetadata(site.real, site.metadata, {
      aliasIds: [site.alias],
      signedContent: Buffer.from('something else'),
    });
    site.served.files.set(`${site.alias}.jcat`, foreign);
    expect((await refresh(site.root)).result?.error?.code).toBe('signature-invalid');

    site.served.files.set(`${site.alias}.jcat`, Buffer.from('not gzip at all'));
    expect((await refresh(site.root)).result?.error?.code).toBe('jcat-invalid');
  });

  it('refuses metadata signed by a CA that is not a trust anchor', async () => {
    const site = await lvfs();
    fs.rmSync(path.join(site.root, 'etc/capstan/pki/test-ca.pem'));
    fs.writeFileSync(path.join(site.root, 'etc/capstan/pki/other.pem'), testCaPem('test-wrong-ca.pem'));
    const { result } = await refresh(site.root);
    expect(result?.error).toMatchObject({
      code: 'signature-invalid',
      hint: expect.stringContaining('/etc/capstan/pki'),
    });
  });

  it('refuses an unsigned download remote', async () => {
    const site = await lvfs();
    site.served.files.set(
      `${site.alias}.jcat`,
      await signMetadata(site.real, site.metadata, { aliasIds: [site.alias], signer: null }),
    );
    const { result } = await refresh(site.root);
    expect(result?.error).toMatchObject({
      code: 'signature-missing',
      message: expect.stringContaining('capstan refuses unsigned metadata'),
    });
    site.served.files.delete(`${site.alias}.jcat`);
    expect((await refresh(site.root)).result?.error?.code).toBe('download-failed');
  });

  it('refuses older metadata than it already verified (rollback)', async () => {
    const site = await lvfs();
    await refresh(site.root);
    const older = await signMetadata(site.real, site.metadata, {
      aliasIds: [site.alias],
      signingTime: new Date('2026-11-01T00:00:00Z'),
    });
    site.served.files.set(`${site.alias}.jcat`, older);
    const { result } = await refresh(site.root, { force: true });
    expect(result?.error).toMatchObject({
      code: 'signature-invalid',
      message: expect.stringContaining('older than the metadata already verified'),
    });
  });

  it('times out a server that never answers, with bounded retries', async () => {
    const site = await lvfs();
    site.served.silent.add(site.real);
    const { result } = await refresh(site.root);
    expect(result?.error).toMatchObject({
      code: 'network-unreachable',
      message: expect.stringContaining('timed out after 3 attempts'),
    });
    expect(site.server.requests.filter((r) => r.url === `/${site.real}`)).toHaveLength(3);
  });

  it('works through a proxy (HTTPS_PROXY/HTTP_PROXY) on loopback', async () => {
    const site = await lvfs();
    const proxy = await startProxy();
    const { result } = await refresh(site.root, {}, { HTTP_PROXY: proxy.url });
    expect(result?.outcome).toBe('updated');
    expect(proxy.requests.every((r) => r.method === 'CONNECT')).toBe(true);
    expect(proxy.requests.length).toBeGreaterThan(0);
  });
});

describe('capstan refresh of a local catalog', () => {
  it('indexes an unsigned file:// catalog and marks it unsigned-local', async () => {
    const root = makeRoot({
      'etc/capstan/remotes.d/local.conf':
        '[fwupd Remote]\nEnabled=true\nMetadataURI=file:///srv/firmware/catalog.xml.gz\n',
      'srv/firmware/catalog.xml.gz': gzipSync(exampleCatalogXml()),
    });
    const { result } = await refresh(root);
    expect(result).toMatchObject({ outcome: 'updated', trust: 'unsigned-local', components: 1 });
    expect((await refresh(root)).result?.outcome).toBe('unchanged');
  });

  it('verifies a .jcat beside a local catalog when there is one', async () => {
    const xml = gzipSync(exampleCatalogXml());
    const root = makeRoot({
      'etc/capstan/remotes.d/local.conf': '[fwupd Remote]\nEnabled=true\nMetadataURI=file:///srv/catalog.xml.gz\n',
      'etc/capstan/pki/test-ca.pem': testCaPem(),
      'srv/catalog.xml.gz': xml,
      'srv/catalog.xml.gz.jcat': await signMetadata('catalog.xml.gz', xml),
    });
    expect((await refresh(root)).result).toMatchObject({ outcome: 'updated', trust: 'signed' });
  });
});

describe('capstan refresh of a directory of cabinets', () => {
  it('reads each cabinet\u2019s metainfo as a component located at the cabinet, skipping broken ones', async () => {
    const cabs = path.join(REPO_ROOT, 'demo/catalog/cabs');
    const tree: Record<string, string | Uint8Array> = {
      'etc/capstan/remotes.d/vendor.conf':
        '[fwupd Remote]\nEnabled=true\nMetadataURI=file:///usr/share/firmware/vendor\n',
      'usr/share/firmware/vendor/broken.cab': 'MSCF but not really',
      'usr/share/firmware/vendor/README': 'not a cabinet',
    };
    for (const name of ['laptop13-system-0.1.0.54.cab', 'laptop13-ec-136.cab']) {
      tree[`usr/share/firmware/vendor/${name}`] = fs.readFileSync(path.join(cabs, name));
    }
    const { ctx, result } = await refresh(makeRoot(tree));
    expect(result).toMatchObject({
      kind: 'directory',
      outcome: 'updated',
      trust: 'unsigned-local',
      components: 2,
      releases: 2,
    });
    const index = readCatalogIndex(ctx, 'vendor');
    const [system] = index === undefined ? [] : readComponentsFor(ctx, index, [GUID]);
    expect(system?.releases[0]).toMatchObject({
      version: '0.1.0.54',
      locations: ['file:///usr/share/firmware/vendor/laptop13-system-0.1.0.54.cab'],
      container: { filename: 'laptop13-system-0.1.0.54.cab' },
    });
    expect(system?.releases[0]?.container.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

// Phase breakdown of capstan's refresh and plan, for the catalog benchmark's `--profile` option.
//
// Usage (child process, started by bench/catalog.mjs; needs a built dist/):
//   node --expose-gc bench/lib/phases.mjs refresh ROOT REMOTE
//   node --expose-gc bench/lib/phases.mjs plan ROOT
//
// It replays, step by step, what `capstan refresh --force` (src/catalog/refresh.ts, refreshDownload)
// and `capstan plan --json` (src/engine/plan-session.ts) do, calling the same compiled functions from
// dist/, and prints one JSON line: per phase the wall time, the RSS after it, and GC pause time
// inside it. It writes into ROOT exactly like the command (index.json, components.ndjson).
// The whole-process numbers in the benchmark table come from the real CLI, not from this script.

import path from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(path.join(REPO, 'dist', 'src', p)).href);

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

const phases = [];
let last = performance.now();
let lastGc = 0;
/** Ends the current phase: wall ms since the previous mark, RSS now, GC ms inside the phase. */
async function mark(name, extra = {}) {
  await new Promise((resolve) => setImmediate(resolve)); // let the GC observer deliver its entries
  const now = performance.now();
  phases.push({
    phase: name,
    ms: round(now - last),
    gcMs: round(gcMs - lastGc),
    rssMiB: round(process.memoryUsage().rss / 1048576),
    heapUsedMiB: round(process.memoryUsage().heapUsed / 1048576),
    ...extra,
  });
  last = performance.now();
  lastGc = gcMs;
}
const round = (x) => Math.round(x * 10) / 10;

async function refresh(root, remoteId) {
  const t0 = performance.now();
  const [{ createContext }, { readConfig }, remotes, http, sig, { decompressMetadata }, appstream, store, refreshMod] =
    await Promise.all([
      dist('core/context.js'),
      dist('core/config.js'),
      dist('catalog/remotes/index.js'),
      dist('catalog/http.js'),
      dist('catalog/signature/index.js'),
      dist('catalog/decompress.js'),
      dist('catalog/appstream/index.js'),
      dist('catalog/index-store.js'),
      dist('catalog/refresh.js'),
    ]);
  await import('undici');
  await import('fzstd');
  await mark('import modules (capstan + undici + fzstd)');
  const ctx = createContext({ root, env: {} });
  const config = readConfig(ctx);
  const remote = remotes.findRemote(ctx, remoteId);
  const anchors = sig.loadTrustAnchors(ctx, config.trustDirectories);
  store.readCatalogIndex(ctx, remoteId);
  await mark('config, remote, trust anchors, read old index.json');
  const client = await http.createHttpClient(ctx);
  const common = { timeoutMs: 60_000, retries: 0, maxBytes: config.metadataMaxMiB * 1048576 };
  const jcatResponse = await client.get(`${remote.metadataUri}.jcat`, { ...common, maxBytes: 16 << 20 });
  const jcat = sig.parseJcat(jcatResponse.body);
  const item = sig.findJcatItem(jcat, path.basename(new URL(remote.metadataUri).pathname));
  await mark('GET .jcat + parse JCat');
  const metadataUrl = new URL(item.id, new URL(remote.metadataUri)).toString();
  const response = await client.get(metadataUrl, common);
  const metadata = response.body;
  await client.close();
  await mark('GET metadata (.xml.zst)', { bytes: metadata.length });
  const sha = sig.payloadDigests(metadata).sha256;
  await mark('sha256 of the compressed metadata', { sha256: sha.slice(0, 12) });
  const verified = await sig.verifyJcatItem(item, metadata, anchors, {
    requireChecksum: true,
    requireSignature: true,
    checkTime: true,
    now: new Date(Date.now() + 3600_000),
  });
  await mark('verifyJcatItem (sha256 again + PKCS#7)', { trusted: verified.trusted });
  const xml = await decompressMetadata(metadata, config.metadataMaxMiB * 1048576, item.id);
  await mark('decompress (fzstd)', { bytes: xml.length });
  const text = new TextDecoder('utf-8', { fatal: true }).decode(xml);
  await mark('UTF-8 decode to one string', { chars: text.length });
  const components = [];
  await appstream.parseCatalog(text, (component) => components.push(component));
  await mark('saxes parse + AppStream state machine (all Components kept)', { components: components.length });
  const stored = components.map((c) => refreshMod.toStored(c));
  components.length = 0;
  await mark('toStored (project to StoredComponent)');
  const written = store.writeCatalogIndex(
    ctx,
    {
      remote: remoteId,
      catalogSha256: sha,
      metadataUri: remote.metadataUri,
      trust: 'signed',
      signedAt: verified.newestSignature?.toISOString() ?? null,
      refreshedAt: new Date().toISOString(),
    },
    stored,
  );
  await mark('writeCatalogIndex (JSON.stringify lines, concat, sha256, write)', { releases: written.releases });
  return { totalMs: round(performance.now() - t0) };
}

async function plan(root) {
  const t0 = performance.now();
  const [
    { createContext },
    { readConfig },
    { readInventory },
    { loadCatalog },
    { readHostFacts },
    { planUpdates },
    store,
  ] = await Promise.all([
    dist('core/context.js'),
    dist('core/config.js'),
    dist('devices/inventory.js'),
    dist('catalog/catalog.js'),
    dist('engine/host-facts.js'),
    dist('planner/plan.js'),
    dist('catalog/index-store.js'),
  ]);
  await dist('engine/plan-session.js');
  await dist('cli/main.js');
  await mark('import modules (plan-session, cli/main + commander)');
  const ctx = createContext({ root, env: {} });
  const config = readConfig(ctx);
  const inventory = readInventory(ctx);
  await mark('readInventory (ESRT, platform, efivars)');
  const text = ctx.fs.tryReadText(`${store.CATALOG_CACHE_DIR}/bench/index.json`);
  const t = performance.now();
  JSON.parse(text);
  const parseMs = performance.now() - t;
  await mark('read + JSON.parse index.json (separately, for its cost)', {
    bytes: text.length,
    parseMs: round(parseMs),
  });
  const guids = inventory.devices.map((d) => d.guid);
  const catalog = loadCatalog(ctx, config, guids);
  await mark('loadCatalog (index.json + positioned reads of components.ndjson)', {
    components: catalog.components.length,
  });
  const devices = inventory.devices.map((d) => ({
    guid: d.guid,
    name: d.name,
    versionRaw: d.versionRaw,
    lowestSupportedVersionRaw: d.lowestSupportedVersionRaw,
    updatable: d.updatable,
  }));
  const host = readHostFacts(ctx, inventory.platform, devices, new Set());
  await mark('readHostFacts (SMBIOS, HWIDs)');
  const items = planUpdates(devices, catalog.components, host, {
    guids: [],
    allowOlder: false,
    allowReinstall: false,
    mode: 'update',
    force: false,
  });
  await mark('planUpdates', { updates: items.filter((i) => i.action !== 'skip').length });
  return { totalMs: round(performance.now() - t0) };
}

const [mode, root, remote = 'bench'] = process.argv.slice(2);
const startRss = process.memoryUsage().rss;
const result = mode === 'refresh' ? await refresh(root, remote) : mode === 'plan' ? await plan(root) : null;
if (result === null) {
  process.stderr.write('usage: node bench/lib/phases.mjs refresh|plan ROOT [REMOTE]\n');
  process.exit(4);
}
process.stdout.write(
  `${JSON.stringify({
    mode,
    ...result,
    gcMsTotal: round(gcMs),
    startRssMiB: round(startRss / 1048576),
    maxRssMiB: round((process.resourceUsage().maxRSS * 1024) / 1048576),
    phases,
  })}\n`,
);

// Catalog benchmark: capstan beside the real fwupd (`fwupdtool`) on an LVFS-scale catalog, same
// catalog, same machine fixture, same loopback server, same run.
//
// Usage:  npm run build && node --expose-gc bench/catalog.mjs [options]
//   --refresh-runs N   measured refresh runs per tool (5)        --plan-runs N   measured plan runs (15)
//   --components N     components in the catalog (5000)          --releases N    mean releases each (8)
//   --seed N           generator seed (20261125)                 --json          machine-readable report
//   --profile          also: phase breakdown of capstan refresh and plan (bench/lib/phases.mjs, 3 runs
//                      each) and a `node --cpu-prof` summary of one real `refresh --force` and `plan --json`
//   --keep             keep the temporary directory (printed) for inspection
//
// What it does:
// 1. generates a deterministic catalog (bench/lib/catalog-gen.mjs): 5,000 <component type="firmware">,
//    ~40,000 releases, ~68 MB of XML; three components target the demo machine's ESRT
//    (demo/machine/root) with newer releases whose requirements (fwupd version, vendor-id
//    `DMI:Example Computer Inc.`, a CHID both tools compute) pass for both tools;
// 2. compresses it with the `zstd` CLI (-9) and signs it like LVFS (bench/lib/jcat.mjs: JCat item
//    Id firmware-00001-stable.xml.zst, AliasIds [firmware.xml.zst], sha1 + sha256 + PKCS#7 made by
//    `openssl cms` with the committed TEST-ONLY signer), checked first with libjcat's `jcat-tool verify`;
// 3. serves firmware.xml.zst, firmware-00001-stable.xml.zst and firmware.xml.zst.jcat from this
//    process on 127.0.0.1 (bench/lib/server.mjs); both tools get a remote with that MetadataURI and
//    the test CA as their only trust anchor (capstan: <root>/etc/capstan/{remotes.d,pki};
//    fwupd: <FWUPD_SYSCONFDIR>/fwupd/remotes.d/bench.conf and <FWUPD_SYSCONFDIR>/pki/fwupd-metadata/);
// 4. refresh: `capstan --root R refresh --force` vs `fwupdtool refresh --force --plugins uefi_capsule`,
//    1 warm-up + N measured runs each, interleaved (the order alternates every round). Before every
//    refresh the metadata is re-signed (a new PKCS#7 signing time, same payload) so that neither
//    tool can answer "already up to date": fwupd refuses metadata whose signing time is not newer
//    than what it has, even with --force. Every run is checked: exit status 0, the server saw this
//    tool GET the .jcat and the metadata, capstan reports 5000 components / N releases, fwupd's
//    stored .jcat is the one just served and its metadata.xmlb was rewritten. Wall time, CPU time
//    (GNU time %U+%S) and peak RSS (%M) of the same run (time's own exec costs ~1 ms of a
//    multi-second run);
// 5. plan with a warm index: `capstan --root R plan --json` vs
//    `fwupdtool get-updates --json --plugins uefi_capsule`, 3 warm-up + N measured runs each,
//    interleaved; CPU time and peak RSS from 5 separate runs under GNU time (as bench/run.mjs). Every run is
//    checked: capstan exit 0 with an `update` to the expected version for each demo GUID, fwupd
//    exit 0 listing each demo GUID in Devices with the expected newest release first.
//
// Any failed check aborts (exit status 1) with the command, stdout and stderr: a benchmark of a
// failing command is worthless. The target verdicts never change the exit status. fwupdtool runs
// under a clean environment pointed at a temporary copy of demo/machine/root exactly as in
// bench/run.mjs (/work/shared/reference/fwupd-as-a-peer.md). Only Node built-ins are used.

import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCatalog } from './lib/catalog-gen.mjs';
import { summarizeCpuProfile } from './lib/cpuprofile.mjs';
import { fwupdEnv } from './lib/fwupd-env.mjs';
import { buildMetadataJcat, verifyWithJcatTool } from './lib/jcat.mjs';
import { startServer } from './lib/server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CAPSTAN = path.join(REPO, 'bin', 'capstan.js');
const PHASES = path.join(REPO, 'bench', 'lib', 'phases.mjs');
const FWUPDTOOL = '/usr/bin/fwupdtool';
const GNU_TIME = '/usr/bin/time';
const DEMO_ROOT = path.join(REPO, 'demo', 'machine', 'root');
const PKI = path.join(REPO, 'test', 'catalogs', 'pki');
const REMOTE = 'bench';
const JCAT_ID = 'firmware-00001-stable.xml.zst';
const ALIAS = 'firmware.xml.zst';

const TARGETS = { refreshRssMiB: 300, planMedianMs: 150 };

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = {
    refreshRuns: 5,
    planRuns: 15,
    refreshWarmup: 1,
    planWarmup: 3,
    rssRuns: 5,
    components: 5000,
    releases: 8,
    seed: 20261125,
    json: false,
    profile: false,
    keep: false,
  };
  const ints = {
    '--refresh-runs': 'refreshRuns',
    '--plan-runs': 'planRuns',
    '--components': 'components',
    '--releases': 'releases',
    '--seed': 'seed',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') opts.json = true;
    else if (arg === '--profile') opts.profile = true;
    else if (arg === '--keep') opts.keep = true;
    else if (Object.hasOwn(ints, arg)) opts[ints[arg]] = positiveInt(arg, argv[++i]);
    else if (arg === '--help' || arg === '-h') {
      out(
        'usage: node --expose-gc bench/catalog.mjs [--refresh-runs N (5)] [--plan-runs N (15)]\n' +
          '       [--components N (5000)] [--releases N (8)] [--seed N] [--profile] [--keep] [--json]\n',
      );
      process.exit(0);
    } else usage(`unknown option ${arg}`);
  }
  if (opts.components < 4) usage('--components needs at least 4 (three demo targets plus one)');
  return opts;
}

function positiveInt(name, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) usage(`${name} needs a positive integer, got ${value}`);
  return n;
}

function usage(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(4);
}

class BenchAbort extends Error {}

function abort(message) {
  throw new BenchAbort(message);
}

// ---------------------------------------------------------------------------------------------
// Catalog, signature, sandboxes
// ---------------------------------------------------------------------------------------------

function zstdCompress(xml) {
  const r = spawnSync('zstd', ['-9', '-q', '-c'], { input: xml, maxBuffer: 1 << 30 });
  if (r.status !== 0) abort(`zstd -9 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Signs `payload` with a signing time strictly newer (in whole seconds) than `previous`. */
async function signFresh(payload, previous) {
  while (Math.floor(Date.now() / 1000) <= previous) await sleep(50);
  const timestamp = Math.floor(Date.now() / 1000);
  const jcat = buildMetadataJcat(payload, {
    id: JCAT_ID,
    aliasIds: [ALIAS],
    cert: path.join(PKI, 'test-signer.pem'),
    key: path.join(PKI, 'test-signer.key'),
    timestamp,
  });
  // openssl takes the signingTime from the clock too; if a second boundary was crossed meanwhile it
  // is only newer, which is all that matters.
  return { jcat, timestamp };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function remoteConf(metadataUri) {
  return `[fwupd Remote]\nEnabled=true\nTitle=Benchmark catalog (loopback)\nMetadataURI=${metadataUri}\n`;
}

function makeCapstanRoot(tmp, metadataUri) {
  const root = path.join(tmp, 'capstan', 'root');
  cpSync(DEMO_ROOT, root, { recursive: true });
  mkdirSync(path.join(root, 'etc/capstan/remotes.d'), { recursive: true });
  mkdirSync(path.join(root, 'etc/capstan/pki'), { recursive: true });
  writeFileSync(path.join(root, 'etc/capstan/remotes.d', `${REMOTE}.conf`), remoteConf(metadataUri));
  cpSync(path.join(PKI, 'test-ca.pem'), path.join(root, 'etc/capstan/pki/test-ca.pem'));
  const home = path.join(tmp, 'capstan', 'home');
  mkdirSync(home, { recursive: true });
  return { root, home };
}

/** A copy of the demo machine plus fwupd's state/config/lock/home, with the remote and the CA. */
function makeFwupdSandbox(tmp, metadataUri) {
  const dir = path.join(tmp, 'fwupd');
  const root = path.join(dir, 'root');
  cpSync(DEMO_ROOT, root, { recursive: true });
  mkdirSync(path.join(root, 'sys/firmware/acpi/tables'), { recursive: true });
  for (const d of ['var', 'etc/fwupd/remotes.d', 'etc/pki/fwupd-metadata', 'lock', 'home'])
    mkdirSync(path.join(dir, d), { recursive: true });
  writeFileSync(path.join(dir, 'etc/fwupd/remotes.d', `${REMOTE}.conf`), remoteConf(metadataUri));
  cpSync(path.join(PKI, 'test-ca.pem'), path.join(dir, 'etc/pki/fwupd-metadata/test-ca.pem'));
  return { dir, root };
}

function capstanEnv(home) {
  return { PATH: '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1' };
}

// ---------------------------------------------------------------------------------------------
// Running commands (asynchronously: the HTTP server lives in this process)
// ---------------------------------------------------------------------------------------------

/** Runs a command to completion; resolves { status, signal, stdout, stderr, ms }. */
function run(cmd, args, env) {
  return new Promise((resolve) => {
    globalThis.gc?.();
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (d) => stdout.push(d));
    child.stderr.on('data', (d) => stderr.push(d));
    child.on('error', (error) =>
      resolve({ status: null, signal: null, error, stdout: '', stderr: '', ms: Number.NaN }),
    );
    child.on('close', (status, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      resolve({
        status,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        ms,
      });
    });
  });
}

/**
 * Runs under GNU time writing `%M %U %S` (peak RSS KiB, user s, system s) to a file; resolves the run
 * plus rssMiB and cpuMs (user + system CPU time of the command: less sensitive than wall time to
 * other load on the machine, though not immune to it).
 */
async function runTimed(c, tmp) {
  const rssFile = path.join(tmp, 'rss.txt');
  rmSync(rssFile, { force: true });
  const r = await run(GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, c.cmd, ...c.args], c.env);
  const fields = existsSync(rssFile)
    ? readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ').map(Number)
    : [];
  const [kib = Number.NaN, user = Number.NaN, sys = Number.NaN] = fields;
  return { ...r, rssMiB: kib / 1024, cpuMs: (user + sys) * 1000 };
}

/** Exit status as expected and the case's own check, or abort with the evidence. */
function verify(c, r, context = {}) {
  const expected = c.expectStatus ?? 0;
  const problem = r.error
    ? `could not start: ${r.error.message}`
    : r.status !== expected
      ? `exit status ${r.status ?? `signal ${r.signal}`} (expected ${expected})`
      : c.check(r, context);
  if (!problem) return;
  abort(
    `"${c.name}" failed: ${problem}\n  command: ${commandLine(c)}\n` +
      `  stdout (first 1200 chars): ${stripProgress(r.stdout).slice(0, 1200)}\n` +
      `  stderr (first 1200 chars): ${stripProgress(r.stderr).slice(0, 1200)}\n` +
      'A benchmark of a failing command is worthless; fix the command (or the build) first.',
  );
}

/** fwupdtool draws progress bars with \r even when not on a TTY; keep the last state of each line. */
function stripProgress(text) {
  return String(text)
    .split('\n')
    .map((line) => line.split('\r').pop())
    .filter((line) => line.trim() !== '')
    .join('\n');
}

function commandLine(c) {
  const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
  const envPart = Object.entries(c.env).map(([k, v]) => `${k}=${quote(v)}`);
  return ['env -i', ...envPart, ...[c.cmd, ...c.args].map(quote)].join(' ');
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/** The server saw `agentPattern` GET the .jcat and the metadata (by its JCat Id) since `since`. */
function checkDownloads(server, since, agentPattern) {
  const seen = server.requests.slice(since).filter((q) => agentPattern.test(q.agent));
  const got = (p) => seen.some((q) => q.path === p && q.status === 200 && q.method === 'GET');
  if (!got(`/${ALIAS}.jcat`)) return `the server saw no GET /${ALIAS}.jcat from this tool`;
  if (!got(`/${JCAT_ID}`)) return `the server saw no GET /${JCAT_ID} from this tool (metadata not downloaded)`;
  return null;
}

function checkCapstanRefresh(catalog, server) {
  const line = new RegExp(
    `^${REMOTE}: updated; ${catalog.components} components, ${catalog.releases} releases \\(signed `,
    'm',
  );
  return (r, { since }) =>
    line.test(r.stdout)
      ? checkDownloads(server, since, /^capstan/)
      : `stdout lacks "${REMOTE}: updated; ${catalog.components} components, ${catalog.releases} releases (signed …)"`;
}

function checkFwupdRefresh(sandbox, server) {
  const stored = path.join(sandbox.dir, 'var/lib/fwupd/metadata', REMOTE, `${ALIAS}.jcat`);
  const silo = path.join(sandbox.dir, 'var/cache/fwupd/metadata.xmlb');
  return (_r, { since, jcat, startedAt }) => {
    const downloads = checkDownloads(server, since, /fwupd/);
    if (downloads) return downloads;
    if (!existsSync(stored) || !readFileSync(stored).equals(jcat)) return `${stored} is not the .jcat just served`;
    if (!existsSync(silo) || statSync(silo).mtimeMs < startedAt) return `${silo} was not rewritten by this refresh`;
    return null;
  };
}

/** capstan plan --json: for every demo target an item with action update to the expected version. */
function checkCapstanPlan(targets) {
  return (r) => {
    let doc;
    try {
      doc = JSON.parse(r.stdout);
    } catch (e) {
      return `stdout is not JSON (${e.message})`;
    }
    for (const t of targets) {
      const item = doc.items?.find((i) => i.guid === t.guid);
      if (!item) return `no plan item for ${t.guid}`;
      if (item.action !== 'update' || item.to?.version !== t.expectedUpdate)
        return `${t.guid}: action ${item.action} to ${item.to?.version ?? 'nothing'}, expected update to ${t.expectedUpdate}`;
    }
    return null;
  };
}

/** fwupdtool get-updates --json: every demo GUID in Devices, newest release first = expected. */
function checkFwupdUpdates(targets) {
  return (r) => {
    let doc;
    try {
      doc = JSON.parse(r.stdout);
    } catch (e) {
      return `stdout is not JSON (${e.message})`;
    }
    for (const t of targets) {
      const device = doc.Devices?.find((d) => (d.Guid ?? []).includes(t.guid));
      if (!device) return `no device with ${t.guid} in Devices`;
      const first = device.Releases?.[0]?.Version;
      if (first !== t.expectedUpdate)
        return `${t.guid}: first release ${first ?? 'none'}, expected ${t.expectedUpdate}`;
    }
    return null;
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1];
}

const round = (x) => Math.round(x * 10) / 10;
const round2 = (x) => Math.round(x * 100) / 100;

function summarize(c, ms, rss, cpu) {
  return {
    name: c.name,
    tool: c.tool,
    kind: c.kind,
    command: commandLine(c),
    runs: ms.length,
    medianMs: round(median(ms)),
    p90Ms: round(percentile(ms, 90)),
    minMs: round(Math.min(...ms)),
    maxMs: round(Math.max(...ms)),
    samplesMs: ms.map(round),
    peakRssMiB: rss.length ? round(median(rss)) : null,
    maxPeakRssMiB: rss.length ? round(Math.max(...rss)) : null,
    cpuMs: cpu.length ? round(median(cpu)) : null,
  };
}

function progress(text) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

function out(text) {
  process.stdout.write(text);
}

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

async function measureRefresh(cases, opts, ctx) {
  const samples = new Map(cases.map((c) => [c, { ms: [], rss: [], cpu: [] }]));
  const total = opts.refreshWarmup + opts.refreshRuns;
  for (let round = 0; round < total; round++) {
    const warm = round < opts.refreshWarmup;
    const order = round % 2 === 0 ? cases : [...cases].reverse();
    for (const c of order) {
      progress(`refresh ${warm ? 'warm-up' : `run ${round - opts.refreshWarmup + 1}/${opts.refreshRuns}`}: ${c.tool}`);
      await ctx.resign();
      const since = ctx.server.requests.length;
      const startedAt = Date.now() - 1;
      const r = await runTimed(c, ctx.tmp);
      verify(c, r, { since, jcat: ctx.current.jcat, startedAt });
      if (!warm) {
        samples.get(c).ms.push(r.ms);
        samples.get(c).rss.push(r.rssMiB);
        samples.get(c).cpu.push(r.cpuMs);
      }
    }
  }
  return cases.map((c) => summarize(c, samples.get(c).ms, samples.get(c).rss, samples.get(c).cpu));
}

async function measurePlan(cases, opts, ctx) {
  const samples = new Map(cases.map((c) => [c, []]));
  for (let i = 0; i < opts.planWarmup + opts.planRuns; i++) {
    const warm = i < opts.planWarmup;
    progress(`plan ${warm ? 'warm-up' : `run ${i - opts.planWarmup + 1}/${opts.planRuns}`}`);
    const order = i % 2 === 0 ? cases : [...cases].reverse();
    for (const c of order) {
      const r = await run(c.cmd, c.args, c.env);
      verify(c, r);
      if (!warm) samples.get(c).push(r.ms);
    }
  }
  const rss = new Map(cases.map((c) => [c, []]));
  const cpu = new Map(cases.map((c) => [c, []]));
  for (let i = 0; i < opts.rssRuns; i++) {
    progress(`plan peak RSS ${i + 1}/${opts.rssRuns}`);
    for (const c of cases) {
      const r = await runTimed(c, ctx.tmp);
      verify(c, r);
      rss.get(c).push(r.rssMiB);
      cpu.get(c).push(r.cpuMs);
    }
  }
  return cases.map((c) => summarize(c, samples.get(c), rss.get(c), cpu.get(c)));
}

/** --profile: phase breakdown (3 runs, median per phase) and one --cpu-prof of the real refresh. */
async function profile(ctx, capstan) {
  const node = process.execPath;
  const env = capstanEnv(capstan.home);
  const phaseRuns = { refresh: [], plan: [] };
  for (let i = 0; i < 3; i++) {
    for (const mode of ['refresh', 'plan']) {
      progress(`profile: phases ${mode} ${i + 1}/3`);
      if (mode === 'refresh') await ctx.resign();
      const args = ['--expose-gc', PHASES, mode, capstan.root, REMOTE];
      const r = await run(node, args, env);
      if (r.status !== 0) abort(`phases ${mode} failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
      phaseRuns[mode].push(JSON.parse(r.stdout));
    }
  }
  const medianPhases = (runs) => ({
    totalMs: round(median(runs.map((x) => x.totalMs))),
    gcMsTotal: round(median(runs.map((x) => x.gcMsTotal))),
    maxRssMiB: round(median(runs.map((x) => x.maxRssMiB))),
    phases: runs[0].phases.map((p, i) => ({
      ...p,
      ms: round(median(runs.map((x) => x.phases[i].ms))),
      gcMs: round(median(runs.map((x) => x.phases[i].gcMs))),
      rssMiB: round(median(runs.map((x) => x.phases[i].rssMiB))),
    })),
  });
  const profDir = path.join(ctx.tmp, 'cpu-prof');
  mkdirSync(profDir, { recursive: true });
  const cpu = {};
  for (const [mode, cmdArgs] of [
    ['refresh', ['refresh', '--force']],
    ['plan', ['plan', '--json']],
  ]) {
    progress(`profile: --cpu-prof ${mode}`);
    if (mode === 'refresh') await ctx.resign();
    const dir = path.join(profDir, mode);
    const args = [
      '--cpu-prof',
      '--cpu-prof-dir',
      dir,
      '--cpu-prof-interval',
      '500',
      CAPSTAN,
      '--root',
      capstan.root,
      ...cmdArgs,
    ];
    const r = await run(node, args, env);
    if (r.status !== 0) abort(`capstan ${mode} under --cpu-prof failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    cpu[mode] = { wallMs: round(r.ms), file: path.join(dir, file), ...summarizeCpuProfile(path.join(dir, file)) };
  }
  return { phases: { refresh: medianPhases(phaseRuns.refresh), plan: medianPhases(phaseRuns.plan) }, cpu };
}

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

function verdicts(refresh, plan) {
  const find = (list, tool) => list.find((r) => r.tool === tool);
  const cr = find(refresh, 'capstan');
  const fr = find(refresh, 'fwupd');
  const cp = find(plan, 'capstan');
  const fp = find(plan, 'fwupd');
  return {
    refreshRatioCapstanOverFwupd: fr ? round2(cr.medianMs / fr.medianMs) : null,
    refreshNoSlowerThanFwupd: fr ? cr.medianMs <= fr.medianMs : null,
    refreshRssUnderTarget: cr.peakRssMiB < TARGETS.refreshRssMiB,
    planRatioCapstanOverFwupd: fp ? round2(cp.medianMs / fp.medianMs) : null,
    planUnderTarget: cp.medianMs < TARGETS.planMedianMs,
    planNoSlowerThanFwupd: fp ? cp.medianMs <= fp.medianMs : null,
  };
}

function printTable(results) {
  const head = ['case', 'runs', 'median ms', 'p90 ms', 'min ms', 'max ms', 'CPU ms', 'peak RSS MiB', 'max RSS MiB'];
  const rows = results.map((r) => [
    r.name,
    String(r.runs),
    r.medianMs.toFixed(1),
    r.p90Ms.toFixed(1),
    r.minMs.toFixed(1),
    r.maxMs.toFixed(1),
    r.cpuMs === null ? '-' : r.cpuMs.toFixed(0),
    r.peakRssMiB === null ? '-' : r.peakRssMiB.toFixed(1),
    r.maxPeakRssMiB === null ? '-' : r.maxPeakRssMiB.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    `${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}\n`;
  out(line(head));
  out(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) out(line(row));
}

const verdictText = (ok) => (ok === null ? 'n/a (no fwupdtool)' : ok ? 'PASS' : 'FAIL');

function printHuman(report) {
  const f = report.environment;
  const c = report.catalog;
  out(`capstan catalog benchmark  ${f.date}\n`);
  out(`node ${f.node}, fwupd ${f.fwupd ?? 'NOT INSTALLED'}, ${f.cpus} CPUs (${f.cpuModel}), kernel ${f.kernel}\n`);
  out(`load average at start ${f.loadavgAtStart.join(' ')}, at end ${report.loadavgAtEnd.join(' ')}\n`);
  out(
    `catalog: ${c.components} components, ${c.releases} releases, XML ${(c.xmlBytes / 1e6).toFixed(1)} MB, ` +
      `zstd -9 ${(c.zstBytes / 1e6).toFixed(2)} MB (seed ${c.seed}); served from ${c.metadataUri}\n`,
  );
  out(
    `capstan index: components.ndjson ${(c.capstanNdjsonBytes / 1e6).toFixed(1)} MB, index.json ${(c.capstanIndexBytes / 1e3).toFixed(0)} kB; ` +
      `fwupd silo metadata.xmlb ${c.fwupdSiloBytes === null ? '-' : `${(c.fwupdSiloBytes / 1e6).toFixed(1)} MB`}\n\n`,
  );
  out('commands:\n');
  for (const r of [...report.refresh, ...report.plan]) out(`  ${r.command}\n`);
  out(
    `\nrefresh: ${report.settings.refreshWarmup} warm-up + ${report.settings.refreshRuns} measured runs per tool, interleaved, ` +
      're-signed before each run; wall time, CPU time (user+sys) and peak RSS (medians) of the same runs\n',
  );
  printTable(report.refresh);
  out(
    `\nplan (warm index): ${report.settings.planWarmup} warm-up + ${report.settings.planRuns} measured runs per tool, interleaved; ` +
      `CPU time and peak RSS: medians of ${report.settings.rssRuns} separate runs under GNU time\n`,
  );
  printTable(report.plan);
  const v = report.verdict;
  out('\n');
  if (v.refreshRatioCapstanOverFwupd !== null)
    out(`refresh median ratio capstan/fwupdtool: ${v.refreshRatioCapstanOverFwupd.toFixed(2)}\n`);
  out(`refresh: capstan median <= fwupdtool median: ${verdictText(v.refreshNoSlowerThanFwupd)}\n`);
  out(`refresh: capstan peak RSS < ${TARGETS.refreshRssMiB} MB: ${verdictText(v.refreshRssUnderTarget)}\n`);
  if (v.planRatioCapstanOverFwupd !== null)
    out(`plan median ratio capstan/fwupdtool: ${v.planRatioCapstanOverFwupd.toFixed(2)}\n`);
  out(`plan: capstan median < ${TARGETS.planMedianMs} ms: ${verdictText(v.planUnderTarget)}\n`);
  out(`plan: capstan median <= fwupdtool median: ${verdictText(v.planNoSlowerThanFwupd)}\n`);
  if (report.profile) printProfile(report.profile);
  if (!f.fwupd) out(`\n${FWUPD_MISSING}\n`);
}

function printProfile(p) {
  for (const mode of ['refresh', 'plan']) {
    const ph = p.phases[mode];
    out(
      `\n${mode} phases (bench/lib/phases.mjs, same dist/ functions, median of 3): total ${ph.totalMs} ms, ` +
        `GC ${ph.gcMsTotal} ms, max RSS ${ph.maxRssMiB} MiB\n`,
    );
    for (const x of ph.phases) {
      const extra = Object.entries(x)
        .filter(([k]) => !['phase', 'ms', 'gcMs', 'rssMiB', 'heapUsedMiB'].includes(k))
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      out(
        `  ${String(x.ms.toFixed(1)).padStart(8)} ms  (GC ${String(x.gcMs.toFixed(1)).padStart(6)})  RSS ${String(x.rssMiB.toFixed(0)).padStart(4)} MiB  ${x.phase}${extra ? `  [${extra}]` : ''}\n`,
      );
    }
    const cpu = p.cpu[mode];
    out(
      `${mode}: --cpu-prof of the real CLI (${cpu.wallMs} ms wall, ${cpu.totalMs} ms sampled), self time by bucket:\n`,
    );
    for (const b of cpu.buckets.slice(0, 12))
      out(`  ${String(b.ms.toFixed(0)).padStart(7)} ms ${String(b.pct.toFixed(1)).padStart(5)}%  ${b.name}\n`);
    out('  top functions (self):\n');
    for (const fn of cpu.functions.slice(0, 10))
      out(`  ${String(fn.ms.toFixed(0)).padStart(7)} ms ${String(fn.pct.toFixed(1)).padStart(5)}%  ${fn.name}\n`);
  }
}

const FWUPD_MISSING =
  '!!! NOTE: /usr/bin/fwupdtool is not installed: fwupd cases SKIPPED, no capstan/fwupd ratio. !!!\n' +
  '!!! Install Debian package fwupd to compare against the real thing.                         !!!';

function fwupdVersion(sandbox) {
  const r = spawnSync(FWUPDTOOL, ['--version', '--json', '--plugins', 'uefi_capsule'], {
    env: fwupdEnv(sandbox),
    encoding: 'utf8',
  });
  try {
    const v = JSON.parse(r.stdout).Versions.find(
      (x) => x.Type === 'runtime' && x.AppstreamId === 'org.freedesktop.fwupd',
    );
    return v?.Version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function removeTree(dir) {
  spawnSync('chattr', ['-R', '-i', dir], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

function requireTools(hasFwupd) {
  const need = ['zstd', 'openssl', 'jcat-tool'];
  for (const tool of need) {
    const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
    if (r.error) usage(`${tool} is needed (not found in PATH)`);
  }
  if (!existsSync(GNU_TIME)) usage(`${GNU_TIME} (GNU time) is needed for peak RSS`);
  if (!existsSync(path.join(REPO, 'dist/src/cli/main.js'))) usage('dist/ is missing: run `npm run build` first');
  if (!hasFwupd) process.stderr.write(`\n${FWUPD_MISSING}\n\n`);
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const hasFwupd = existsSync(FWUPDTOOL);
  requireTools(hasFwupd);
  const loadavgAtStart = os.loadavg();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'capstan-bench-catalog-'));
  let server;
  try {
    progress('generating the catalog');
    const generated = generateCatalog({
      components: opts.components,
      releasesPerComponent: opts.releases,
      seed: opts.seed,
    });
    const xmlBytes = generated.xml.length;
    progress('zstd -9');
    const zst = zstdCompress(generated.xml);
    generated.xml = null; // 65 MB this process no longer needs

    // Sign once and check the signature with libjcat itself before anything else.
    const srvDir = path.join(tmp, 'srv');
    mkdirSync(srvDir);
    writeFileSync(path.join(srvDir, JCAT_ID), zst);
    const first = await signFresh(zst, 0);
    writeFileSync(path.join(srvDir, `${ALIAS}.jcat`), first.jcat);
    const caDir = path.join(tmp, 'ca');
    mkdirSync(caDir);
    cpSync(path.join(PKI, 'test-ca.pem'), path.join(caDir, 'test-ca.pem'));
    mkdirSync(path.join(tmp, 'jcat-home'));
    const jcatToolOutput = verifyWithJcatTool({
      jcatFile: path.join(srvDir, `${ALIAS}.jcat`),
      payloadDir: srvDir,
      caDir,
      home: path.join(tmp, 'jcat-home'),
    });
    rmSync(srvDir, { recursive: true, force: true });

    server = await startServer({ [`/${ALIAS}`]: zst, [`/${JCAT_ID}`]: zst, [`/${ALIAS}.jcat`]: first.jcat });
    const metadataUri = `${server.baseUrl}/${ALIAS}`;
    const ctx = {
      tmp,
      server,
      current: first,
      async resign() {
        ctx.current = await signFresh(zst, ctx.current.timestamp);
        server.set(`/${ALIAS}.jcat`, ctx.current.jcat);
      },
    };

    const capstan = makeCapstanRoot(tmp, metadataUri);
    const sandbox = hasFwupd ? makeFwupdSandbox(tmp, metadataUri) : null;
    const node = process.execPath;
    const cEnv = capstanEnv(capstan.home);
    const catalogFacts = { components: generated.components, releases: generated.releases };

    const refreshCases = [
      {
        name: 'capstan refresh --force',
        tool: 'capstan',
        kind: 'refresh',
        cmd: node,
        args: [CAPSTAN, '--root', capstan.root, 'refresh', '--force'],
        env: cEnv,
        check: checkCapstanRefresh(catalogFacts, server),
      },
    ];
    const planCases = [
      {
        name: 'capstan plan --json (warm index)',
        tool: 'capstan',
        kind: 'plan',
        cmd: node,
        args: [CAPSTAN, '--root', capstan.root, 'plan', '--json'],
        env: cEnv,
        check: checkCapstanPlan(generated.targets),
      },
    ];
    if (sandbox) {
      const env = fwupdEnv(sandbox);
      refreshCases.push({
        name: 'fwupdtool refresh --force',
        tool: 'fwupd',
        kind: 'refresh',
        cmd: FWUPDTOOL,
        args: ['refresh', '--force', '--plugins', 'uefi_capsule'],
        env,
        check: checkFwupdRefresh(sandbox, server),
      });
      planCases.push({
        name: 'fwupdtool get-updates --json',
        tool: 'fwupd',
        kind: 'plan',
        cmd: FWUPDTOOL,
        args: ['get-updates', '--json', '--plugins', 'uefi_capsule'],
        env,
        check: checkFwupdUpdates(generated.targets),
      });
    }

    const refresh = await measureRefresh(refreshCases, opts, ctx);
    const plan = await measurePlan(planCases, opts, ctx);
    const profileReport = opts.profile ? await profile(ctx, capstan) : null;
    progress('');
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');

    const size = (p) => (existsSync(p) ? statSync(p).size : null);
    const cacheDir = path.join(capstan.root, 'var/cache/capstan/catalog', REMOTE);
    const report = {
      environment: {
        date: new Date().toISOString(),
        node: process.version,
        fwupd: sandbox ? fwupdVersion(sandbox) : null,
        cpus: os.availableParallelism(),
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        kernel: os.release(),
        loadavgAtStart: loadavgAtStart.map(round2),
      },
      loadavgAtEnd: os.loadavg().map(round2),
      settings: {
        refreshWarmup: opts.refreshWarmup,
        refreshRuns: opts.refreshRuns,
        planWarmup: opts.planWarmup,
        planRuns: opts.planRuns,
        rssRuns: opts.rssRuns,
      },
      catalog: {
        ...catalogFacts,
        seed: opts.seed,
        xmlBytes,
        zstBytes: zst.length,
        metadataUri,
        jcatItem: { id: JCAT_ID, aliasIds: [ALIAS] },
        jcatToolVerify: jcatToolOutput,
        capstanNdjsonBytes: size(path.join(cacheDir, 'components.ndjson')),
        capstanIndexBytes: size(path.join(cacheDir, 'index.json')),
        fwupdSiloBytes: sandbox ? size(path.join(sandbox.dir, 'var/cache/fwupd/metadata.xmlb')) : null,
        targets: generated.targets.map((t) => ({ guid: t.guid, format: t.format, expectedUpdate: t.expectedUpdate })),
      },
      refresh,
      plan,
      targets: TARGETS,
      verdict: verdicts(refresh, plan),
      ...(profileReport ? { profile: profileReport } : {}),
      ...(opts.keep ? { kept: tmp } : {}),
    };
    if (opts.json) out(`${JSON.stringify(report, null, 2)}\n`);
    else printHuman(report);
    if (opts.keep) process.stderr.write(`bench: kept ${tmp}\n`);
  } catch (e) {
    if (!(e instanceof BenchAbort)) throw e;
    process.stderr.write(`\nbench: ABORT: ${e.message}\n`);
    process.exitCode = 1;
  } finally {
    await server?.close();
    if (!opts.keep) removeTree(tmp);
  }
}

await main();

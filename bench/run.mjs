// Start-up benchmark: capstan beside the real fwupd (`fwupdtool`), whole processes, wall time.
//
// Usage:  npm run bench -- [--runs N] [--warmup N] [--json]
//         (npm runs `npm run --silent build && node --expose-gc bench/run.mjs`)
//
// Why whole processes: capstan is a CLI that is started, reads a few sysfs files and exits. Its cost
// for the user is dominated by start-up (node boot, module loading), so we time `spawnSync` of the
// complete command, exactly as an administrator would run it, rather than micro-benchmarking functions.
//
// Every measured run is verified (exit status, expected output); a benchmark of a failing command is
// worthless, so any mismatch aborts with a clear message (exit status 1). The target verdict does not
// change the exit status: benchmarks are not CI tests.
//
// fwupdtool is pointed at a temporary copy of the fixture machine with environment variables only,
// as described in /work/shared/reference/fwupd-as-a-peer.md. Only Node built-ins are used.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fwupdEnv } from './lib/fwupd-env.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CAPSTAN = path.join(REPO, 'bin', 'capstan.js');
const FWUPDTOOL = '/usr/bin/fwupdtool';
const GNU_TIME = '/usr/bin/time';
const TARGET_MS = 100;

/** Fixture machines, relative to the repository (read-only for capstan). */
const MACHINES = {
  'bare-metal': 'test/machines/bare-metal/root',
  demo: 'demo/machine/root',
};

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

/** Parses `--runs N`, `--warmup N`, `--json`, `--help`; exits with status 4 on a usage error. */
function parseArgs(argv) {
  const opts = { runs: 30, warmup: 3, json: false, rssRuns: 5 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') opts.json = true;
    else if (arg === '--runs' || arg === '--warmup') opts[arg.slice(2)] = positiveInt(arg, argv[++i]);
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: node --expose-gc bench/run.mjs [--runs N (30)] [--warmup N (3)] [--json]\n');
      process.exit(0);
    } else usage(`unknown option ${arg}`);
  }
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

// ---------------------------------------------------------------------------------------------
// Fixtures and the fwupd sandbox
// ---------------------------------------------------------------------------------------------

/** The GUIDs the fixture's ESRT publishes (entries/entryN/fw_class), independent of capstan's parser. */
function expectedGuids(root) {
  const entries = path.join(root, 'sys/firmware/efi/esrt/entries');
  return readdirSync(entries)
    .sort()
    .map((e) =>
      readFileSync(path.join(entries, e, 'fw_class'), 'utf8')
        .trim()
        .toLowerCase(),
    );
}

/**
 * Makes a throw-away copy of a machine root plus state/config/lock/home directories for fwupd, so
 * nothing fwupd writes (quirk cache, pending.db, lock file, possibly variables) touches the repo.
 */
function makeFwupdSandbox(machineRoot) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'capstan-bench-'));
  const root = path.join(dir, 'root');
  cpSync(machineRoot, root, { recursive: true });
  // Not in the fixture: an empty ACPI table directory, so fwupd does not read the host's tables.
  mkdirSync(path.join(root, 'sys/firmware/acpi/tables'), { recursive: true });
  for (const d of ['var', 'etc', 'lock', 'home']) mkdirSync(path.join(dir, d));
  return { dir, root };
}

/** Removes the sandbox; fwupd may set the immutable flag on variables it creates, so clear it first. */
function removeSandbox(sandbox) {
  if (!sandbox) return;
  spawnSync('chattr', ['-R', '-i', sandbox.dir], { stdio: 'ignore' });
  rmSync(sandbox.dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

/** Clean environment for capstan too (no NODE_OPTIONS, no CAPSTAN_ROOT from the caller). */
function capstanEnv(home) {
  return { PATH: '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1' };
}

/** Checks a get-devices stdout: one JSON document that mentions every expected GUID. */
function checkDevicesJson(guids) {
  return (stdout) => {
    try {
      JSON.parse(stdout);
    } catch (e) {
      return `stdout is not JSON (${e.message})`;
    }
    const text = stdout.toLowerCase();
    const missing = guids.filter((g) => !text.includes(g));
    return missing.length ? `GUID(s) missing from output: ${missing.join(', ')}` : null;
  };
}

/** Checks a --help stdout mentions the usage line. */
function checkHelp(stdout) {
  return /usage:/i.test(stdout) ? null : 'no "Usage:" in stdout';
}

/** Builds the list of cases; fwupd cases only when fwupdtool is installed. */
function buildCases(sandbox, capstanHome) {
  const node = process.execPath;
  const cEnv = capstanEnv(capstanHome);
  const cases = [
    // Floor for any Node CLI on this machine: how much of capstan's time is node itself starting.
    {
      name: 'node -e 0 (baseline)',
      tool: 'node',
      kind: 'baseline',
      cmd: node,
      args: ['-e', '0'],
      env: cEnv,
      check: () => null,
    },
    {
      name: 'capstan --help',
      tool: 'capstan',
      kind: 'help',
      cmd: node,
      args: [CAPSTAN, '--help'],
      env: cEnv,
      check: checkHelp,
    },
  ];
  for (const [label, rel] of Object.entries(MACHINES)) {
    const root = path.join(REPO, rel);
    cases.push({
      name: `capstan get-devices --json (${label})`,
      tool: 'capstan',
      kind: 'get-devices',
      machine: label,
      cmd: node,
      args: [CAPSTAN, '--root', root, 'get-devices', '--json'],
      env: cEnv,
      check: checkDevicesJson(expectedGuids(root)),
    });
  }
  if (sandbox) {
    const env = fwupdEnv(sandbox);
    cases.push({
      name: 'fwupdtool --help',
      tool: 'fwupd',
      kind: 'help',
      cmd: FWUPDTOOL,
      args: ['--help'],
      env,
      check: checkHelp,
    });
    cases.push({
      name: 'fwupdtool get-devices --json (bare-metal)',
      tool: 'fwupd',
      kind: 'get-devices',
      machine: 'bare-metal',
      cmd: FWUPDTOOL,
      args: ['get-devices', '--json', '--plugins', 'uefi_capsule'],
      env,
      check: checkDevicesJson(expectedGuids(sandbox.root)),
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

/** Runs a case once; returns wall time in ms. Aborts the benchmark if the run is not a success. */
function timeOnce(c) {
  globalThis.gc?.(); // collect our own garbage now, not while the child runs (needs --expose-gc)
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.cmd, c.args, { env: c.env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const t1 = process.hrtime.bigint();
  verify(c, r);
  return Number(t1 - t0) / 1e6;
}

/** Exit status 0 and the case's own output check, or abort with the evidence. */
function verify(c, r) {
  const problem = r.error
    ? `could not start: ${r.error.message}`
    : r.status !== 0
      ? `exit status ${r.status ?? `signal ${r.signal}`}`
      : c.check(r.stdout);
  if (!problem) return;
  throw new BenchAbort(
    `"${c.name}" failed: ${problem}\n  command: ${commandLine(c)}\n` +
      `  stdout (first 800 chars): ${String(r.stdout).slice(0, 800)}\n` +
      `  stderr (first 800 chars): ${String(r.stderr).slice(0, 800)}\n` +
      'A benchmark of a failing command is worthless; fix the command (or the build) first.',
  );
}

/** A verification failure: caught in main() so the temporary directories are still removed. */
class BenchAbort extends Error {}

/**
 * Peak RSS (KiB) of one run, from GNU time's %M written to a file (not mixed with the child's
 * stderr). Done in separate runs so the extra exec of /usr/bin/time never inflates the wall times.
 */
function peakRssOnce(c, tmp) {
  const out = path.join(tmp, 'rss.txt');
  const r = spawnSync(GNU_TIME, ['-f', '%M', '-o', out, c.cmd, ...c.args], { env: c.env, encoding: 'utf8' });
  verify(c, r);
  return Number(readFileSync(out, 'utf8').trim().split('\n').pop());
}

/**
 * Warm-up then measured runs. Cases are interleaved round-robin (case A, B, C, A, B, C, ...) so a
 * burst of background load (tests running on this 2-core machine) hits every case alike instead of
 * skewing one. The very first run of each case is kept as `firstMs` (fwupd builds its quirk cache then).
 */
function measureAll(cases, opts, tmp) {
  const samples = new Map(cases.map((c) => [c, []]));
  const first = new Map();
  for (let i = 0; i < opts.warmup; i++) {
    progress(`warm-up ${i + 1}/${opts.warmup}`);
    for (const c of cases) {
      const ms = timeOnce(c);
      if (!first.has(c)) first.set(c, ms);
    }
  }
  for (let i = 0; i < opts.runs; i++) {
    progress(`run ${i + 1}/${opts.runs}`);
    for (const c of cases) samples.get(c).push(timeOnce(c));
  }
  const rss = new Map();
  if (existsSync(GNU_TIME)) {
    progress('peak RSS');
    for (const c of cases) rss.set(c, median(Array.from({ length: opts.rssRuns }, () => peakRssOnce(c, tmp))));
  }
  progress('done\n');
  return cases.map((c) => summarize(c, samples.get(c), first.get(c), rss.get(c)));
}

function progress(text) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

// ---------------------------------------------------------------------------------------------
// Statistics and reporting
// ---------------------------------------------------------------------------------------------

/** Nearest-rank percentile of an ascending array (p in 0..100). */
function percentile(sorted, p) {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function summarize(c, ms, firstMs, rssKiB) {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    name: c.name,
    tool: c.tool,
    kind: c.kind,
    machine: c.machine ?? null,
    command: commandLine(c),
    runs: ms.length,
    medianMs: round(median(sorted)),
    p90Ms: round(percentile(sorted, 90)),
    minMs: round(sorted[0]),
    maxMs: round(sorted[sorted.length - 1]),
    firstRunMs: firstMs === undefined ? null : round(firstMs),
    peakRssMiB: rssKiB === undefined ? null : round(rssKiB / 1024),
  };
}

const round = (x) => Math.round(x * 10) / 10;

/** A shell-pasteable rendering of the command, with its FWUPD_* environment for fwupd cases. */
function commandLine(c) {
  const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
  const envPart = Object.entries(c.env).map(([k, v]) => `${k}=${quote(v)}`);
  return ['env -i', ...envPart, ...[c.cmd, ...c.args].map(quote)].join(' ');
}

/** Ratios capstan/fwupdtool for get-devices on the same machine, and the target verdict. */
function verdicts(results) {
  const gd = results.filter((r) => r.kind === 'get-devices');
  const fwupd = gd.find((r) => r.tool === 'fwupd');
  const capstan = gd.filter((r) => r.tool === 'capstan');
  const sameMachine = capstan.find((r) => fwupd && r.machine === fwupd.machine);
  const worst = capstan.reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
  return {
    ratioCapstanOverFwupd: sameMachine && fwupd ? round2(sameMachine.medianMs / fwupd.medianMs) : null,
    ratioMachine: fwupd ? fwupd.machine : null,
    targetMs: TARGET_MS,
    worstCapstanGetDevices: worst.name,
    worstCapstanMedianMs: worst.medianMs,
    pass: worst.medianMs <= TARGET_MS,
  };
}

const round2 = (x) => Math.round(x * 100) / 100;

function environmentFacts(fwupdVersion, loadavgAtStart) {
  return {
    date: new Date().toISOString(),
    node: process.version,
    fwupd: fwupdVersion,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    kernel: os.release(),
    loadavgAtStart: loadavgAtStart.map(round2),
  };
}

/** The fwupd runtime version, asked of fwupdtool itself (JSON `--version`, same sandbox). */
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

function printTable(results) {
  const head = ['case', 'runs', 'median ms', 'p90 ms', 'min ms', 'first run ms', 'peak RSS MiB'];
  const rows = results.map((r) => [
    r.name,
    String(r.runs),
    r.medianMs.toFixed(1),
    r.p90Ms.toFixed(1),
    r.minMs.toFixed(1),
    r.firstRunMs === null ? '-' : r.firstRunMs.toFixed(1),
    r.peakRssMiB === null ? '-' : r.peakRssMiB.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    `${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}\n`;
  out(line(head));
  out(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) out(line(row));
}

function printHuman(report) {
  const f = report.environment;
  out(`capstan start-up benchmark  ${f.date}\n`);
  out(`node ${f.node}, fwupd ${f.fwupd ?? 'NOT INSTALLED'}, ${f.cpus} CPUs (${f.cpuModel}), kernel ${f.kernel}\n`);
  out(`load average at start ${f.loadavgAtStart.join(' ')}, at end ${report.loadavgAtEnd.join(' ')}\n`);
  out(
    `${report.warmup} warm-up + ${report.runs} measured runs per case, interleaved; wall time of the whole process\n\n`,
  );
  out('commands:\n');
  for (const r of report.results) out(`  ${r.command}\n`);
  out('\n');
  printTable(report.results);
  out('\n');
  const v = report.verdict;
  if (v.ratioCapstanOverFwupd !== null) {
    out(`get-devices median ratio capstan/fwupdtool (${v.ratioMachine}): ${v.ratioCapstanOverFwupd.toFixed(2)}\n`);
  }
  out(
    `capstan get-devices median <= ${v.targetMs} ms: ${v.pass ? 'PASS' : 'FAIL'}` +
      ` (slowest: ${v.worstCapstanGetDevices}, ${v.worstCapstanMedianMs.toFixed(1)} ms)\n`,
  );
  if (!f.fwupd) out(`\n${FWUPD_MISSING}\n`);
}

const FWUPD_MISSING =
  '!!! NOTE: /usr/bin/fwupdtool is not installed: fwupd cases SKIPPED, no capstan/fwupd ratio. !!!\n' +
  '!!! Install Debian package fwupd to compare against the real thing.                         !!!';

function out(text) {
  process.stdout.write(text);
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(path.join(REPO, 'dist/src/cli/main.js'))) usage('dist/ is missing: run `npm run build` first');
  const hasFwupd = existsSync(FWUPDTOOL);
  if (!hasFwupd) process.stderr.write(`\n${FWUPD_MISSING}\n\n`);

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'capstan-bench-home-'));
  const sandbox = hasFwupd ? makeFwupdSandbox(path.join(REPO, MACHINES['bare-metal'])) : null;
  try {
    const loadavgAtStart = os.loadavg();
    const cases = buildCases(sandbox, tmp);
    const results = measureAll(cases, opts, tmp);
    // Version query after measuring: it loads plugins and would otherwise warm the quirk cache
    // before warm-up #1, hiding fwupd's cold first run.
    const report = {
      environment: environmentFacts(hasFwupd ? fwupdVersion(sandbox) : null, loadavgAtStart),
      loadavgAtEnd: os.loadavg().map(round2),
      warmup: opts.warmup,
      runs: opts.runs,
      results,
      verdict: verdicts(results),
    };
    if (opts.json) out(`${JSON.stringify(report, null, 2)}\n`);
    else printHuman(report);
  } catch (e) {
    if (!(e instanceof BenchAbort)) throw e;
    process.stderr.write(`\nbench: ABORT: ${e.message}\n`);
    process.exitCode = 1;
  } finally {
    removeSandbox(sandbox);
    rmSync(tmp, { recursive: true, force: true });
  }
}

main();

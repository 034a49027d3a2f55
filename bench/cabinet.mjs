// Cabinet extraction benchmark: capstan's reader beside `gcab -x` and `cabextract`, same run, same cabs.
//
// Usage:  npx tsc -p tsconfig.build.json && node scripts/bundle.mjs && node bench/cabinet.mjs
//         [--runs N] [--sizes 32,64] [--json] [--without-extra-ca]
//         (TMPDIR=/dev/shm keeps the ~200 MB of files off the disk)
//
// For each size (MiB) it generates pseudo-random but compressible data (runs of random bytes mixed
// with runs of repeated 4-byte patterns, fixed seed, ratio ~2-3x like real firmware), packs it with
// `gcab -c -z` (MSZIP, as LVFS does), then extracts it N times (default 5, after one warm-up) with
// each tool, interleaved, into a fresh directory, and reports the median.
//
// Every tool runs as a whole process under GNU time (`/usr/bin/time -f %M`, peak RSS). capstan runs
// twice per round:
//   - `capstan cab extract`: `node bin/capstan.js cab extract CAB DIR`, the command an administrator
//     types (Node start-up, the CLI bundle and its `cab` chunk included). Its RSS growth is its peak
//     RSS minus the peak of the same command on a one-block cabinet (start-up and module loading).
//   - `capstan engine`: `node bench/cabinet.mjs --child CAB DIR`, which imports
//     dist/src/engine/cabinet and times extractCabinetToDirectory inside the process (cold: one
//     extraction per process), reporting its RSS before extraction and its peak (the growth).
// Every extracted file is checked (size always, SHA-256 on the first two runs of each tool).
// For context it also times `node -e 0` (Node's own start-up) and the CLI on the one-block cabinet.
// NODE_EXTRA_CA_CERTS, when set, makes every Node process parse that PEM bundle at start-up (~37 ms
// with Debian's ca-certificates.crt on the 2-CPU test machine): the context line then shows Node's
// start-up without it too, and --without-extra-ca unsets it for every measured process.
//
// Targets: capstan throughput >= gcab's; capstan RSS growth < 64 MB whatever the cab size. Both the
// engine alone and the whole `capstan cab extract` process get a PASS/FAIL line.
// The verdict does not change the exit status (benchmarks are not CI tests); a wrong output does (1).
// Only Node built-ins are used.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODULE = path.join(REPO, 'dist', 'src', 'engine', 'cabinet', 'index.js');
const BUNDLE = path.join(REPO, 'dist', 'bundle', 'main.js');
const CLI = path.join(REPO, 'bin', 'capstan.js');
const GNU_TIME = '/usr/bin/time';
const RSS_GROWTH_TARGET_MB = 64;
const MB = 1e6;

/** Runs inside the measured process: one extraction, then a JSON line on stdout. */
async function child(cab, directory) {
  const { extractCabinetToDirectory } = await import(pathToFileURL(MODULE).href);
  const before = process.memoryUsage().rss;
  const start = process.hrtime.bigint();
  const { written } = await extractCabinetToDirectory({ kind: 'file', path: cab }, directory);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const maxRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ ms, before, maxRss, files: written.length })}\n`);
}

function parseArgs(argv) {
  const opts = { runs: 5, sizes: [32, 64], json: false, withoutExtraCa: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') opts.json = true;
    else if (arg === '--without-extra-ca') opts.withoutExtraCa = true;
    else if (arg === '--runs') opts.runs = positiveInt(arg, argv[++i]);
    else if (arg === '--sizes')
      opts.sizes = String(argv[++i])
        .split(',')
        .map((s) => positiveInt('--sizes', s));
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'usage: node bench/cabinet.mjs [--runs N (5)] [--sizes 32,64] [--json] [--without-extra-ca]\n',
      );
      process.exit(0);
    } else fail(`unknown option ${arg}`, 4);
  }
  return opts;
}

function positiveInt(name, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`${name} needs a positive integer, got ${value}`, 4);
  return n;
}

function fail(message, status = 1) {
  process.stderr.write(`bench/cabinet.mjs: ${message}\n`);
  process.exit(status);
}

function need(command) {
  const found = spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  if (!found) fail(`${command} is not installed (apt-get install ${command === GNU_TIME ? 'time' : command})`);
}

/** Deterministic data: xorshift32; 35 % random runs, 65 % repeated 4-byte patterns (16–527 bytes each). */
function makeData(bytes, seed) {
  const out = Buffer.alloc(bytes);
  let s = seed >>> 0;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  let i = 0;
  while (i < bytes) {
    const r = next();
    const run = Math.min(16 + (r % 512), bytes - i);
    if (r % 100 < 35) {
      for (let k = 0; k < run; k += 4) out.writeUInt32LE(next(), Math.min(i + k, bytes - 4));
    } else {
      const pattern = next();
      for (let k = 0; k < run; k++) out[i + k] = (pattern >>> ((k & 3) * 8)) & 0xff;
    }
    i += run;
  }
  return out;
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** One whole-process run under GNU time; returns wall ms, peak RSS bytes and the child's stdout. */
let childEnv = process.env;

function timed(command, args, env = childEnv) {
  const start = process.hrtime.bigint();
  const result = spawnSync(GNU_TIME, ['-f', '%M', command, ...args], { encoding: 'utf8', env });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.trim()}`);
  const lines = result.stderr.trim().split('\n');
  const peakKb = Number(lines[lines.length - 1]);
  return { wall, peak: peakKb * 1024, stdout: result.stdout };
}

async function main(opts) {
  need('gcab');
  need('cabextract');
  need(GNU_TIME);
  for (const file of [MODULE, BUNDLE]) {
    if (!existsSync(file)) {
      fail(`${path.relative(REPO, file)} is missing: run npx tsc -p tsconfig.build.json && node scripts/bundle.mjs`);
    }
  }

  const work = mkdtempSync(path.join(os.tmpdir(), 'capstan-cab-bench-'));
  const rows = [];
  const context = {};
  let wrong = false;
  try {
    // Context: Node's start-up, and the CLI on a one-block cabinet (the baseline of its RSS growth).
    writeFileSync(path.join(work, 'tiny.bin'), makeData(4096, 7));
    const tinyCab = path.join(work, 'tiny.cab');
    const tinyMade = spawnSync('gcab', ['-c', '-z', '-n', tinyCab, 'tiny.bin'], { cwd: work, encoding: 'utf8' });
    if (tinyMade.status !== 0) fail(`gcab -c -z failed: ${tinyMade.stderr}`);
    const extraCa = process.env.NODE_EXTRA_CA_CERTS !== undefined && process.env.NODE_EXTRA_CA_CERTS !== '';
    const withoutCa = { ...process.env };
    delete withoutCa.NODE_EXTRA_CA_CERTS;
    if (opts.withoutExtraCa) childEnv = withoutCa;
    context.extraCa = extraCa && !opts.withoutExtraCa;
    const nodeStart = [];
    const nodeStartWithoutCa = [];
    const cliTiny = [];
    for (let run = 0; run <= opts.runs; run++) {
      const tinyOut = path.join(work, 'tiny-out');
      rmSync(tinyOut, { recursive: true, force: true });
      const node = timed(process.execPath, ['-e', '0']);
      const bare = context.extraCa ? timed(process.execPath, ['-e', '0'], withoutCa) : node;
      const cli = timed(process.execPath, [CLI, '-q', 'cab', 'extract', tinyCab, tinyOut]);
      if (run > 0) {
        nodeStart.push(node);
        nodeStartWithoutCa.push(bare);
        cliTiny.push(cli);
      }
    }
    context.nodeStartMs = median(nodeStart.map((s) => s.wall));
    context.nodeStartWithoutExtraCaMs = median(nodeStartWithoutCa.map((s) => s.wall));
    context.nodeStartRssMb = median(nodeStart.map((s) => s.peak)) / MB;
    context.cliTinyMs = median(cliTiny.map((s) => s.wall));
    context.cliTinyRssMb = median(cliTiny.map((s) => s.peak)) / MB;

    for (const sizeMiB of opts.sizes) {
      const name = `payload-${sizeMiB}m.bin`;
      const data = makeData(sizeMiB * 1024 * 1024, 0x9e3779b9 ^ sizeMiB);
      writeFileSync(path.join(work, name), data);
      const digest = sha256(data);
      const cab = path.join(work, `bench-${sizeMiB}m.cab`);
      const made = spawnSync('gcab', ['-c', '-z', '-n', cab, name], { cwd: work, encoding: 'utf8' });
      if (made.status !== 0) fail(`gcab -c -z failed: ${made.stderr}`);
      const cabBytes = statSync(cab).size;

      const out = path.join(work, 'out');
      const tools = {
        'capstan cab extract': () => {
          const r = timed(process.execPath, [CLI, '-q', 'cab', 'extract', cab, out]);
          return { ...r, growth: r.peak - context.cliTinyRssMb * MB };
        },
        'capstan engine': () => {
          const r = timed(process.execPath, [fileURLToPath(import.meta.url), '--child', cab, out]);
          const report = JSON.parse(r.stdout.trim());
          return { ...r, engine: report.ms, growth: report.maxRss - report.before };
        },
        'gcab -x': () => timed('gcab', ['-x', '-C', out, cab]),
        cabextract: () => timed('cabextract', ['-q', '-d', out, cab]),
      };
      const samples = Object.fromEntries(Object.keys(tools).map((tool) => [tool, []]));
      for (let run = 0; run <= opts.runs; run++) {
        for (const [tool, go] of Object.entries(tools)) {
          rmSync(out, { recursive: true, force: true });
          mkdirSync(out);
          const sample = go();
          const file = path.join(out, name);
          const ok =
            existsSync(file) &&
            statSync(file).size === data.length &&
            (run > 1 || sha256(readFileSync(file)) === digest);
          if (!ok) {
            wrong = true;
            process.stderr.write(`WRONG OUTPUT: ${tool} on ${path.basename(cab)}\n`);
          }
          if (run > 0) samples[tool].push(sample); // run 0 is the warm-up
        }
      }
      for (const [tool, list] of Object.entries(samples)) {
        const wall = median(list.map((s) => s.wall));
        const row = {
          size: sizeMiB,
          cabBytes,
          tool,
          wallMs: wall,
          mbPerS: data.length / MB / (wall / 1000),
          peakRssMb: median(list.map((s) => s.peak)) / MB,
        };
        if (tool === 'capstan engine') {
          row.engineMs = median(list.map((s) => s.engine));
          row.engineMbPerS = data.length / MB / (row.engineMs / 1000);
        }
        if (tool.startsWith('capstan')) row.rssGrowthMb = Math.max(...list.map((s) => s.growth)) / MB;
        rows.push(row);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const verdicts = [];
  const pass = (ok) => (ok ? 'PASS' : 'FAIL');
  for (const size of opts.sizes) {
    const of = (tool) => rows.find((r) => r.size === size && r.tool === tool);
    const cli = of('capstan cab extract');
    const engine = of('capstan engine');
    const gcab = of('gcab -x');
    const mbs = (value) => `${value.toFixed(0)} MB/s`;
    verdicts.push(
      `${pass(engine.engineMbPerS >= gcab.mbPerS)} ${size} MiB: capstan engine ${mbs(engine.engineMbPerS)} >= gcab -x ${mbs(gcab.mbPerS)} (whole process)`,
      `${pass(cli.mbPerS >= gcab.mbPerS)} ${size} MiB: capstan cab extract, whole process ${mbs(cli.mbPerS)} >= gcab -x ${mbs(gcab.mbPerS)}`,
      `${pass(engine.rssGrowthMb < RSS_GROWTH_TARGET_MB)} ${size} MiB: capstan engine RSS growth ${engine.rssGrowthMb.toFixed(1)} MB < ${RSS_GROWTH_TARGET_MB} MB`,
      `${pass(cli.rssGrowthMb < RSS_GROWTH_TARGET_MB)} ${size} MiB: capstan cab extract RSS growth ${cli.rssGrowthMb.toFixed(1)} MB < ${RSS_GROWTH_TARGET_MB} MB (peak ${cli.peakRssMb.toFixed(1)} MB minus ${context.cliTinyRssMb.toFixed(1)} MB on a one-block cab)`,
    );
  }

  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ runs: opts.runs, context, rows, verdicts }, null, 2)}\n`);
  } else {
    const header = [
      'size',
      'cab',
      'tool',
      'process wall',
      'process MB/s',
      'peak RSS',
      'engine only',
      'engine MB/s',
      'RSS growth',
    ];
    const lines = rows.map((r) => [
      `${r.size} MiB`,
      `${(r.cabBytes / MB).toFixed(1)} MB`,
      r.tool,
      `${r.wallMs.toFixed(0)} ms`,
      r.mbPerS.toFixed(0),
      `${r.peakRssMb.toFixed(1)} MB`,
      r.engineMs === undefined ? '-' : `${r.engineMs.toFixed(0)} ms`,
      r.engineMbPerS === undefined ? '-' : r.engineMbPerS.toFixed(0),
      r.rssGrowthMb === undefined ? '-' : `${r.rssGrowthMb.toFixed(1)} MB`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const format = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    process.stdout.write(
      `cabinet extraction, median of ${opts.runs} runs (+1 warm-up), ${os.cpus().length} CPUs, node ${process.version}\n`,
    );
    process.stdout.write(
      `${[format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join('\n')}\n`,
    );
    const ca = context.extraCa
      ? `, ${context.nodeStartWithoutExtraCaMs.toFixed(0)} ms without NODE_EXTRA_CA_CERTS (set here: every Node process parses it; --without-extra-ca)`
      : opts.withoutExtraCa
        ? ' (NODE_EXTRA_CA_CERTS unset for every measured process)'
        : '';
    process.stdout.write(
      `context: node -e 0 ${context.nodeStartMs.toFixed(0)} ms (${context.nodeStartRssMb.toFixed(1)} MB)${ca}; capstan cab extract of a one-block cab ${context.cliTinyMs.toFixed(0)} ms (${context.cliTinyRssMb.toFixed(1)} MB)\n`,
    );
    process.stdout.write(`${verdicts.join('\n')}\n`);
  }
  if (wrong) process.exit(1);
}

// Dispatch last: the helpers above are `const`s and must be initialised first.
if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4]);
} else {
  await main(parseArgs(process.argv.slice(2)));
}

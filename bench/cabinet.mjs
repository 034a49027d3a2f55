// Cabinet extraction benchmark: capstan's reader beside `gcab -x` and `cabextract`, same run, same cabs.
//
// Usage:  npx tsc -p tsconfig.build.json && node bench/cabinet.mjs [--runs N] [--sizes 32,64] [--json]
//
// For each size (MiB) it generates pseudo-random but compressible data (runs of random bytes mixed
// with runs of repeated 4-byte patterns, fixed seed, ratio ~2-3x like real firmware), packs it with
// `gcab -c -z` (MSZIP, as LVFS does), then extracts it N times (default 5, after one warm-up) with
// each tool, interleaved, into a fresh directory, and reports the median.
//
// Every tool runs as a whole process under GNU time (`/usr/bin/time -f %M`, peak RSS). capstan runs
// as `node bench/cabinet.mjs --child CAB DIR`, which calls extractCabinetToDirectory and reports its
// own in-process time and its RSS before extraction, so the table shows both the whole process
// (node start-up included) and the engine alone, and the RSS *growth* caused by extraction.
// Every extracted file is checked (size always, SHA-256 on the first run of each tool).
//
// Targets: capstan engine throughput >= gcab's; capstan RSS growth < 64 MB whatever the cab size.
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
  const opts = { runs: 5, sizes: [32, 64], json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') opts.json = true;
    else if (arg === '--runs') opts.runs = positiveInt(arg, argv[++i]);
    else if (arg === '--sizes')
      opts.sizes = String(argv[++i])
        .split(',')
        .map((s) => positiveInt('--sizes', s));
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: node bench/cabinet.mjs [--runs N (5)] [--sizes 32,64] [--json]\n');
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
function timed(command, args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(GNU_TIME, ['-f', '%M', command, ...args], { encoding: 'utf8' });
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
  if (!existsSync(MODULE)) fail(`${path.relative(REPO, MODULE)} is missing: run npx tsc -p tsconfig.build.json first`);

  const work = mkdtempSync(path.join(os.tmpdir(), 'capstan-cab-bench-'));
  const rows = [];
  let wrong = false;
  try {
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
        capstan: () => {
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
        if (tool === 'capstan') {
          row.engineMs = median(list.map((s) => s.engine));
          row.engineMbPerS = data.length / MB / (row.engineMs / 1000);
          row.rssGrowthMb = Math.max(...list.map((s) => s.growth)) / MB;
        }
        rows.push(row);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const verdicts = [];
  for (const size of opts.sizes) {
    const of = (tool) => rows.find((r) => r.size === size && r.tool === tool);
    const capstan = of('capstan');
    const gcab = of('gcab -x');
    verdicts.push(
      `${capstan.engineMbPerS >= gcab.mbPerS ? 'PASS' : 'FAIL'} ${size} MiB: capstan engine ${capstan.engineMbPerS.toFixed(0)} MB/s >= gcab -x ${gcab.mbPerS.toFixed(0)} MB/s`,
      `${capstan.mbPerS >= gcab.mbPerS ? 'PASS' : 'FAIL'} ${size} MiB: capstan whole process (node start-up included) ${capstan.mbPerS.toFixed(0)} MB/s >= gcab -x ${gcab.mbPerS.toFixed(0)} MB/s`,
      `${capstan.rssGrowthMb < RSS_GROWTH_TARGET_MB ? 'PASS' : 'FAIL'} ${size} MiB: capstan RSS growth ${capstan.rssGrowthMb.toFixed(1)} MB < ${RSS_GROWTH_TARGET_MB} MB`,
    );
  }

  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ runs: opts.runs, rows, verdicts }, null, 2)}\n`);
  } else {
    const header = [
      'size',
      'cab',
      'tool',
      'median wall',
      'MB/s',
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

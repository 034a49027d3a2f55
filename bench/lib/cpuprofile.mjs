// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per bucket (npm package, capstan
// module, node internals, GC) and the top functions by self time.

import { readFileSync } from 'node:fs';

/** The bucket a call frame's self time is charged to. */
function bucketOf(frame) {
  const url = frame.url ?? '';
  if (url === '') {
    if (frame.functionName === '(garbage collector)') return 'GC';
    if (frame.functionName === '(program)') return '(program: V8/native, not JS)';
    if (frame.functionName === '(idle)') return '(idle: waiting for I/O or children)';
    return `native: ${frame.functionName || '(anonymous)'}`;
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `npm ${pkg[1]}`;
  const own = /\/dist\/src\/(.+)\.js$/.exec(url);
  if (own) return `capstan ${own[1]}`;
  if (url.startsWith('node:')) return 'node internals (JS)';
  return url.replace(/^file:\/\//, '');
}

export function summarizeCpuProfile(file, { top = 15 } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const buckets = new Map();
  const functions = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id).callFrame;
    total += us;
    const bucket = bucketOf(frame);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const key = `${frame.functionName || '(anonymous)'} ${bucket}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const sorted = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, pct: Math.round((1000 * us) / total) / 10 }));
  return {
    totalMs: Math.round(total / 100) / 10,
    buckets: sorted(buckets),
    functions: sorted(functions).slice(0, top),
  };
}

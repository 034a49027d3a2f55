import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * CLI tests run bin/capstan.js (the bundle), so dist/ must be current before any test starts. tsc emits even
 * when a file has type errors; type errors are `npm run typecheck`'s job (part of `npm run check`),
 * so they do not stop the tests here.
 */
export function setup(): void {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'ignore' });
  const bundle = spawnSync(process.execPath, ['scripts/bundle.mjs'], { cwd: repo, stdio: 'inherit' });
  if (bundle.status !== 0) throw new Error('bundling the CLI failed (scripts/bundle.mjs)');
}

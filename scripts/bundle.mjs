#!/usr/bin/env node
// Bundles the CLI for start-up time (docs/adr/0004-bundle-the-cli.md): one ESM entry plus one chunk
// per lazily loaded command, so a command loads only what it uses. Type-checking stays with tsc.
import path from 'node:path';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
await build({
  entryPoints: [path.join(repo, 'src/cli/main.ts')],
  outdir: path.join(repo, 'dist/bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // koffi is a native module; openpgp is large and loaded only for OpenPGP signatures
  // Packages loaded lazily stay outside: only the commands that need them pay for them, and
  // undici's CommonJS exports do not survive esbuild's dynamic-import interop.
  external: ['koffi', 'openpgp', 'undici', 'fzstd', 'xz-decompress'],
  // bundled CommonJS dependencies expect require()
  banner: {
    js: "import { createRequire as __capstanCreateRequire } from 'node:module'; const require = __capstanCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

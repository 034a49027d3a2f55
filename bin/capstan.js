#!/usr/bin/env node
// Thin entry point: everything happens in dist/src/cli/main.js, which returns the exit status.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});

#!/usr/bin/env node
// Thin entry point: everything happens in the bundled dist/bundle/main.js (built from
// src/cli/main.ts), which returns the exit status.
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});

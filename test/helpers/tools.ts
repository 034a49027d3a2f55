import { spawnSync } from 'node:child_process';

/**
 * Real peer tools (fwupdtool, gcab, cabextract, qemu, ...) are parts of the test suite. In CI a
 * missing tool is a failure (`.ci/run` installs them); elsewhere the test is skipped, loudly.
 */
export function haveTool(command: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
  if (!found) {
    if (process.env.CI) {
      throw new Error(`${command} is required in CI but is not installed: .ci/run must apt-get install it`);
    }
    process.stderr.write(`\n*** SKIPPING tests that need ${command}: not installed (CI would fail here) ***\n\n`);
  }
  return found;
}

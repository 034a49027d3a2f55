import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/program.js';
import { ERROR_SUMMARY, EXIT_STATUS } from '../src/core/exit-codes.js';
import { REPO } from './helpers/run-cli.js';

const read = (file: string): string => fs.readFileSync(path.join(REPO, file), 'utf8');

describe('docs match the code', () => {
  it('docs/exit-codes.md has exactly the exit-code table', () => {
    const rows = [...read('docs/exit-codes.md').matchAll(/^\| (\d+) \| `([a-z-]+)` \| (.+) \|$/gm)].map((m) => [
      m[2],
      Number(m[1]),
      m[3],
    ]);
    const expected = Object.entries(EXIT_STATUS)
      .filter(([code]) => code !== 'success')
      .map(([code, status]) => [code, status, ERROR_SUMMARY[code as keyof typeof ERROR_SUMMARY]]);
    expect(rows).toEqual(expected);
  });

  it('the man page documents every command, global option and exit status', () => {
    const man = read('docs/cli/capstan.1.md');
    for (const spec of COMMANDS) expect(man).toContain(`**${spec.name}**`);
    for (const option of [
      '--root',
      '--json',
      '--verbose',
      '--quiet',
      '--esrt-file',
      '--xen-esrt-fixed',
      '--version',
      '--help',
    ]) {
      expect(man).toContain(option);
    }
    for (const status of new Set(Object.values(EXIT_STATUS))) expect(man).toMatch(new RegExp(`\\*\\*${status}\\*\\*`));
    expect(man).toContain('CAPSTAN_ROOT');
  });

  it('docs/json-output.md names every code a device problem can have', () => {
    const json = read('docs/json-output.md');
    const sources = [
      'src/esrt/check.ts',
      'src/platform/xen/dom0.ts',
      'src/platform/bare-metal/index.ts',
      'src/platform/xen-pvh-dom0/index.ts',
      'src/esrt/raw.ts',
    ];
    const codes = new Set(
      sources.flatMap((file) => [...read(file).matchAll(/problem\(\s*'([a-z0-9-]+)'/g)].map((m) => m[1])),
    );
    expect(codes.size).toBeGreaterThan(15);
    for (const code of codes) expect(json).toContain(`\`${code}\``);
  });

  it('every platform kind has a docs page', () => {
    for (const kind of ['bare-metal', 'xen-pv-dom0', 'xen-pvh-dom0']) {
      expect(fs.existsSync(path.join(REPO, 'docs/platforms', `${kind}.md`))).toBe(true);
    }
  });
});

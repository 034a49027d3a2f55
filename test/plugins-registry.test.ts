import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UPDATE_METHODS } from '../src/engine/update-methods.js';
import { REPO } from './helpers/run-cli.js';

/** Renovate-style meta-test: every plugin folder describes itself and is what its id says. */
const SECTIONS = [
  'Firmware Format',
  'GUID Generation',
  'Update Behavior',
  'Vendor ID Security',
  'Quirk Use',
  'External Interface Access',
  'Version Considerations',
  'Owners',
];

const folders = fs
  .readdirSync(path.join(REPO, 'plugins'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe('plugins', () => {
  it('are exactly the registered update methods', () => {
    expect(folders.sort()).toEqual([...UPDATE_METHODS.keys()].sort());
  });

  it.each(folders)('%s: registered under its folder name, metadata complete, readme has every section', (folder) => {
    const method = [...UPDATE_METHODS.values()].find((m) => m.id === folder);
    expect(method, `plugins/${folder} is not in src/engine/update-methods.ts`).toBeDefined();
    if (method === undefined) return;
    expect(method.displayName).toMatch(/\S/);
    expect(method.protocols).toContain('org.uefi.capsule');
    const readme = fs.readFileSync(path.join(REPO, 'plugins', folder, 'readme.md'), 'utf8');
    for (const section of SECTIONS) expect(readme).toMatch(new RegExp(`^#+ ${section}$`, 'm'));
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VERSION_FORMATS } from './index.js';
import type { VersionFormat } from './types.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FOLDERS = readdirSync(HERE, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('version format registry', () => {
  it('has a folder for every registered format and registers every folder', () => {
    expect(FOLDERS).toEqual([...VERSION_FORMATS.keys()].sort());
  });

  it.each(FOLDERS)('%s/index.ts exports only `format`, registered under its folder name', async (folder) => {
    // vitest resolves the source file; the glob form lets it see every folder
    const module = (await import(`./${folder}/index.ts`)) as Record<string, unknown>;
    expect(Object.keys(module)).toEqual(['format']);
    const format = module.format as VersionFormat;
    expect(format.id).toBe(folder);
    expect(VERSION_FORMATS.get(format.id)).toBe(format);
    expect(format.displayName.trim()).not.toBe('');
    expect(format.description.trim()).not.toBe('');
    expect(format.description).not.toContain('\n');
    expect(typeof format.api.fromUint32).toBe('function');
    expect(typeof format.api.compare).toBe('function');
    expect(typeof format.api.isValid).toBe('function');
  });

  it('uses each fwupd enum number once, within fwupd 2.0.20 range 1..14', () => {
    const numbers = [...VERSION_FORMATS.values()].map((format) => format.fwupdEnum);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const value of numbers) {
      expect(Number.isInteger(value) && value >= 1 && value <= 14, String(value)).toBe(true);
    }
  });

  it.each(FOLDERS)('%s/readme.md exists and has no h1 or h2 heading', (folder) => {
    const text = readFileSync(path.join(HERE, folder, 'readme.md'), 'utf8');
    expect(text.trim()).not.toBe('');
    const lines = text.split('\n');
    const headings = lines.filter(
      (line, i) => /^#{1,2}(\s|$)/.test(line) || (i > 0 && /^(=+|-+)\s*$/.test(line) && lines[i - 1]?.trim()),
    );
    expect(headings).toEqual([]);
  });
});

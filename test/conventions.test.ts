import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/run-cli.js';

/** In the spirit of fwupd's contrib/ci/check-source.py: rules a reviewer should not have to repeat. */

function listSources(dir: string): string[] {
  const base = path.join(REPO, dir);
  if (!fs.existsSync(base)) return [];
  return (fs.readdirSync(base, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file));
}

const read = (file: string): string => fs.readFileSync(path.join(REPO, file), 'utf8');
const isTest = (file: string): boolean => file.endsWith('.test.ts');
const stripComments = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

/** Each rule returns the offending lines of one file's text; exported shapes are tested below. */
const RULES = {
  noExitOrConsole: (text: string): string[] =>
    stripComments(text)
      .split('\n')
      .filter((line) => /\bprocess\.exit\s*\(|\bconsole\.\w+\s*\(/.test(line)),
  noProcessEnv: (text: string): string[] =>
    stripComments(text)
      .split('\n')
      .filter((line) => /\bprocess\.env\b/.test(line)),
  noClock: (text: string): string[] =>
    stripComments(text)
      .split('\n')
      .filter((line) => /\bDate\.now\s*\(|\bnew Date\s*\(\s*\)/.test(line)),
  pluginImportsOnlyApi: (text: string, file: string): string[] =>
    [...text.matchAll(/^\s*import\s[^;]*?from\s+'([^']+)'/gm)]
      .map((m) => m[1] ?? '')
      .filter((spec) => spec.startsWith('.'))
      .filter((spec) => {
        const target = path.normalize(path.join(path.dirname(file), spec));
        const ownFolder = file.split(path.sep).slice(0, 2).join(path.sep);
        return target !== path.join('src', 'plugin-api.js') && !target.startsWith(ownFolder + path.sep);
      }),
  plannerHasNoIo: (text: string): string[] =>
    [...text.matchAll(/from\s+'(node:(?:fs|fs\/promises|http|https|net|child_process)|undici)'/g)].map(
      (m) => m[1] ?? '',
    ),
  errorMessagesLowerCase: (text: string): string[] =>
    [...text.matchAll(/new CapstanError\(\s*'[a-z-]+',\s*(['`])(.*?)\1/gs)]
      .map((m) => m[2] ?? '')
      .filter((message) => (/^[A-Z][a-z]/.test(message) && !/^(Xen|Linux) /.test(message)) || /\.$/.test(message)),
  noDefaultExportOrEnum: (text: string): string[] =>
    stripComments(text)
      .split('\n')
      .filter((line) => /^\s*export\s+default\b|^\s*(export\s+)?(const\s+)?enum\s/.test(line)),
};

describe('conventions', () => {
  const src = listSources('src');
  const plugins = listSources('plugins');
  const production = [...src, ...plugins].filter((file) => !isTest(file));

  it('finds the sources it checks', () => {
    expect(production.length).toBeGreaterThan(20);
  });

  it('process.exit and console only in src/cli/', () => {
    const offenders = production
      .filter((file) => !file.startsWith(path.join('src', 'cli') + path.sep))
      .flatMap((file) => RULES.noExitOrConsole(read(file)).map((line) => `${file}: ${line.trim()}`));
    expect(offenders).toEqual([]);
  });

  it('process.env and the wall clock only where the Context is built', () => {
    const offenders = production.flatMap((file) => [
      ...(file.startsWith(path.join('src', 'cli') + path.sep) ? [] : RULES.noProcessEnv(read(file))),
      ...(file === path.join('src', 'core', 'context.ts') ? [] : RULES.noClock(read(file))),
    ]);
    expect(offenders).toEqual([]);
  });

  it('plugins import only src/plugin-api.ts (and their own folder)', () => {
    const offenders = plugins
      .filter((file) => !isTest(file))
      .flatMap((file) => RULES.pluginImportsOnlyApi(read(file), file).map((spec) => `${file}: ${spec}`));
    expect(offenders).toEqual([]);
  });

  it('the planner does no I/O', () => {
    const offenders = production
      .filter((file) => file.startsWith(path.join('src', 'planner') + path.sep))
      .flatMap((file) => RULES.plannerHasNoIo(read(file)).map((spec) => `${file}: ${spec}`));
    expect(offenders).toEqual([]);
  });

  it('error messages are lower-case with no full stop', () => {
    const offenders = production.flatMap((file) =>
      RULES.errorMessagesLowerCase(read(file)).map((m) => `${file}: ${m}`),
    );
    expect(offenders).toEqual([]);
  });

  it('named exports only, no enum', () => {
    const offenders = production.flatMap((file) => RULES.noDefaultExportOrEnum(read(file)).map((l) => `${file}: ${l}`));
    expect(offenders).toEqual([]);
  });

  it('file and folder names are kebab-case', () => {
    const offenders = [...src, ...plugins, ...listSources('test')].filter(
      (file) => !file.split(path.sep).every((part) => /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)*$/.test(part)),
    );
    expect(offenders).toEqual([]);
  });
});

describe('the convention rules catch violations', () => {
  it('noExitOrConsole', () => {
    expect(RULES.noExitOrConsole('console.log(1)\nprocess.exit(2)\n// console.log(3)\nok()')).toHaveLength(2);
  });
  it('noProcessEnv and noClock', () => {
    expect(RULES.noProcessEnv('const a = process.env.HOME;')).toHaveLength(1);
    expect(RULES.noClock('const t = Date.now();\nconst d = new Date();\nnew Date(5)')).toHaveLength(2);
  });
  it('pluginImportsOnlyApi', () => {
    const file = path.join('plugins', 'uefi-capsule', 'index.ts');
    const text = [
      "import { a } from '../../src/plugin-api.js';",
      "import { b } from './method.js';",
      "import { c } from '../../src/esrt/check.js';",
      "import { d } from '../uefi-cod/index.js';",
    ].join('\n');
    expect(RULES.pluginImportsOnlyApi(text, file)).toEqual(['../../src/esrt/check.js', '../uefi-cod/index.js']);
  });
  it('plannerHasNoIo', () => {
    expect(RULES.plannerHasNoIo("import fs from 'node:fs';\nimport { x } from './y.js';")).toEqual(['node:fs']);
  });
  it('errorMessagesLowerCase', () => {
    expect(RULES.errorMessagesLowerCase("new CapstanError('usage', 'Bad thing')")).toHaveLength(1);
    expect(RULES.errorMessagesLowerCase("new CapstanError('usage', 'bad thing.')")).toHaveLength(1);
    expect(RULES.errorMessagesLowerCase("new CapstanError('usage', 'ESRT is bad')")).toHaveLength(0);
    expect(RULES.errorMessagesLowerCase("new CapstanError('usage', 'Xen 4.17 is old')")).toHaveLength(0);
  });
  it('noDefaultExportOrEnum', () => {
    expect(RULES.noDefaultExportOrEnum('export default 1;\nenum A {}\nexport const x = 1;')).toHaveLength(2);
  });
});

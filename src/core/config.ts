import type { Context } from './context.js';
import { CapstanError } from './errors.js';
import { parseKeyFile } from './key-file.js';

export const CONFIG_FILE = '/etc/capstan/capstan.conf';

/** `/etc/capstan/capstan.conf`, group `[capstan]`; every key is optional (docs/config.md). */
export interface Config {
  /** A catalog older than this is stale: planning warns, unattended runs exit with stale-catalog. */
  staleCatalogDays: number;
  /** Extra trust anchors directories (system paths), searched after /etc/capstan/pki. */
  trustDirectories: string[];
  /** Largest metadata download accepted, in MiB. */
  metadataMaxMiB: number;
}

export const DEFAULT_CONFIG: Config = {
  staleCatalogDays: 30,
  trustDirectories: ['/etc/capstan/pki'],
  metadataMaxMiB: 256,
};

export function readConfig(ctx: Context): Config {
  const text = ctx.fs.tryReadText(CONFIG_FILE);
  if (text === undefined) return DEFAULT_CONFIG;
  const shown = ctx.paths.display(CONFIG_FILE);
  const file = parseKeyFile(text, shown);
  const unknownGroups = [...file.groups.keys()].filter((g) => g !== 'capstan');
  if (unknownGroups.length > 0) invalid(shown, `unknown group [${unknownGroups[0]}]; the only group is [capstan]`);
  const group = file.groups.get('capstan') ?? new Map<string, { value: string; line: number }>();
  const config: Config = { ...DEFAULT_CONFIG };
  for (const [key, { value, line }] of group) {
    const where = `${shown}:${line}`;
    switch (key) {
      case 'StaleCatalogDays':
        config.staleCatalogDays = integer(where, key, value, 1, 3650);
        break;
      case 'MetadataMaxMiB':
        config.metadataMaxMiB = integer(where, key, value, 1, 4096);
        break;
      case 'TrustDirectories': {
        const dirs = value
          .split(';')
          .map((d) => d.trim())
          .filter((d) => d !== '');
        for (const dir of dirs)
          if (!dir.startsWith('/'))
            invalid(where, `TrustDirectories entries must be absolute paths, got ${JSON.stringify(dir)}`);
        config.trustDirectories = dirs;
        break;
      }
      default:
        invalid(where, `unknown key ${key}`);
    }
  }
  return config;
}

function integer(where: string, key: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    invalid(where, `${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function invalid(where: string, message: string): never {
  throw new CapstanError('config-invalid', `${where}: ${message}`, { hint: 'fix capstan.conf (see docs/config.md)' });
}

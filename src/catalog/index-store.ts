import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Context } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import type { Requirement } from '../planner/types.js';

export const CATALOG_CACHE_DIR = '/var/cache/capstan/catalog';
const INDEX_FORMAT = 1;

/** What planning and staging need of a release; everything else stays in the verified metadata. */
export interface StoredRelease {
  version: string;
  timestamp?: number;
  urgency?: string;
  installDuration?: number;
  locations: string[];
  container: { sha256?: string; sha1?: string; sha512?: string; filename?: string };
  content: { sha256?: string; filename?: string };
  size: { download?: number; installed?: number };
  description?: string;
}

export interface StoredComponent {
  id: string;
  name?: string;
  summary?: string;
  vendor?: string;
  categories: string[];
  provides: string[];
  versionFormat?: string;
  updateProtocol?: string;
  requires: Requirement[];
  releases: StoredRelease[];
}

export interface CatalogIndex {
  format: number;
  remote: string;
  /** sha256 of the verified (compressed) metadata: the catalog's identity in plans. */
  catalogSha256: string;
  metadataUri: string;
  trust: 'signed' | 'unsigned-local';
  /** Newest signature time (ISO), when signed. */
  signedAt: string | null;
  refreshedAt: string;
  components: number;
  releases: number;
  /** sha256 of components.ndjson, so a torn pair of files is detected. */
  componentsSha256: string;
  /** lower-case GUID → byte ranges [offset, length] of component lines. */
  guids: Record<string, Array<[number, number]>>;
}

const dir = (remote: string): string => `${CATALOG_CACHE_DIR}/${remote}`;

/** Writes components.ndjson, then index.json (the commit point), both atomically. */
export function writeCatalogIndex(
  ctx: Context,
  header: Omit<CatalogIndex, 'format' | 'components' | 'releases' | 'componentsSha256' | 'guids'>,
  components: readonly StoredComponent[],
): CatalogIndex {
  const guids: Record<string, Array<[number, number]>> = {};
  const lines: Buffer[] = [];
  let offset = 0;
  let releases = 0;
  for (const component of components) {
    const line = Buffer.from(`${JSON.stringify(component)}\n`);
    for (const guid of new Set(component.provides.map((g) => g.toLowerCase()))) {
      const ranges = guids[guid] ?? [];
      ranges.push([offset, line.length]);
      guids[guid] = ranges;
    }
    lines.push(line);
    offset += line.length;
    releases += component.releases.length;
  }
  const body = Buffer.concat(lines);
  const index: CatalogIndex = {
    format: INDEX_FORMAT,
    ...header,
    components: components.length,
    releases,
    componentsSha256: createHash('sha256').update(body).digest('hex'),
    guids,
  };
  ctx.fs.writeFileAtomic(`${dir(header.remote)}/components.ndjson`, body);
  ctx.fs.writeFileAtomic(`${dir(header.remote)}/index.json`, `${JSON.stringify(index)}\n`);
  return index;
}

/** The index of a remote, or undefined if it was never refreshed (or the cache was cleared). */
export function readCatalogIndex(ctx: Context, remote: string): CatalogIndex | undefined {
  const text = ctx.fs.tryReadText(`${dir(remote)}/index.json`);
  if (text === undefined) return undefined;
  let index: CatalogIndex;
  try {
    index = JSON.parse(text) as CatalogIndex;
  } catch (error) {
    throw corrupt(ctx, remote, `index.json is not JSON: ${(error as Error).message}`);
  }
  if (index.format !== INDEX_FORMAT || index.remote !== remote || typeof index.guids !== 'object') {
    throw corrupt(ctx, remote, `index.json has format ${String(index.format)} for remote ${String(index.remote)}`);
  }
  return index;
}

/** Reads only the component lines for these GUIDs (positioned reads; the rest is never parsed). */
export function readComponentsFor(ctx: Context, index: CatalogIndex, guids: readonly string[]): StoredComponent[] {
  const ranges = new Map<number, number>();
  for (const guid of guids)
    for (const [offset, length] of index.guids[guid.toLowerCase()] ?? []) ranges.set(offset, length);
  if (ranges.size === 0) return [];
  const path = ctx.paths.resolve(`${dir(index.remote)}/components.ndjson`);
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    throw ctx.fs.translate(error, `${dir(index.remote)}/components.ndjson`, 'reading');
  }
  try {
    const size = fs.fstatSync(fd).size;
    return [...ranges.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([offset, length]) => {
        if (offset + length > size) throw corrupt(ctx, index.remote, 'components.ndjson is shorter than its index');
        const buffer = Buffer.alloc(length);
        fs.readSync(fd, buffer, 0, length, offset);
        try {
          return JSON.parse(buffer.toString('utf8')) as StoredComponent;
        } catch {
          throw corrupt(ctx, index.remote, `components.ndjson has no component at byte ${offset}`);
        }
      });
  } finally {
    fs.closeSync(fd);
  }
}

function corrupt(ctx: Context, remote: string, what: string): CapstanError {
  return new CapstanError('catalog-cache-corrupt', `catalog cache ${ctx.paths.display(dir(remote))}: ${what}`, {
    hint: `run \`capstan refresh --force ${remote}\` to rebuild it`,
  });
}

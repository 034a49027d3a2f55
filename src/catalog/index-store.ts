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

/** Writes a whole index at once (small catalogs, tests); see CatalogIndexWriter. */
export function writeCatalogIndex(
  ctx: Context,
  header: Omit<CatalogIndex, 'format' | 'components' | 'releases' | 'componentsSha256' | 'guids'>,
  components: readonly StoredComponent[],
): CatalogIndex {
  const writer = new CatalogIndexWriter(ctx, header.remote);
  try {
    for (const component of components) writer.add(component);
    return writer.commit(header);
  } catch (error) {
    writer.abort();
    throw error;
  }
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

/**
 * Writes an index while components arrive (from the streaming parser), so a catalog of any size
 * never sits in memory: lines go to a temporary file in batches; `commit` renames it into place and
 * then writes index.json (the commit point). The cache can always be rebuilt by a refresh, so it
 * is not fsynced; a torn pair is caught by `componentsSha256`.
 */
export class CatalogIndexWriter {
  private readonly guids: Record<string, Array<[number, number]>> = {};
  private readonly hash = createHash('sha256');
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private offset = 0;
  private components = 0;
  private releases = 0;
  private readonly fd: number;
  private readonly temporary: string;
  private closed = false;

  constructor(
    private readonly ctx: Context,
    private readonly remote: string,
  ) {
    const directory = ctx.paths.resolve(dir(remote));
    fs.mkdirSync(directory, { recursive: true, mode: 0o755 });
    this.temporary = `${directory}/.components.ndjson.${process.pid}.tmp`;
    try {
      this.fd = fs.openSync(this.temporary, 'w', 0o644);
    } catch (error) {
      throw ctx.fs.translate(error, `${dir(remote)}/components.ndjson`, 'writing');
    }
  }

  add(component: StoredComponent): void {
    const line = Buffer.from(`${JSON.stringify(component)}\n`);
    for (const guid of new Set(component.provides.map((g) => g.toLowerCase()))) {
      const ranges = this.guids[guid] ?? [];
      ranges.push([this.offset, line.length]);
      this.guids[guid] = ranges;
    }
    this.hash.update(line);
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.offset += line.length;
    this.components++;
    this.releases += component.releases.length;
    if (this.pendingBytes >= 1 << 20) this.flush();
  }

  commit(
    header: Omit<CatalogIndex, 'format' | 'components' | 'releases' | 'componentsSha256' | 'guids'>,
  ): CatalogIndex {
    this.flush();
    fs.closeSync(this.fd);
    this.closed = true;
    fs.renameSync(this.temporary, this.ctx.paths.resolve(`${dir(this.remote)}/components.ndjson`));
    const index: CatalogIndex = {
      format: INDEX_FORMAT,
      ...header,
      components: this.components,
      releases: this.releases,
      componentsSha256: this.hash.digest('hex'),
      guids: this.guids,
    };
    this.ctx.fs.writeFileAtomic(`${dir(this.remote)}/index.json`, `${JSON.stringify(index)}\n`);
    return index;
  }

  /** Drops the temporary file; the previous index (if any) stays as it was. */
  abort(): void {
    if (!this.closed) {
      this.closed = true;
      fs.closeSync(this.fd);
    }
    fs.rmSync(this.temporary, { force: true });
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const chunk = Buffer.concat(this.pending);
    this.pending.length = 0;
    this.pendingBytes = 0;
    let written = 0;
    while (written < chunk.length) written += fs.writeSync(this.fd, chunk, written);
  }
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

import { createHash } from 'node:crypto';
import type { Config } from '../core/config.js';
import type { Context } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { inspectFirmwareCabinet } from '../engine/firmware-cabinet.js';
import { type Component, describeDownload, describePayload, parseCatalog } from './appstream/index.js';
import { decompressMetadataStream } from './decompress.js';
import { createHttpClient, type HttpClient } from './http.js';
import { type CatalogIndex, CatalogIndexWriter, readCatalogIndex, type StoredComponent } from './index-store.js';
import type { Remote } from './remotes/index.js';
import {
  findJcatItem,
  type JcatItem,
  loadTrustAnchors,
  parseJcat,
  type TrustAnchors,
  verifyJcatItem,
} from './signature/index.js';

export const METADATA_STATE_DIR = '/var/lib/capstan/metadata';
/** LVFS may sign a moment "in the future" of a client whose clock is slightly behind. */
export const SIGNING_CLOCK_SKEW_MS = 60 * 60 * 1000;

/** Per remote, what the last successful refresh saw (for conditional requests and anti-rollback). */
interface RemoteState {
  jcatSha256?: string;
  jcatEtag?: string;
  jcatLastModified?: string;
  signedAt?: string | null;
  refreshedAt: string;
  catalogSha256: string;
}

export type RefreshOutcome = 'updated' | 'unchanged' | 'fresh' | 'failed';

export interface RemoteRefresh {
  remote: string;
  kind: Remote['kind'];
  outcome: RefreshOutcome;
  trust?: CatalogIndex['trust'];
  components?: number;
  releases?: number;
  signedAt?: string | null;
  catalogSha256?: string;
  error?: CapstanError;
}

export interface RefreshOptions {
  force: boolean;
  /** Report bytes received on a terminal (stderr). */
  onProgress?: (remote: string, received: number, total: number | undefined) => void;
  /** Retry backoff (tests shorten it). */
  backoffMs?: number;
  /** Per-attempt HTTP timeout (default 60 s). */
  timeoutMs?: number;
}

/**
 * Refreshes every enabled remote given: signature and checksum verified **before** anything is
 * decompressed or parsed, anti-rollback on the signing time, then the verified bytes, the index and
 * finally the state are written (the state file is the commit point). A remote that fails is
 * reported and does not stop the others.
 */
export async function refreshRemotes(
  ctx: Context,
  config: Config,
  remotes: readonly Remote[],
  options: RefreshOptions,
): Promise<RemoteRefresh[]> {
  const anchors = loadTrustAnchors(ctx, config.trustDirectories);
  for (const rejected of anchors.rejected)
    ctx.log.warn('trust anchor rejected', { file: rejected.source, reason: rejected.reason });
  let http: HttpClient | undefined;
  const results: RemoteRefresh[] = [];
  try {
    for (const remote of remotes) {
      try {
        if (remote.kind === 'download') {
          http ??= await createHttpClient(ctx, options.backoffMs);
          results.push(await refreshDownload(ctx, config, remote, anchors, http, options));
        } else {
          results.push(await refreshLocal(ctx, config, remote, anchors));
        }
      } catch (error) {
        if (!(error instanceof CapstanError)) throw error;
        results.push({ remote: remote.id, kind: remote.kind, outcome: 'failed', error });
      }
    }
  } finally {
    await http?.close();
  }
  return results;
}

async function refreshDownload(
  ctx: Context,
  config: Config,
  remote: Remote,
  anchors: TrustAnchors,
  http: HttpClient,
  options: RefreshOptions,
): Promise<RemoteRefresh> {
  const now = ctx.clock.now();
  const state = readState(ctx, remote.id);
  const index = readCatalogIndex(ctx, remote.id);
  if (!options.force && state !== undefined && index !== undefined) {
    const age = now.getTime() - Date.parse(state.refreshedAt);
    if (age >= 0 && age < remote.refreshInterval * 1000) return summary(remote, 'fresh', index);
  }
  const maxBytes = config.metadataMaxMiB * 1024 * 1024;
  const auth =
    remote.username === undefined ? undefined : { username: remote.username, password: remote.password ?? '' };
  const progress = (received: number, total: number | undefined): void =>
    options.onProgress?.(remote.id, received, total);
  const common = {
    timeoutMs: options.timeoutMs ?? 60_000,
    retries: 2,
    maxBytes,
    ...(auth === undefined ? {} : { auth }),
  };

  const jcatUrl = `${remote.metadataUri}.jcat`;
  const useCache = !options.force && state !== undefined && index !== undefined;
  const jcatResponse = await http.get(jcatUrl, {
    ...common,
    maxBytes: 16 * 1024 * 1024,
    ...(useCache && state.jcatEtag !== undefined ? { etag: state.jcatEtag } : {}),
    ...(useCache && state.jcatLastModified !== undefined ? { lastModified: state.jcatLastModified } : {}),
  });
  if (jcatResponse.notModified && index !== undefined && state !== undefined) {
    writeState(ctx, remote.id, { ...state, refreshedAt: now.toISOString() });
    return summary(remote, 'unchanged', index);
  }
  if (jcatResponse.notModified) {
    throw new CapstanError('download-failed', `${jcatUrl} answered 304 Not Modified to an unconditional request`, {
      hint: 'the server or a proxy is misbehaving; try again with --force',
    });
  }
  const jcatBytes = jcatResponse.body;
  const jcatSha256 = sha256(jcatBytes);
  if (useCache && state.jcatSha256 === jcatSha256) {
    writeState(ctx, remote.id, { ...state, refreshedAt: now.toISOString() });
    return summary(remote, 'unchanged', index);
  }

  const metadataName = basename(new URL(remote.metadataUri).pathname);
  const jcat = parseJcat(jcatBytes);
  const item: JcatItem | undefined =
    findJcatItem(jcat, metadataName) ?? (jcat.items.length === 1 ? jcat.items[0] : undefined);
  if (item === undefined) {
    throw unsigned(remote, `${jcatUrl} has no signature item for ${metadataName}`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(item.id) || item.id.startsWith('.')) {
    throw new CapstanError('jcat-invalid', `${jcatUrl}: item id ${JSON.stringify(item.id)} is not a plain file name`, {
      hint: 'the signature file is malformed; report it to the remote\u2019s owner',
    });
  }
  // LVFS names the item after the cache-safe file (firmware-NNNNN-stable.xml.zst): fetch that one.
  const metadataUrl = new URL(item.id, new URL(remote.metadataUri)).toString();
  const metadataResponse = await http.get(metadataUrl, { ...common, onProgress: progress });
  if (metadataResponse.notModified) {
    throw new CapstanError('download-failed', `${metadataUrl} answered 304 Not Modified to an unconditional request`, {
      hint: 'the server or a proxy is misbehaving; try again with --force',
    });
  }
  const metadata = metadataResponse.body;

  let verified: Awaited<ReturnType<typeof verifyJcatItem>>;
  try {
    verified = await verifyJcatItem(item, metadata, anchors, {
      requireChecksum: true,
      requireSignature: true,
      checkTime: true,
      now: new Date(now.getTime() + SIGNING_CLOCK_SKEW_MS),
    });
  } catch (error) {
    if (error instanceof CapstanError && error.code === 'checksum-mismatch') {
      throw new CapstanError(
        'checksum-mismatch',
        `${remote.id}: metadata content altered in transit (proxy or captive portal?): ${error.message}`,
        {
          hint: 'check for a proxy or captive portal rewriting downloads, then run capstan refresh again',
          ...(error.details === undefined ? {} : { details: error.details }),
          cause: error,
        },
      );
    }
    if (error instanceof CapstanError && error.code === 'signature-missing') throw unsigned(remote, error.message);
    if (error instanceof CapstanError && error.code === 'signature-invalid') {
      throw new CapstanError('signature-invalid', `${remote.id}: ${error.message}`, {
        hint: `install the remote\u2019s CA certificate in one of ${config.trustDirectories.join(', ')} (see docs/config.md)`,
        ...(error.details === undefined ? {} : { details: error.details }),
        cause: error,
      });
    }
    throw error;
  }

  const signedAt = verified.newestSignature?.toISOString() ?? null;
  if (state?.signedAt != null && signedAt !== null) {
    const delta = Date.parse(signedAt) - Date.parse(state.signedAt);
    if (delta === 0 && index !== undefined && !options.force) {
      writeState(ctx, remote.id, { ...state, refreshedAt: now.toISOString() });
      return summary(remote, 'unchanged', index);
    }
    if (delta < 0) {
      throw new CapstanError(
        'signature-invalid',
        `${remote.id}: the new metadata\u2019s signing time is ${Math.round(-delta / 1000)} seconds older than the metadata already verified`,
        { hint: 'a mirror or proxy is serving old metadata (a rollback); use the remote\u2019s primary URL' },
      );
    }
  }

  const catalogSha256 = sha256(metadata);
  const written = await indexVerified(ctx, metadata, maxBytes, metadataName, {
    remote: remote.id,
    catalogSha256,
    metadataUri: remote.metadataUri,
    trust: 'signed',
    signedAt,
    refreshedAt: now.toISOString(),
  });
  const dir = `${METADATA_STATE_DIR}/${remote.id}`;
  ctx.fs.writeFileAtomic(`${dir}/${item.id}`, metadata);
  ctx.fs.writeFileAtomic(`${dir}/${item.id}.jcat`, jcatBytes);
  writeState(ctx, remote.id, {
    jcatSha256,
    ...(jcatResponse.etag === undefined ? {} : { jcatEtag: jcatResponse.etag }),
    ...(jcatResponse.lastModified === undefined ? {} : { jcatLastModified: jcatResponse.lastModified }),
    signedAt,
    refreshedAt: now.toISOString(),
    catalogSha256,
  });
  return summary(remote, 'updated', written);
}

/** A `file://` catalog: fwupd trusts it as it is; a `<file>.jcat` beside it is verified when present. */
async function refreshLocal(
  ctx: Context,
  config: Config,
  remote: Remote,
  anchors: TrustAnchors,
): Promise<RemoteRefresh> {
  const path = remote.localPath ?? '';
  if (remote.kind === 'directory') return refreshDirectory(ctx, remote, anchors);
  const metadata = ctx.fs.tryReadBytes(path);
  if (metadata === undefined) {
    throw new CapstanError('file-not-found', `${remote.id}: ${ctx.paths.display(path)} does not exist`, {
      hint: `fix MetadataURI in ${ctx.paths.display(remote.file)}`,
    });
  }
  const now = ctx.clock.now();
  const catalogSha256 = sha256(metadata);
  const previous = readCatalogIndex(ctx, remote.id);
  if (previous !== undefined && previous.catalogSha256 === catalogSha256) return summary(remote, 'unchanged', previous);

  let trust: CatalogIndex['trust'] = 'unsigned-local';
  let signedAt: string | null = null;
  const jcatBytes = ctx.fs.tryReadBytes(`${path}.jcat`);
  if (jcatBytes !== undefined) {
    const jcat = parseJcat(jcatBytes);
    const item = findJcatItem(jcat, basename(path)) ?? (jcat.items.length === 1 ? jcat.items[0] : undefined);
    if (item === undefined) throw unsigned(remote, `${ctx.paths.display(path)}.jcat has no item for ${basename(path)}`);
    const verified = await verifyJcatItem(item, metadata, anchors, {
      requireChecksum: true,
      requireSignature: false,
      checkTime: true,
      now: new Date(now.getTime() + SIGNING_CLOCK_SKEW_MS),
    });
    if (verified.trusted) {
      trust = 'signed';
      signedAt = verified.newestSignature?.toISOString() ?? null;
    }
  }
  const written = await indexVerified(ctx, metadata, config.metadataMaxMiB * 1024 * 1024, basename(path), {
    remote: remote.id,
    catalogSha256,
    metadataUri: remote.metadataUri,
    trust,
    signedAt,
    refreshedAt: now.toISOString(),
  });
  return summary(remote, 'updated', written);
}

/**
 * Decompresses, parses and indexes verified metadata as one stream: components go straight from
 * the parser into the index file, so memory does not grow with the catalog.
 */
/**
 * A directory of cabinets (fwupd's vendor-directory remote): every `*.cab` is read with the strict
 * reader and its metainfo becomes a catalog component whose location is the cabinet itself. Local
 * files are trusted as fwupd trusts them; the cabinets' own signatures are checked when installing.
 */
async function refreshDirectory(ctx: Context, remote: Remote, anchors: TrustAnchors): Promise<RemoteRefresh> {
  const directory = remote.localPath ?? '';
  const names = (ctx.fs.tryListDir(directory) ?? []).filter((name) => name.toLowerCase().endsWith('.cab'));
  const now = ctx.clock.now();
  const components: StoredComponent[] = [];
  const identity = createHash('sha256');
  for (const name of names) {
    const systemPath = `${directory}/${name}`;
    let cab: Awaited<ReturnType<typeof inspectFirmwareCabinet>>;
    try {
      cab = await inspectFirmwareCabinet(ctx.paths.resolve(systemPath), { anchors, now, metadataOnly: true });
    } catch (error) {
      if (!(error instanceof CapstanError)) throw error;
      ctx.log.warn('skipping a cabinet the reader refused', {
        file: ctx.paths.display(systemPath),
        code: error.code,
        error: error.message,
      });
      continue;
    }
    identity.update(`${name}\0${cab.sha256}\n`);
    const stored = toStored(cab.component);
    components.push({
      ...stored,
      releases: stored.releases.map((release) => ({
        ...release,
        locations: [`file://${systemPath}`],
        container: { sha256: cab.sha256, sha1: cab.sha1, filename: name },
        size: { ...release.size, download: cab.size },
      })),
    });
  }
  const catalogSha256 = identity.digest('hex');
  const previous = readCatalogIndex(ctx, remote.id);
  if (previous !== undefined && previous.catalogSha256 === catalogSha256) return summary(remote, 'unchanged', previous);
  const writer = new CatalogIndexWriter(ctx, remote.id);
  try {
    for (const component of components) writer.add(component);
    const written = writer.commit({
      remote: remote.id,
      catalogSha256,
      metadataUri: remote.metadataUri,
      trust: 'unsigned-local',
      signedAt: null,
      refreshedAt: now.toISOString(),
    });
    return summary(remote, 'updated', written);
  } catch (error) {
    writer.abort();
    throw error;
  }
}

async function indexVerified(
  ctx: Context,
  bytes: Uint8Array,
  maxBytes: number,
  name: string,
  header: Omit<CatalogIndex, 'format' | 'components' | 'releases' | 'componentsSha256' | 'guids'>,
): Promise<CatalogIndex> {
  const writer = new CatalogIndexWriter(ctx, header.remote);
  try {
    await parseCatalog(decompressMetadataStream(bytes, maxBytes, name), (component) => writer.add(toStored(component)));
    return writer.commit(header);
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/** Keeps what planning and staging need; drops everything else. */
export function toStored(component: Component): StoredComponent {
  return {
    id: component.id,
    ...(component.name === undefined ? {} : { name: component.name }),
    ...(component.summary === undefined ? {} : { summary: component.summary }),
    ...(component.developerName === undefined ? {} : { vendor: component.developerName }),
    categories: component.categories,
    provides: component.provides,
    ...(component.versionFormat === undefined ? {} : { versionFormat: component.versionFormat }),
    ...(component.updateProtocol === undefined ? {} : { updateProtocol: component.updateProtocol }),
    requires: component.requires,
    releases: component.releases.map((release) => {
      const download = describeDownload(release);
      const payload = describePayload(release);
      const pick = (type: 'sha256' | 'sha1' | 'sha512'): string | undefined =>
        download.checksums.find((c) => c.type === type)?.value;
      const container = {
        ...(pick('sha256') === undefined ? {} : { sha256: pick('sha256') }),
        ...(pick('sha1') === undefined ? {} : { sha1: pick('sha1') }),
        ...(pick('sha512') === undefined ? {} : { sha512: pick('sha512') }),
        ...(download.filename === undefined ? {} : { filename: download.filename }),
      };
      return {
        version: release.version,
        ...(release.timestamp === undefined ? {} : { timestamp: release.timestamp }),
        ...(release.urgency === undefined ? {} : { urgency: release.urgency }),
        ...(release.installDuration === undefined ? {} : { installDuration: release.installDuration }),
        locations: download.locations,
        container: container as StoredComponent['releases'][number]['container'],
        content: { filename: payload.filename, ...(payload.sha256 === undefined ? {} : { sha256: payload.sha256 }) },
        size: {
          ...(download.downloadSize === undefined ? {} : { download: download.downloadSize }),
          ...(release.sizes.installed === undefined ? {} : { installed: release.sizes.installed }),
        },
        ...(release.description === undefined ? {} : { description: release.description }),
      };
    }),
  };
}

function summary(remote: Remote, outcome: RefreshOutcome, index: CatalogIndex): RemoteRefresh {
  return {
    remote: remote.id,
    kind: remote.kind,
    outcome,
    trust: index.trust,
    components: index.components,
    releases: index.releases,
    signedAt: index.signedAt,
    catalogSha256: index.catalogSha256,
  };
}

function unsigned(remote: Remote, why: string): CapstanError {
  return new CapstanError(
    'signature-missing',
    `${remote.id}: ${why}: capstan refuses unsigned metadata from a download remote`,
    {
      hint: 'ask the remote\u2019s owner to sign it (JCat with PKCS#7), or serve it from a local file:// remote you trust',
    },
  );
}

function readState(ctx: Context, remote: string): RemoteState | undefined {
  const text = ctx.fs.tryReadText(`${METADATA_STATE_DIR}/${remote}/state.json`);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as RemoteState;
  } catch {
    return undefined; // a torn state file only costs a full refresh
  }
}

function writeState(ctx: Context, remote: string, state: RemoteState): void {
  ctx.fs.writeFileAtomic(`${METADATA_STATE_DIR}/${remote}/state.json`, `${JSON.stringify(state, null, 2)}\n`);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

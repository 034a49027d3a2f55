import { createHash } from 'node:crypto';
import type { Config } from '../core/config.js';
import type { Context } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { type Problem, problem } from '../core/problem.js';
import type { PlannerComponent } from '../planner/types.js';
import { type CatalogIndex, readCatalogIndex, readComponentsFor, type StoredComponent } from './index-store.js';
import { listRemotes, type Remote } from './remotes/index.js';

export interface CatalogRemote {
  id: string;
  priority: number;
  kind: Remote['kind'];
  trust: CatalogIndex['trust'];
  catalogSha256: string;
  signedAt: string | null;
  refreshedAt: string;
  ageDays: number;
  stale: boolean;
  components: number;
  releases: number;
}

export interface CatalogComponent extends PlannerComponent {
  stored: StoredComponent;
  trust: CatalogIndex['trust'];
}

export interface LoadedCatalog {
  remotes: CatalogRemote[];
  components: CatalogComponent[];
  /** Identity of exactly this set of verified catalogs: a plan refuses to apply if it changes. */
  sha256: string;
  problems: Problem[];
}

/**
 * The components of every enabled, refreshed remote that provide one of `guids`, read through the
 * indexes (nothing is re-parsed). Never-refreshed and stale remotes become warnings; no usable
 * remote at all is `catalog-missing`.
 */
export function loadCatalog(ctx: Context, config: Config, guids: readonly string[]): LoadedCatalog {
  const now = ctx.clock.now().getTime();
  const enabled = listRemotes(ctx).filter((r) => r.enabled);
  const remotes: CatalogRemote[] = [];
  const components: CatalogComponent[] = [];
  const problems: Problem[] = [];
  enabled.forEach((remote, position) => {
    const index = readCatalogIndex(ctx, remote.id);
    if (index === undefined) {
      problems.push(
        problem(
          'catalog-never-refreshed',
          'warning',
          `remote ${remote.id} has never been refreshed`,
          `run capstan refresh ${remote.id}`,
        ),
      );
      return;
    }
    const ageDays = Math.max(0, (now - Date.parse(index.refreshedAt)) / 86_400_000);
    const stale = ageDays > config.staleCatalogDays;
    if (stale) {
      problems.push(
        problem(
          'catalog-stale',
          'warning',
          `the metadata of remote ${remote.id} is ${Math.floor(ageDays)} days old (StaleCatalogDays=${config.staleCatalogDays})`,
          `run capstan refresh ${remote.id}`,
        ),
      );
    }
    const priority = position + 1;
    remotes.push({
      id: remote.id,
      priority,
      kind: remote.kind,
      trust: index.trust,
      catalogSha256: index.catalogSha256,
      signedAt: index.signedAt,
      refreshedAt: index.refreshedAt,
      ageDays: Math.round(ageDays * 10) / 10,
      stale,
      components: index.components,
      releases: index.releases,
    });
    for (const stored of readComponentsFor(ctx, index, guids)) {
      components.push(toCatalogComponent(stored, remote.id, priority, index.trust));
    }
  });
  if (remotes.length === 0) {
    throw new CapstanError(
      'catalog-missing',
      enabled.length === 0 ? 'no remote is enabled' : 'no enabled remote has been refreshed',
      {
        hint:
          enabled.length === 0
            ? 'enable one with capstan enable-remote ID (see capstan get-remotes)'
            : 'run capstan refresh',
        details: { problems },
      },
    );
  }
  const identity = createHash('sha256');
  for (const remote of remotes) identity.update(`${remote.id}\0${remote.catalogSha256}\n`);
  return { remotes, components, sha256: identity.digest('hex'), problems };
}

/** A stored component as the planner sees it, keeping the stored record for the plan document. */
export function toCatalogComponent(
  stored: StoredComponent,
  remoteId: string,
  remotePriority: number,
  trust: CatalogIndex['trust'],
): CatalogComponent {
  return {
    remoteId,
    remotePriority,
    id: stored.id,
    ...(stored.name === undefined ? {} : { name: stored.name }),
    provides: stored.provides,
    ...(stored.versionFormat === undefined ? {} : { versionFormat: stored.versionFormat }),
    ...(stored.updateProtocol === undefined ? {} : { updateProtocol: stored.updateProtocol }),
    requires: stored.requires,
    releases: stored.releases.map((release) => ({
      version: release.version,
      ...(release.timestamp === undefined ? {} : { timestamp: release.timestamp }),
      ...(release.urgency === undefined ? {} : { urgency: release.urgency }),
      ...(release.locations[0] === undefined ? {} : { location: release.locations[0] }),
      ...(release.container.sha256 === undefined ? {} : { sha256: release.container.sha256 }),
      ...(release.size.download === undefined ? {} : { size: release.size.download }),
    })),
    stored,
    trust,
  };
}

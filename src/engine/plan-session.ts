import type { LoadedCatalog } from '../catalog/catalog.js';
import { loadCatalog } from '../catalog/catalog.js';
import { listRemotes } from '../catalog/remotes/index.js';
import type { Config } from '../core/config.js';
import type { Context } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import type { Problem } from '../core/problem.js';
import { readInventory } from '../devices/inventory.js';
import { requireUsableEsrt } from '../esrt/index.js';
import { type EsrtEntry, NUMERIC_FIELDS, type NumericField } from '../esrt/types.js';
import { planUpdates } from '../planner/plan.js';
import type { PlanItem, PlannerDevice, Policy, Reason } from '../planner/types.js';
import { readHostFacts } from './host-facts.js';
import { chooseMethod, type MethodId } from './method.js';
import { type Precheck, runPrechecks } from './prechecks.js';

export const PLAN_KIND = 'capstan-plan';
export const PLAN_SCHEMA_VERSION = 1;

/** The document `plan --json` prints and `plan --output FILE` writes (docs/plan-schema.md). */
export interface PlanDocument {
  schemaVersion: number;
  kind: typeof PLAN_KIND;
  createdAt: string;
  capstanVersion: string;
  machine: { platform: string; description: string; esrtSource: string | null };
  catalog: {
    sha256: string;
    remotes: Array<{
      id: string;
      priority: number;
      catalogSha256: string;
      trust: string;
      signedAt: string | null;
      refreshedAt: string;
      stale: boolean;
    }>;
  };
  policy: Policy & { method: MethodId | null };
  items: PlanDocumentItem[];
  prechecks: Precheck[];
  problems: Problem[];
}

export interface PlanDocumentItem {
  guid: string;
  name: string;
  action: PlanItem['action'];
  versionFormat: string;
  from: PlanItem['from'];
  to: PlanItem['to'];
  /** The ESRT facts the plan was made against: `apply` refuses if they drift. */
  esrt: Pick<EsrtEntry, 'fwClass' | NumericField>;
  release: {
    remote: string;
    componentId: string;
    version: string;
    location: string | null;
    sha256: string | null;
    sha1: string | null;
    size: number | null;
    installedSize: number | null;
    payloadFilename: string | null;
    payloadSha256: string | null;
    trust: string;
    urgency: string | null;
    description: string | null;
  } | null;
  method: { id: MethodId; reason: string } | null;
  reasons: Reason[];
  releases: Array<{ remote: string; version: string; relation: string; eligible: boolean; reasons: Reason[] }>;
}

export interface PlanSession {
  document: PlanDocument;
  catalog: LoadedCatalog;
  items: PlanItem[];
}

/** Reads the machine, the catalog and the host facts, runs the pure planner, assembles the document. */
export function makePlan(
  ctx: Context,
  config: Config,
  policy: Policy,
  options: { capstanVersion: string; method?: MethodId; catalog?: LoadedCatalog },
): PlanSession {
  const inventory = readInventory(ctx);
  requireUsableEsrt(inventory.esrt);
  const known = new Set(inventory.devices.map((d) => d.guid));
  const unknown = policy.guids.map((g) => g.toLowerCase()).filter((g) => !known.has(g));
  if (unknown.length > 0) {
    throw new CapstanError('device-not-found', `no ESRT device has the GUID ${unknown.join(', ')}`, {
      hint: 'see capstan get-devices for the GUIDs on this machine',
    });
  }
  const devices: PlannerDevice[] = inventory.devices.map((d) => {
    const blocker = d.problems.find((p) => p.severity === 'error');
    return {
      guid: d.guid,
      name: d.name,
      versionRaw: d.versionRaw,
      lowestSupportedVersionRaw: d.lowestSupportedVersionRaw,
      updatable: d.updatable,
      ...(blocker === undefined ? {} : { blockedBy: blocker.message }),
    };
  });
  const catalog =
    options.catalog ??
    loadCatalog(
      ctx,
      config,
      devices.map((d) => d.guid),
    );
  const noPhased = new Set(
    listRemotes(ctx)
      .filter((r) => r.noPhasedUpdates)
      .map((r) => r.id),
  );
  const host = readHostFacts(ctx, inventory.platform, devices, noPhased);
  const items = planUpdates(devices, catalog.components, host, policy);
  const method = items.some((i) => i.action !== 'skip') ? chooseMethod(ctx, options.method) : null;
  const entries = new Map(inventory.esrt.entries.map((e) => [e.fwClass, e]));

  const documentItems = items.map((item) => toDocumentItem(item, entries.get(item.guid), catalog, method));
  const largest = Math.max(0, ...documentItems.map((i) => i.release?.installedSize ?? i.release?.size ?? 0));
  const document: PlanDocument = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    kind: PLAN_KIND,
    createdAt: ctx.clock.now().toISOString(),
    capstanVersion: options.capstanVersion,
    machine: {
      platform: inventory.platform?.kind ?? 'esrt-file',
      description: inventory.platform?.description ?? `raw ESRT dump ${ctx.options.esrtFile ?? ''}`,
      esrtSource: inventory.esrt.source?.path ?? null,
    },
    catalog: {
      sha256: catalog.sha256,
      remotes: catalog.remotes.map((r) => ({
        id: r.id,
        priority: r.priority,
        catalogSha256: r.catalogSha256,
        trust: r.trust,
        signedAt: r.signedAt,
        refreshedAt: r.refreshedAt,
        stale: r.stale,
      })),
    },
    policy: { ...policy, method: options.method ?? null },
    items: documentItems,
    prechecks: documentItems.some((i) => i.action !== 'skip')
      ? runPrechecks(ctx, largest === 0 ? undefined : largest)
      : [],
    problems: [...catalog.problems, ...inventory.esrt.problems.filter((p) => p.severity !== 'info')],
  };
  return { document, catalog, items };
}

function toDocumentItem(
  item: PlanItem,
  entry: EsrtEntry | undefined,
  catalog: LoadedCatalog,
  method: { id: MethodId; reason: string } | null,
): PlanDocumentItem {
  const chosen = item.chosen;
  const component =
    chosen === null
      ? undefined
      : catalog.components.find((c) => c.remoteId === chosen.remoteId && c.id === chosen.componentId);
  const stored = component?.stored.releases.find((r) => r.version === chosen?.release.version);
  return {
    guid: item.guid,
    name: item.name,
    action: item.action,
    versionFormat: item.versionFormat,
    from: item.from,
    to: item.to,
    esrt: {
      fwClass: item.guid,
      ...(Object.fromEntries(NUMERIC_FIELDS.map((field) => [field, entry?.[field] ?? null])) as Pick<
        EsrtEntry,
        NumericField
      >),
    },
    release:
      chosen === null || component === undefined
        ? null
        : {
            remote: chosen.remoteId,
            componentId: chosen.componentId,
            version: chosen.version,
            location: stored?.locations[0] ?? null,
            sha256: stored?.container.sha256 ?? null,
            sha1: stored?.container.sha1 ?? null,
            size: stored?.size.download ?? null,
            installedSize: stored?.size.installed ?? null,
            payloadFilename: stored?.content.filename ?? null,
            payloadSha256: stored?.content.sha256 ?? null,
            trust: component.trust,
            urgency: stored?.urgency ?? null,
            description: stored?.description ?? null,
          },
    method: item.action === 'skip' ? null : method,
    reasons: item.reasons,
    releases: item.releases.map((r) => ({
      remote: r.remoteId,
      version: r.version,
      relation: r.relation,
      eligible: r.eligible,
      reasons: r.reasons,
    })),
  };
}

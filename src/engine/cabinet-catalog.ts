import { type LoadedCatalog, toCatalogComponent } from '../catalog/catalog.js';
import { toStored } from '../catalog/refresh.js';
import { loadTrustAnchors } from '../catalog/signature/index.js';
import type { Config } from '../core/config.js';
import type { Context } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { inspectFirmwareCabinet } from './firmware-cabinet.js';

export const LOCAL_CABINET_REMOTE = 'local-cabinet';

/**
 * A local cabinet as a one-component catalog, for `plan --cab` (and `install`): checked like any
 * cabinet (container and content checksums, in-cab signatures). Without a signature from a trust
 * anchor it needs `allowUnsigned`, and the plan then says `unsigned-local`.
 */
export async function loadCabinetCatalog(
  ctx: Context,
  config: Config,
  path: string,
  allowUnsigned: boolean,
): Promise<LoadedCatalog> {
  const anchors = loadTrustAnchors(ctx, config.trustDirectories);
  const cab = await inspectFirmwareCabinet(path, { anchors, now: ctx.clock.now() });
  if (!cab.trusted && !allowUnsigned) {
    const untrusted = cab.metainfo.trust.status === 'untrusted' || cab.payload.trust.status === 'untrusted';
    const why = [cab.metainfo.trust, cab.payload.trust].find((t) => t.status !== 'trusted')?.reason ?? 'no signature';
    throw new CapstanError(
      untrusted ? 'signature-invalid' : 'signature-missing',
      `${path} carries no signature from a trust anchor: ${why}`,
      {
        hint: 'pass --allow-unsigned to install a local cabinet you trust yourself, or add its signer\u2019s CA to /etc/capstan/pki',
        details: { metadata: cab.metainfo.trust, payload: cab.payload.trust },
      },
    );
  }
  const trust = cab.trusted ? 'signed' : 'unsigned-local';
  const parsed = toStored(cab.component);
  const stored = {
    ...parsed,
    releases: parsed.releases.map((release) => ({
      ...release,
      locations: [`file://${path}`],
      container: { sha256: cab.sha256, sha1: cab.sha1, filename: path.slice(path.lastIndexOf('/') + 1) },
      size: { ...release.size, download: cab.size },
    })),
  };
  const component = toCatalogComponent(stored, LOCAL_CABINET_REMOTE, 1, trust);
  const now = ctx.clock.now().toISOString();
  return {
    remotes: [
      {
        id: LOCAL_CABINET_REMOTE,
        priority: 1,
        kind: 'local',
        trust,
        catalogSha256: cab.sha256,
        signedAt: null,
        refreshedAt: now,
        ageDays: 0,
        stale: false,
        components: 1,
        releases: component.releases.length,
      },
    ],
    components: [component],
    sha256: cab.sha256,
    problems: cab.trusted
      ? []
      : [
          {
            code: 'cabinet-unsigned',
            severity: 'warning',
            message: `${path} is installed without a trusted signature (--allow-unsigned)`,
            hint: 'only do this with a cabinet you built or checked yourself',
          },
        ],
  };
}

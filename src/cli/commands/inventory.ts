import type { Context } from '../../core/context.js';
import type { EsrtVerdict } from '../../esrt/types.js';
import type { Platform } from '../../platform/types.js';

export { type Inventory, readInventory } from '../../devices/inventory.js';

export function platformView(ctx: Context, platform: Platform | undefined): Record<string, unknown> {
  if (platform === undefined) {
    return { kind: 'esrt-file', description: `raw ESRT dump ${ctx.options.esrtFile ?? ''}`, kernel: null, xen: null };
  }
  return {
    kind: platform.kind,
    description: platform.description,
    kernel: platform.facts.kernel?.release ?? null,
    xen: platform.facts.xen?.text ?? null,
    capabilities: platform.adapter.capabilities(platform.facts),
  };
}

export function esrtView(esrt: EsrtVerdict): Record<string, unknown> {
  return {
    status: esrt.status,
    source: esrt.source?.path ?? null,
    entryCount: esrt.entries.length,
    problems: esrt.problems,
  };
}

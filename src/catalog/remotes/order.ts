import { CapstanError } from '../../core/errors.js';
import type { Remote } from './remote.js';

/**
 * Remotes in priority order, highest first: `OrderBefore=X` puts this remote ahead of X,
 * `OrderAfter=X` behind it (fwupd's meaning). Unknown ids are ignored, as fwupd does; ties keep
 * file-name order. A cycle is a configuration error.
 */
export function orderRemotes(remotes: readonly Remote[]): Remote[] {
  const ids = new Set(remotes.map((r) => r.id));
  // edge a -> b: a must come before b
  const after = new Map<string, Set<string>>(remotes.map((r) => [r.id, new Set<string>()]));
  for (const remote of remotes) {
    for (const other of remote.orderBefore) if (ids.has(other) && other !== remote.id) after.get(remote.id)?.add(other);
    for (const other of remote.orderAfter) if (ids.has(other) && other !== remote.id) after.get(other)?.add(remote.id);
  }
  const incoming = new Map<string, number>(remotes.map((r) => [r.id, 0]));
  for (const targets of after.values())
    for (const target of targets) incoming.set(target, (incoming.get(target) ?? 0) + 1);
  const ordered: Remote[] = [];
  const pending = [...remotes];
  while (pending.length > 0) {
    const index = pending.findIndex((r) => incoming.get(r.id) === 0);
    if (index === -1) {
      throw new CapstanError(
        'config-invalid',
        `remotes ${pending.map((r) => r.id).join(', ')} form an OrderBefore/OrderAfter cycle`,
        {
          hint: 'remove one of the OrderBefore or OrderAfter entries so the remotes have a clear priority',
        },
      );
    }
    const [next] = pending.splice(index, 1);
    if (next === undefined) break;
    ordered.push(next);
    for (const target of after.get(next.id) ?? []) incoming.set(target, (incoming.get(target) ?? 0) - 1);
  }
  return ordered;
}

import type { Requirement } from '../types.js';
import type { RequirementContext, RequirementResult } from './types.js';

/** `<hardware>GUID|GUID</hardware>`: any host hardware id (CHID) matches. */
export function checkHardwareRequirement(
  req: Extract<Requirement, { kind: 'hardware' }>,
  ctx: RequirementContext,
): RequirementResult {
  if (req.guids.length === 0) return 'the hardware requirement names no hardware id';
  return req.guids.some((g) => ctx.host.hardwareIds.has(g.toLowerCase()))
    ? null
    : `this machine matches none of the hardware ids ${req.guids.join(', ')}`;
}

/** `<not_hardware>`: none may match. */
export function checkNotHardwareRequirement(
  req: Extract<Requirement, { kind: 'not-hardware' }>,
  ctx: RequirementContext,
): RequirementResult {
  const hit = req.guids.find((g) => ctx.host.hardwareIds.has(g.toLowerCase()));
  return hit === undefined ? null : `this machine has hardware id ${hit}, which the release excludes`;
}

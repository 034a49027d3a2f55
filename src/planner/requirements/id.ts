import { checkCompare, describeCompare } from '../compare.js';
import type { Requirement } from '../types.js';
import type { RequirementContext, RequirementResult } from './types.js';

/** `<id compare="ge" version="1.9.8">org.freedesktop.fwupd</id>`: a runtime component, general version rule. */
export function checkIdRequirement(
  req: Extract<Requirement, { kind: 'id' }>,
  ctx: RequirementContext,
): RequirementResult {
  const version = ctx.host.components[req.id];
  if (version === undefined) return `no version is known for ${req.id}`;
  if (req.compare === undefined || req.version === undefined) return null;
  return checkCompare(req.compare, version, req.version)
    ? null
    : `needs ${req.id} ${describeCompare(req.compare, req.version)}; this machine has ${version}`;
}

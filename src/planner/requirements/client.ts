import type { Requirement } from '../types.js';
import type { RequirementContext, RequirementResult } from './types.js';

/**
 * `<client>` names interactive client features (detach-action, update-action, requests, ...). capstan
 * is meant for unattended use and implements none of them, so any feature fails closed.
 */
export const SUPPORTED_CLIENT_FEATURES: ReadonlySet<string> = new Set();

export function checkClientRequirement(
  req: Extract<Requirement, { kind: 'client' }>,
  _ctx: RequirementContext,
): RequirementResult {
  const missing = req.features.filter((f) => !SUPPORTED_CLIENT_FEATURES.has(f));
  return missing.length === 0 ? null : `needs client features capstan does not have: ${missing.join(', ')}`;
}

/** `<phased_update>`: a staged rollout. Honoured as fwupd does only by skipping it on NoPhasedUpdates remotes. */
export function checkPhasedUpdateRequirement(
  _req: Extract<Requirement, { kind: 'phased-update' }>,
  ctx: RequirementContext,
): RequirementResult {
  return ctx.host.noPhasedUpdates.has(ctx.remoteId)
    ? null
    : 'the release is in a phased rollout, which capstan does not take part in (set NoPhasedUpdates=true on the remote to install it anyway)';
}

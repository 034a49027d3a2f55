import type { Requirement } from '../types.js';
import { checkClientRequirement, checkPhasedUpdateRequirement } from './client.js';
import { checkFirmwareRequirement } from './firmware.js';
import { checkHardwareRequirement, checkNotHardwareRequirement } from './hardware.js';
import { checkIdRequirement } from './id.js';
import type { RequirementContext, RequirementResult } from './types.js';

export type { RequirementContext, RequirementResult } from './types.js';

/** Dispatches on the kind; an unknown kind fails closed. */
export function checkRequirement(req: Requirement, ctx: RequirementContext): RequirementResult {
  switch (req.kind) {
    case 'id':
      return checkIdRequirement(req, ctx);
    case 'firmware':
      return checkFirmwareRequirement(req, ctx);
    case 'hardware':
      return checkHardwareRequirement(req, ctx);
    case 'not-hardware':
      return checkNotHardwareRequirement(req, ctx);
    case 'client':
      return checkClientRequirement(req, ctx);
    case 'phased-update':
      return checkPhasedUpdateRequirement(req, ctx);
    case 'unknown':
      return `unknown requirement <${req.element}>: capstan fails closed on requirements it cannot check`;
  }
}

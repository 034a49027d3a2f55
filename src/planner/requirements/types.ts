import type { VersionFormatId } from '../../versioning/types.js';
import type { HostFacts, PlannerDevice } from '../types.js';

export interface RequirementContext {
  device: PlannerDevice;
  /** The device's version rendered with the component's format. */
  deviceVersion: string | null;
  format: VersionFormatId;
  host: HostFacts;
  remoteId: string;
  /** Another device's version, rendered with that device's own format. */
  renderDevice(guid: string, raw: number): string;
  formatOf(guid: string): VersionFormatId;
}

/** `null` when satisfied, otherwise why not (one sentence, lower-case). */
export type RequirementResult = string | null;

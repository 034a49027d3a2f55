import type { VersionFormatId } from '../versioning/types.js';

export type CompareOp = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge' | 'glob' | 'regex';

/** `<requires>` (hard) and `<suggests>`/`<recommends>` (soft) children, as lvfs-metadata.md §4. */
export type Requirement =
  | { kind: 'id'; id: string; compare?: CompareOp; version?: string; hard: boolean }
  | { kind: 'firmware'; target: string; compare?: CompareOp; version?: string; depth?: number; hard: boolean }
  | { kind: 'hardware'; guids: readonly string[]; hard: boolean }
  | { kind: 'not-hardware'; guids: readonly string[]; hard: boolean }
  | { kind: 'client'; features: readonly string[]; hard: boolean }
  | { kind: 'phased-update'; attributes: Readonly<Record<string, string>>; hard: boolean }
  | { kind: 'unknown'; element: string; hard: boolean };

export interface PlannerRelease {
  /** As written in the metadata: a dotted string or an integer (decimal or 0x). */
  version: string;
  timestamp?: number;
  urgency?: string;
  location?: string;
  sha256?: string;
  size?: number;
}

export interface PlannerComponent {
  remoteId: string;
  /** 1 = highest; decides which remote wins when two offer the same release. */
  remotePriority: number;
  id: string;
  name?: string;
  provides: string[];
  versionFormat?: string;
  updateProtocol?: string;
  requires: Requirement[];
  releases: PlannerRelease[];
}

export interface PlannerDevice {
  guid: string;
  name: string;
  versionRaw: number | null;
  lowestSupportedVersionRaw: number | null;
  updatable: boolean;
  /** Why the device cannot be updated, when it cannot (its first error finding). */
  blockedBy?: string;
}

/** Facts about the host that requirements are checked against (gathered before planning). */
export interface HostFacts {
  hardwareIds: ReadonlySet<string>;
  vendorIds: readonly string[];
  /** Versions for `<id>` requirements: org.freedesktop.fwupd, org.freedesktop.fwupd-efi, org.kernel. */
  components: Readonly<Record<string, string>>;
  /** Every device on the machine, for `<firmware>GUID</firmware>` requirements. */
  devices: readonly PlannerDevice[];
  noPhasedUpdates: ReadonlySet<string>;
}

export interface Policy {
  /** Only these devices (lower-case GUIDs); empty = all. */
  guids: readonly string[];
  /** Pick exactly this release version. */
  version?: string;
  allowOlder: boolean;
  allowReinstall: boolean;
  /** What to look for when no --version is given. */
  mode: 'update' | 'downgrade' | 'reinstall';
  /** Relax the lowest-supported-version check, as fwupd's --force does. Never checksums or signatures. */
  force: boolean;
}

export type ReasonCode =
  | 'newer'
  | 'older'
  | 'same'
  | 'downgrade-not-allowed'
  | 'reinstall-not-allowed'
  | 'below-lowest-supported'
  | 'lowest-supported-unknown'
  | 'lowest-supported-forced'
  | 'requirement-failed'
  | 'requirement-soft-failed'
  | 'wrong-protocol'
  | 'version-unparseable'
  | 'not-requested-version'
  | 'superseded'
  | 'duplicate-lower-priority'
  | 'device-not-updatable'
  | 'device-version-unknown'
  | 'no-releases'
  | 'up-to-date'
  | 'chosen';

export interface Reason {
  code: ReasonCode;
  message: string;
}

export interface ReleaseVerdict {
  remoteId: string;
  componentId: string;
  version: string;
  versionRaw: number | null;
  relation: 'newer' | 'older' | 'same' | 'unknown';
  eligible: boolean;
  reasons: Reason[];
  release: PlannerRelease;
}

export type PlanAction = 'update' | 'downgrade' | 'reinstall' | 'skip';

export interface PlanItem {
  guid: string;
  name: string;
  action: PlanAction;
  versionFormat: VersionFormatId;
  from: { version: string | null; versionRaw: number | null };
  to: { version: string; versionRaw: number | null } | null;
  chosen: ReleaseVerdict | null;
  reasons: Reason[];
  releases: ReleaseVerdict[];
}

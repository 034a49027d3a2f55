import type { Problem } from '../core/problem.js';
import { CAPSULE_FLAG_NAMES, type FwTypeName, nameFwType, nameLastAttemptStatus } from '../esrt/tables.js';
import type { EsrtEntry } from '../esrt/types.js';
import { formatVersion } from '../versioning/index.js';
import type { VersionFormatId } from '../versioning/types.js';

/** ESRT devices start as fwupd's `number` format until a quirk or the catalog says otherwise. */
export const DEFAULT_VERSION_FORMAT: VersionFormatId = 'number';

/** What `get-devices` shows for one ESRT entry; the JSON shape is documented in docs/json-output.md. */
export interface Device {
  guid: string;
  name: string;
  esrtEntry: string;
  fwType: FwTypeName | 'invalid';
  fwTypeRaw: number | null;
  version: string | null;
  versionRaw: number | null;
  versionFormat: VersionFormatId;
  lowestSupportedVersion: string | null;
  lowestSupportedVersionRaw: number | null;
  capsuleFlags: number | null;
  capsuleFlagNames: string[];
  lastAttemptStatus: number | null;
  lastAttemptStatusText: string | null;
  lastAttemptVersion: number | null;
  updatable: boolean;
  problems: Problem[];
}

const DISPLAY_NAMES: Record<FwTypeName, string> = {
  unknown: 'Unknown Firmware',
  'system-firmware': 'System Firmware',
  'device-firmware': 'Device Firmware',
  'uefi-driver': 'UEFI Driver',
};

export function toDevice(entry: EsrtEntry, versionFormat: VersionFormatId = DEFAULT_VERSION_FORMAT): Device {
  const fwTypeName = entry.fwType === null ? undefined : nameFwType(entry.fwType);
  const render = (raw: number | null): string | null => (raw === null ? null : formatVersion(raw, versionFormat));
  return {
    guid: entry.fwClass,
    name: fwTypeName === undefined ? 'Invalid ESRT Entry' : DISPLAY_NAMES[fwTypeName],
    esrtEntry: entry.name,
    fwType: fwTypeName ?? 'invalid',
    fwTypeRaw: entry.fwType,
    version: render(entry.fwVersion),
    versionRaw: entry.fwVersion,
    versionFormat,
    lowestSupportedVersion: render(entry.lowestSupportedFwVersion),
    lowestSupportedVersionRaw: entry.lowestSupportedFwVersion,
    capsuleFlags: entry.capsuleFlags,
    capsuleFlagNames:
      entry.capsuleFlags === null
        ? []
        : CAPSULE_FLAG_NAMES.filter(([bit]) => ((entry.capsuleFlags ?? 0) & bit) !== 0).map(([, name]) => name),
    lastAttemptStatus: entry.lastAttemptStatus,
    lastAttemptStatusText:
      entry.lastAttemptStatus === null ? null : (nameLastAttemptStatus(entry.lastAttemptStatus) ?? null),
    lastAttemptVersion: entry.lastAttemptVersion,
    updatable: entry.usable,
    problems: entry.problems,
  };
}

import { isGuid } from '../../efi/guid.js';
import type { VersionFormatId } from '../../versioning/types.js';
import { checkCompare, describeCompare } from '../compare.js';
import type { Requirement } from '../types.js';
import type { RequirementContext, RequirementResult } from './types.js';

type FirmwareRequirement = Extract<Requirement, { kind: 'firmware' }>;

/**
 * `<firmware>` as fwupd 2.0.20 reads it: empty text compares the device's own version;
 * `bootloader` its bootloader version (ESRT devices have none); `vendor-id` a regex over the
 * device's vendor ids joined with `|`; otherwise `GUID|GUID` names another device (any device
 * without depth; with depth, a child (-1), sibling (0) or parent (>=1): ESRT devices have neither
 * parents nor children, so depth 0 checks the device itself). Another device's version is rendered
 * with that device's own format.
 */
export function checkFirmwareRequirement(req: FirmwareRequirement, ctx: RequirementContext): RequirementResult {
  const target = req.target.trim();
  if (target === '') return compareVersion(req, ctx.deviceVersion, ctx.format, 'this device');
  if (target === 'bootloader') return 'this device reports no bootloader version';
  if (target === 'vendor-id') return checkVendorId(req, ctx);
  if (target === 'not-child') return null; // ESRT devices have no children
  const guids = target.split('|').map((g) => g.trim().toLowerCase());
  const bad = guids.find((g) => !isGuid(g));
  if (bad !== undefined) return `${bad} is not a valid GUID`;
  if (req.depth !== undefined) {
    if (req.depth === 0) return guids.includes(ctx.device.guid) ? null : `device ${ctx.device.guid} is not ${target}`;
    return req.depth < 0 ? `no child device ${target}` : `no parent device ${target}`;
  }
  const other = ctx.host.devices.find((d) => guids.includes(d.guid));
  if (other === undefined) return `no other device ${target} on this machine`;
  if (req.compare === undefined || req.version === undefined || other.versionRaw === null) return null;
  return compareVersion(req, ctx.renderDevice(other.guid, other.versionRaw), ctx.formatOf(other.guid), other.name);
}

function checkVendorId(req: FirmwareRequirement, ctx: RequirementContext): RequirementResult {
  if (req.version === undefined) return 'the metadata names no vendor id';
  if (ctx.host.vendorIds.length === 0) return 'this machine has no vendor id (no DMI vendor)';
  let pattern: RegExp;
  try {
    pattern = new RegExp(req.version);
  } catch {
    return `vendor id pattern ${JSON.stringify(req.version)} is not a valid regular expression`;
  }
  const ids = ctx.host.vendorIds.join('|');
  return pattern.test(ids) ? null : `needs vendor ${req.version}, this machine is ${ids}`;
}

function compareVersion(
  req: FirmwareRequirement,
  version: string | null,
  format: VersionFormatId,
  what: string,
): RequirementResult {
  if (req.compare === undefined || req.version === undefined) return null;
  if (version === null) return `the firmware version of ${what} is unknown`;
  return checkCompare(req.compare, version, req.version, format)
    ? null
    : `needs ${what} at firmware version ${describeCompare(req.compare, req.version)}; it has ${version}`;
}

import { compareVersions, formatVersion, renderReleaseVersion, resolveVersionFormat } from '../versioning/index.js';
import type { VersionFormatId } from '../versioning/types.js';
import { checkRequirement } from './requirements/index.js';
import type {
  HostFacts,
  PlanItem,
  PlannerComponent,
  PlannerDevice,
  PlannerRelease,
  Policy,
  Reason,
  ReleaseVerdict,
} from './types.js';

export const UEFI_CAPSULE_PROTOCOL = 'org.uefi.capsule';
const DEFAULT_FORMAT: VersionFormatId = 'number';

/**
 * What `update` would do, device by device, with every release's verdict and the reasons. Pure:
 * no I/O, no clock; the same inputs always give the same plan.
 */
export function planUpdates(
  devices: readonly PlannerDevice[],
  components: readonly PlannerComponent[],
  host: HostFacts,
  policy: Policy,
): PlanItem[] {
  const wanted = new Set(policy.guids.map((g) => g.toLowerCase()));
  const formats = new Map([...host.devices, ...devices].map((d) => [d.guid, formatFor(d.guid, components)]));
  const formatOf = (guid: string): VersionFormatId => formats.get(guid) ?? DEFAULT_FORMAT;
  return devices
    .filter((d) => wanted.size === 0 || wanted.has(d.guid))
    .map((d) => planDevice(d, components, host, policy, formatOf));
}

/** The metadata's LVFS::VersionFormat re-renders the ESRT device, as fwupd does even before install. */
function formatFor(guid: string, components: readonly PlannerComponent[]): VersionFormatId {
  const declared = components
    .filter((c) => c.provides.some((g) => g.toLowerCase() === guid))
    .sort((a, b) => a.remotePriority - b.remotePriority)
    .map((c) => c.versionFormat)
    .find((f) => f !== undefined && resolveVersionFormat(f, DEFAULT_FORMAT) === f);
  return resolveVersionFormat(declared, DEFAULT_FORMAT);
}

function planDevice(
  device: PlannerDevice,
  all: readonly PlannerComponent[],
  host: HostFacts,
  policy: Policy,
  formatOf: (guid: string) => VersionFormatId,
): PlanItem {
  const components = all
    .filter((c) => c.provides.some((g) => g.toLowerCase() === device.guid))
    .sort((a, b) => a.remotePriority - b.remotePriority);
  const format = formatOf(device.guid);
  const render = (raw: number): string => formatVersion(raw, format);
  const current = device.versionRaw === null ? null : render(device.versionRaw);
  const base = {
    guid: device.guid,
    name: device.name,
    versionFormat: format,
    from: { version: current, versionRaw: device.versionRaw },
  };
  const skip = (reasons: Reason[], releases: ReleaseVerdict[] = []): PlanItem => ({
    ...base,
    action: 'skip',
    to: null,
    chosen: null,
    reasons,
    releases,
  });
  if (!device.updatable) {
    return skip([{ code: 'device-not-updatable', message: device.blockedBy ?? 'the ESRT entry failed its checks' }]);
  }
  if (current === null || device.versionRaw === null) {
    return skip([{ code: 'device-version-unknown', message: 'the device reports no firmware version' }]);
  }
  if (components.length === 0 || components.every((c) => c.releases.length === 0)) {
    return skip([{ code: 'no-releases', message: 'no enabled remote offers firmware for this device' }]);
  }

  const lowest = device.lowestSupportedVersionRaw === null ? null : render(device.lowestSupportedVersionRaw);
  const seen = new Map<string, string>();
  const verdicts: ReleaseVerdict[] = [];
  for (const component of components) {
    for (const release of component.releases) {
      verdicts.push(
        judgeRelease({ device, component, release, host, policy, format, current, lowest, seen, formatOf }),
      );
    }
  }
  verdicts.sort((a, b) => compareVersions(b.version, a.version, format));

  const pick = (relation: ReleaseVerdict['relation']): ReleaseVerdict | undefined =>
    verdicts.find((v) => v.eligible && v.relation === relation);
  let chosen: ReleaseVerdict | undefined;
  if (policy.version !== undefined) chosen = verdicts.find((v) => v.eligible);
  else if (policy.mode === 'update') chosen = pick('newer');
  else if (policy.mode === 'downgrade') chosen = pick('older');
  else chosen = pick('same');

  if (chosen === undefined) {
    return skip(explainSkip(verdicts, policy, current), verdicts);
  }
  for (const verdict of verdicts) {
    if (verdict !== chosen && verdict.eligible) {
      verdict.eligible = false;
      verdict.reasons.push({ code: 'superseded', message: `${chosen.version} is chosen instead` });
    }
  }
  chosen.reasons.push({ code: 'chosen', message: 'this release is the one the plan installs' });
  const action = chosen.relation === 'older' ? 'downgrade' : chosen.relation === 'same' ? 'reinstall' : 'update';
  return {
    ...base,
    action,
    to: { version: chosen.version, versionRaw: chosen.versionRaw },
    chosen,
    reasons: chosen.reasons.filter((r) => r.code !== 'chosen' && r.code !== 'superseded'),
    releases: verdicts,
  };
}

interface JudgeInput {
  device: PlannerDevice;
  component: PlannerComponent;
  release: PlannerRelease;
  host: HostFacts;
  policy: Policy;
  format: VersionFormatId;
  current: string;
  lowest: string | null;
  seen: Map<string, string>;
  formatOf: (guid: string) => VersionFormatId;
}

function judgeRelease(input: JudgeInput): ReleaseVerdict {
  const { device, component, release, host, policy, format, current, lowest, seen, formatOf } = input;
  const { version, raw } = renderReleaseVersion(release.version, format);
  const reasons: Reason[] = [];
  let eligible = true;
  const refuse = (reason: Reason): void => {
    eligible = false;
    reasons.push(reason);
  };

  if (version === '') refuse({ code: 'version-unparseable', message: 'the release has no version' });
  const relation = version === '' ? 'unknown' : relate(compareVersions(version, current, format));
  if (relation === 'newer')
    reasons.push({ code: 'newer', message: `${version} is newer than the installed ${current}` });
  if (relation === 'older') {
    reasons.push({ code: 'older', message: `${version} is older than the installed ${current}` });
    if (!policy.allowOlder && policy.mode !== 'downgrade') {
      refuse({ code: 'downgrade-not-allowed', message: 'downgrades need --allow-older (or capstan downgrade)' });
    }
  }
  if (relation === 'same') {
    reasons.push({ code: 'same', message: `${version} is already installed` });
    if (!policy.allowReinstall && policy.mode !== 'reinstall') {
      refuse({ code: 'reinstall-not-allowed', message: 'reinstalling needs --allow-reinstall (or capstan reinstall)' });
    }
  }

  const firstRemote = seen.get(version);
  if (firstRemote !== undefined && firstRemote !== component.remoteId) {
    refuse({ code: 'duplicate-lower-priority', message: `remote ${firstRemote} has priority for ${version}` });
  } else if (firstRemote === undefined) {
    seen.set(version, component.remoteId);
  }

  if (component.updateProtocol !== undefined && component.updateProtocol !== UEFI_CAPSULE_PROTOCOL) {
    refuse({
      code: 'wrong-protocol',
      message: `the release uses ${component.updateProtocol}; capstan only installs ${UEFI_CAPSULE_PROTOCOL} capsules`,
    });
  }

  if (lowest === null) {
    if (relation === 'older') {
      const message = 'the device\u2019s lowest supported version is unknown, so a downgrade cannot be checked';
      if (policy.force) reasons.push({ code: 'lowest-supported-forced', message: `${message} (--force)` });
      else refuse({ code: 'lowest-supported-unknown', message: `${message}; --force skips this check` });
    }
  } else if (version !== '' && compareVersions(version, lowest, format) < 0) {
    const message = `${version} is below the device\u2019s lowest supported version ${lowest}`;
    if (policy.force) reasons.push({ code: 'lowest-supported-forced', message: `${message} (--force)` });
    else refuse({ code: 'below-lowest-supported', message: `${message}; the firmware would refuse it` });
  }

  const requirementContext = {
    device,
    deviceVersion: current,
    format,
    host,
    remoteId: component.remoteId,
    renderDevice: (guid: string, raw: number) => formatVersion(raw, formatOf(guid)),
    formatOf,
  };
  for (const requirement of component.requires) {
    const failure = checkRequirement(requirement, requirementContext);
    if (failure === null) continue;
    if (requirement.hard) refuse({ code: 'requirement-failed', message: failure });
    else reasons.push({ code: 'requirement-soft-failed', message: `recommended: ${failure}` });
  }

  // an integer --version (as a catalog may write it) is rendered with the device's format first
  const requested = policy.version === undefined ? undefined : renderReleaseVersion(policy.version, format).version;
  if (requested !== undefined && compareVersions(version, requested, format) !== 0 && version !== requested) {
    refuse({ code: 'not-requested-version', message: `--version ${policy.version} was asked for` });
  }

  return {
    remoteId: component.remoteId,
    componentId: component.id,
    version,
    versionRaw: raw ?? null,
    relation,
    eligible,
    reasons,
    release,
  };
}

function relate(order: number): 'newer' | 'older' | 'same' {
  return order > 0 ? 'newer' : order < 0 ? 'older' : 'same';
}

function explainSkip(verdicts: readonly ReleaseVerdict[], policy: Policy, current: string): Reason[] {
  if (policy.version !== undefined) {
    const match = verdicts.find((v) => !v.reasons.some((r) => r.code === 'not-requested-version'));
    if (match === undefined) return [{ code: 'no-releases', message: `no remote offers version ${policy.version}` }];
    return match.reasons.filter((r) => !['newer', 'older', 'same'].includes(r.code));
  }
  const relation = policy.mode === 'update' ? 'newer' : policy.mode === 'downgrade' ? 'older' : 'same';
  const blocked = verdicts.filter((v) => v.relation === relation);
  if (blocked.length === 0) {
    return [
      policy.mode === 'update'
        ? { code: 'up-to-date', message: `${current} is the newest version any remote offers` }
        : {
            code: 'no-releases',
            message: `no remote offers an ${relation === 'older' ? 'older' : 'identical'} version`,
          },
    ];
  }
  const best = blocked[0];
  return (best?.reasons ?? []).filter((r) => !['newer', 'older', 'same'].includes(r.code));
}

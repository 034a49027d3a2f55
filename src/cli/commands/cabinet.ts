import path from 'node:path';
import { loadTrustAnchors } from '../../catalog/signature/index.js';
import { readConfig } from '../../core/config.js';
import { CapstanError } from '../../core/errors.js';
import { readInventory } from '../../devices/inventory.js';
import {
  capsuleLayoutFor,
  type FirmwareCabinet,
  inspectFirmwareCabinet,
  type Trust,
} from '../../engine/firmware-cabinet.js';
import { compareVersions, formatVersion, renderReleaseVersion, resolveVersionFormat } from '../../versioning/index.js';
import type { VersionFormatId } from '../../versioning/types.js';
import { writeJson } from '../output/json.js';
import { chooseStyle } from '../output/text.js';
import type { CommandInvocation } from '../program.js';

/** `get-details FILE.cab`: what a firmware cabinet contains, whether it is trusted, which device it fits. */
export async function runGetDetails({ ctx, io, global, args }: CommandInvocation): Promise<number> {
  const file = path.resolve(io.cwd ?? process.cwd(), args[0] ?? '');
  const config = readConfig(ctx);
  const anchors = loadTrustAnchors(ctx, config.trustDirectories);
  const cab = await inspectFirmwareCabinet(file, { anchors, now: ctx.clock.now() });
  const format = resolveVersionFormat(cab.component.versionFormat);
  const { version, raw } = renderReleaseVersion(cab.release.version, format);
  const fits = matchDevices(ctx, cab, version, format);
  const fwClass = cab.component.provides[0] ?? '';
  const layout =
    fwClass === ''
      ? undefined
      : capsuleLayoutFor(cab, fwClass, fits.devices.find((d) => d.guid === fwClass)?.capsuleFlags ?? 0);
  const capsule =
    layout === undefined
      ? null
      : layout.kind === 'headered'
        ? { header: 'present', reason: layout.reason, headerSize: layout.headerSize, flags: layout.flags }
        : {
            header: 'added',
            reason: 'fwupd prepends a 4096-byte EFI_CAPSULE_HEADER',
            headerSize: 4096,
            flags: layout.flags,
          };
  const unsignedHint = cab.trusted
    ? null
    : 'installing this cabinet needs --allow-unsigned: it carries no signature from a trust anchor';
  if (global.json) {
    writeJson(io.stdout, {
      file,
      size: cab.size,
      sha256: cab.sha256,
      sha1: cab.sha1,
      members: cab.index.members.map((m) => ({
        name: m.name,
        size: m.size,
        modified: m.modified?.toISOString() ?? null,
      })),
      component: {
        id: cab.component.id,
        name: cab.component.name ?? null,
        summary: cab.component.summary ?? null,
        vendor: cab.component.developerName ?? null,
        provides: cab.component.provides,
        versionFormat: cab.component.versionFormat ?? null,
        updateProtocol: cab.component.updateProtocol ?? null,
      },
      release: {
        version,
        versionRaw: raw ?? null,
        urgency: cab.release.urgency ?? null,
        date: cab.release.date ?? null,
        description: cab.release.description ?? null,
      },
      payload: {
        member: cab.payload.member,
        size: cab.payload.size,
        sha256: cab.payload.sha256,
        contentChecksum: cab.payload.contentChecksum,
        capsule,
      },
      trust: { trusted: cab.trusted, metadata: cab.metainfo.trust, payload: cab.payload.trust, hint: unsignedHint },
      devices: fits.error === null ? fits.devices.map(({ capsuleFlags: _flags, ...d }) => d) : null,
      devicesError: fits.error,
    });
    return 0;
  }
  const style = chooseStyle(io, 'stdout');
  const lines = [
    `${style.bold(cab.component.name ?? cab.component.id)} ${version}  (${cab.component.id})`,
    `  cabinet:   ${file}, ${cab.size} bytes, sha256 ${cab.sha256}`,
    `  vendor:    ${cab.component.developerName ?? 'unknown'}`,
    `  devices:   ${cab.component.provides.join(', ')}`,
    `  protocol:  ${cab.component.updateProtocol ?? 'not stated'}; version format ${cab.component.versionFormat ?? 'not stated'}`,
    `  payload:   ${cab.payload.member}, ${cab.payload.size} bytes, content checksum ${cab.payload.contentChecksum}`,
    `  capsule:   ${capsule === null ? 'unknown' : capsule.header === 'present' ? `already a capsule (${capsule.reason})` : 'a 4096-byte capsule header will be added'}`,
    `  metadata:  ${describeTrust(cab.metainfo.trust)}`,
    `  firmware:  ${describeTrust(cab.payload.trust)}`,
  ];
  if (cab.release.description !== undefined)
    lines.push('', ...cab.release.description.split('\n').map((l) => `  ${l}`));
  lines.push('');
  if (fits.error !== null) lines.push(`this machine: ${fits.error}`);
  else if (fits.devices.length === 0) lines.push('this machine has no device this cabinet is for');
  for (const device of fits.devices) {
    lines.push(
      `fits ${device.name} ${device.guid}: installed ${device.version ?? '?'} \u2192 ${version} (${device.relation})`,
    );
  }
  if (unsignedHint !== null) lines.push(style.yellow(`warning: ${unsignedHint}`));
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function describeTrust(trust: Trust): string {
  if (trust.status === 'trusted') return `signed by ${trust.signers.join(', ') || 'a trust anchor'}`;
  return `${trust.status}${trust.reason === undefined ? '' : ` (${trust.reason})`}`;
}

interface DeviceFit {
  guid: string;
  name: string;
  version: string | null;
  relation: 'update' | 'downgrade' | 'reinstall' | 'unknown';
  capsuleFlags: number | null;
}

/** Which ESRT devices of this machine (or --esrt-file) the cabinet is for; a refusal is reported, not thrown. */
function matchDevices(
  ctx: CommandInvocation['ctx'],
  cab: FirmwareCabinet,
  version: string,
  format: VersionFormatId,
): { devices: DeviceFit[]; error: string | null } {
  let devices: ReturnType<typeof readInventory>['devices'];
  try {
    devices = readInventory(ctx).devices;
  } catch (error) {
    if (error instanceof CapstanError) return { devices: [], error: error.message };
    throw error;
  }
  return {
    error: null,
    devices: devices
      .filter((d) => cab.component.provides.includes(d.guid))
      .map((d) => {
        const current = d.versionRaw === null ? null : formatVersion(d.versionRaw, format);
        const order = current === null ? undefined : compareVersions(version, current, format);
        return {
          guid: d.guid,
          name: d.name,
          version: current,
          relation: order === undefined ? 'unknown' : order > 0 ? 'update' : order < 0 ? 'downgrade' : 'reinstall',
          capsuleFlags: d.capsuleFlags,
        };
      }),
  };
}

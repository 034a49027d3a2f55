import { format as bcd } from './bcd/index.js';
import { compareFwupdVersions, UINT32_MAX } from './common.js';
import { format as dellBios } from './dell-bios/index.js';
import { format as dellBiosMsb } from './dell-bios-msb/index.js';
import { format as hex } from './hex/index.js';
import { format as intelCsme19 } from './intel-csme19/index.js';
import { format as intelMe } from './intel-me/index.js';
import { format as intelMe2 } from './intel-me2/index.js';
import { format as number } from './number/index.js';
import { format as pair } from './pair/index.js';
import { format as plain } from './plain/index.js';
import { format as quad } from './quad/index.js';
import { format as surface } from './surface/index.js';
import { format as surfaceLegacy } from './surface-legacy/index.js';
import { format as triplet } from './triplet/index.js';
import type { VersionFormat, VersionFormatId } from './types.js';

export type { VersionFormat, VersionFormatApi, VersionFormatId } from './types.js';

/** Every version format, in fwupd enum order. */
export const VERSION_FORMATS: ReadonlyMap<VersionFormatId, VersionFormat> = new Map(
  [
    plain,
    number,
    pair,
    triplet,
    quad,
    bcd,
    intelMe,
    intelMe2,
    surfaceLegacy,
    surface,
    dellBios,
    hex,
    dellBiosMsb,
    intelCsme19,
  ].map((format): [VersionFormatId, VersionFormat] => [format.id, format]),
);

export function isVersionFormatId(id: string): id is VersionFormatId {
  return VERSION_FORMATS.has(id as VersionFormatId);
}

/** The format named `id` (an `LVFS::VersionFormat` value, a quirk), or undefined if fwupd has none. */
export function getVersionFormat(id: string): VersionFormat | undefined {
  return isVersionFormatId(id) ? VERSION_FORMATS.get(id) : undefined;
}

function requireVersionFormat(id: VersionFormatId): VersionFormat {
  const format = getVersionFormat(id);
  if (format === undefined) throw new TypeError(`unknown version format: ${String(id)}`);
  return format;
}

/** fwupd's `fu_version_compare`: -1, 0 or 1. Without a format, the general (dotted) rule. */
export function compareVersions(a: string, b: string, format?: VersionFormatId): number {
  return format === undefined ? compareFwupdVersions(a, b) : requireVersionFormat(format).api.compare(a, b);
}

/** Renders a raw uint32 (ESRT `fw_version`) as fwupd does; a TypeError for anything else. */
export function formatVersion(raw: number, format: VersionFormatId): string {
  return requireVersionFormat(format).api.fromUint32(raw);
}

const INTEGER_TEXT = /^(?:0x([0-9a-fA-F]+)|([0-9]+))$/;

/**
 * A release `version` attribute that is a bare integer (decimal, or hex after a lower-case `0x`,
 * as fwupd reads it) fitting a uint32; undefined for dotted versions and everything else.
 */
export function parseVersionInteger(text: string): number | undefined {
  const match = INTEGER_TEXT.exec(text);
  if (match === null) return undefined;
  const value = match[1] !== undefined ? BigInt(`0x${match[1]}`) : BigInt(match[2] ?? '');
  return value <= BigInt(UINT32_MAX) ? Number(value) : undefined;
}

/** A metadata `LVFS::VersionFormat` value if it names a known format, else `fallback` (ESRT devices: `number`). */
export function resolveVersionFormat(id: string | undefined, fallback: VersionFormatId = 'number'): VersionFormatId {
  return id !== undefined && isVersionFormatId(id) ? id : fallback;
}

/**
 * A release version as the metadata writes it, shown in the device's format: an integer (decimal or
 * `0x`) is rendered with `format`, a dotted string is kept as written. `raw` is the integer, if any.
 */
export function renderReleaseVersion(
  text: string,
  format: VersionFormatId,
): { version: string; raw: number | undefined } {
  const raw = parseVersionInteger(text);
  return { version: raw === undefined ? text.trim() : formatVersion(raw, format), raw };
}

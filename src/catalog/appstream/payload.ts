import type { Checksum, ChecksumType, DownloadDescription, PayloadDescription, Release } from './types.js';

/** fwupd's preference when checking a downloaded cab: SHA-512 > SHA-256 > SHA-384 > SHA-1. */
const CONTAINER_STRENGTH: Record<ChecksumType, number> = { sha512: 4, sha256: 3, sha384: 2, sha1: 1 };

/** `g_path_get_basename` on Linux: the part after the last '/', ignoring trailing slashes. */
function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return path === '' ? '' : '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function firstOfType(checksums: readonly Checksum[], type: ChecksumType): string | undefined {
  return checksums.find((checksum) => checksum.type === type)?.value;
}

/**
 * What a cab's metainfo says the payload is, as `fu_cabinet_parse_release` reads it: with an
 * `artifact[@type="source"]`, its `filename` (default `firmware.bin`) and checksums (fwupd checks the
 * sha256 if there is one); without, the first `checksum[@target="content"]`'s `@filename` and the content
 * checksums. The name is reduced to its base name (cab members are flat). `installedSize` is the
 * release's `size[@type="installed"]`, which must equal the payload's size.
 */
export function describePayload(release: Release): PayloadDescription {
  const source = release.artifacts.find((artifact) => artifact.type === 'source');
  const checksums = source !== undefined ? source.checksums : release.checksums.filter((c) => c.target === 'content');
  const named = source !== undefined ? source.filename : release.contentFilename;
  const filename = basename(named ?? 'firmware.bin') || 'firmware.bin';
  const description: PayloadDescription = { filename };
  for (const type of ['sha256', 'sha1', 'sha384', 'sha512'] as const) {
    const value = firstOfType(checksums, type);
    if (value !== undefined) description[type] = value;
  }
  if (release.sizes.installed !== undefined) description.installedSize = release.sizes.installed;
  return description;
}

/**
 * Where a catalog release is downloaded from and the container checksums the cab must match, with
 * fwupd's precedence (`fu_release_load`): the first `artifact[@type="binary"]` (skipped entirely when its
 * `filename` does not end in `.cab`), then, for whatever it did not give, `<location>` and
 * `checksum[@target="container"]`, the file name from that checksum's `@filename`.
 */
export function describeDownload(release: Release): DownloadDescription {
  const first = release.artifacts.find((artifact) => artifact.type === 'binary');
  const binary =
    first !== undefined && (first.filename === undefined || first.filename.toLowerCase().endsWith('.cab'))
      ? first
      : undefined;
  const artifactLocations = binary?.locations ?? [];
  const artifactChecksums = binary?.checksums ?? [];
  const containerChecksums = release.checksums.filter((checksum) => checksum.target === 'container');
  const checksums = (artifactChecksums.length > 0 ? artifactChecksums : containerChecksums)
    .map((checksum, index) => ({ checksum, index }))
    .sort((a, b) => CONTAINER_STRENGTH[b.checksum.type] - CONTAINER_STRENGTH[a.checksum.type] || a.index - b.index)
    .map(({ checksum }) => checksum);
  const filename = binary?.filename ?? containerChecksums.find((checksum) => checksum.filename !== undefined)?.filename;
  const downloadSize = binary?.sizes.download ?? release.sizes.download;
  return {
    source:
      binary !== undefined && (artifactLocations.length > 0 || artifactChecksums.length > 0)
        ? 'binary-artifact'
        : 'release',
    locations: artifactLocations.length > 0 ? [...artifactLocations] : [...release.locations],
    checksums,
    ...(filename === undefined ? {} : { filename }),
    ...(downloadSize === undefined ? {} : { downloadSize }),
  };
}

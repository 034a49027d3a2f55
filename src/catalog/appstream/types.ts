/** What the AppStream parser produces: LVFS catalog components and cab metainfo, as fwupd 2.0.20 reads them. */

export type ChecksumType = 'sha1' | 'sha256' | 'sha384' | 'sha512';
export type ChecksumTarget = 'container' | 'content' | 'device' | 'signature';

export interface Checksum {
  type: ChecksumType;
  /** Lower-case hex of exactly the type's length (40, 64, 96 or 128 digits). */
  value: string;
  /** `container`: the .cab file; `content`: the payload inside it; `device`: what the device reports after flashing. */
  target: ChecksumTarget;
  filename?: string;
}

export type CompareOp = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge' | 'glob' | 'regex';

/**
 * One child of `<requires>` (hard), `<suggests>` or `<recommends>` (soft). Every child becomes exactly
 * one requirement: a kind the parser does not know, or a known kind whose content it cannot read, is
 * `unknown` so the planner fails closed instead of skipping it.
 */
export type Requirement =
  | { kind: 'id'; id: string; compare?: CompareOp; version?: string; hard: boolean }
  | {
      kind: 'firmware';
      /** '' = the device itself, 'bootloader', 'vendor-id', 'not-child', or lower-case GUIDs joined by '|'. */
      target: string;
      /** The GUIDs when `target` names other devices (any may match). */
      guids?: string[];
      compare?: CompareOp;
      version?: string;
      /** Parent depth (1 = parent, 0 = sibling, -1 = child). */
      depth?: number;
      hard: boolean;
    }
  | { kind: 'hardware'; guids: string[]; hard: boolean }
  | { kind: 'not-hardware'; guids: string[]; hard: boolean }
  | { kind: 'client'; features: string[]; hard: boolean }
  | {
      kind: 'phased-update';
      attributes: Record<string, string>;
      /** The element text as written (fwupd reads the phasing factor from it). */
      value?: string;
      /** The factor when the text is an integer in fwupd's range 2..1024. */
      factor?: number;
      hard: boolean;
    }
  | {
      kind: 'unknown';
      element: string;
      hard: boolean;
      /** Why a known element was not understood (absent for an element of unknown kind). */
      reason?: string;
    };

export type ArtifactType = 'binary' | 'source';

export interface Artifact {
  /** `binary`: the cab as published (container hashes); `source`: the payload inside the cab (content hashes). */
  type: ArtifactType;
  locations: string[];
  checksums: Checksum[];
  /** `size[@type]` values by type (`installed`, `download`, …). */
  sizes: Record<string, number>;
  filename?: string;
}

export type Urgency = 'low' | 'medium' | 'high' | 'critical';

export interface Release {
  /** As written: dotted, or an integer (decimal or 0x hex) that the caller renders with the device format. */
  version: string;
  /** `version` as a uint32 when it has no dot and is a decimal or 0x integer (see versioning parseVersionInteger). */
  versionRaw?: number;
  timestamp?: number;
  date?: string;
  urgency?: Urgency;
  installDuration?: number;
  id?: string;
  tag?: string;
  priority?: number;
  /** `<location>` elements in document order (fwupd uses the first). */
  locations: string[];
  /** `<checksum>` elements with a value and a known target, in document order. */
  checksums: Checksum[];
  /** `@filename` of the first `checksum[@target="content"]`, with or without a value (names the payload in a cab). */
  contentFilename?: string;
  sizes: { installed?: number; download?: number };
  artifacts: Artifact[];
  /** Release notes as plain text: paragraphs separated by a blank line, list items as "- ". */
  description?: string;
  detailsUrl?: string;
  sourceUrl?: string;
  sbomUrl?: string;
  issues: { type: string; id: string }[];
  /** Line of the `<release>` tag. */
  line: number;
}

export interface Component {
  id: string;
  type: 'firmware';
  name?: string;
  nameVariantSuffix?: string;
  summary?: string;
  description?: string;
  developerName?: string;
  projectLicense?: string;
  metadataLicense?: string;
  homepage?: string;
  categories: string[];
  /** Lower-case GUIDs from `provides/firmware[@type="flashed"]`; other text is hashed to a GUID as fwupd does. */
  provides: string[];
  /** `custom/value[@key]`: every value in document order. */
  custom: Record<string, string[]>;
  /** The last `LVFS::VersionFormat` value that is a known version format id. */
  versionFormat?: string;
  /** The first `LVFS::UpdateProtocol` value (fwupd queries the first). */
  updateProtocol?: string;
  requires: Requirement[];
  branch?: string;
  priority?: number;
  /** In document order (newest first by convention). */
  releases: Release[];
  /** Line of the `<component>` tag. */
  line: number;
}

export interface CatalogSummary {
  /** Firmware components passed to `onComponent`. */
  components: number;
  /** Components of another type (`generic`, …), not parsed. */
  skipped: number;
  origin?: string;
  version?: string;
  /** Catalog-level `components/custom/value[@key]` (e.g. `LVFS::Distributor`). */
  custom: Record<string, string[]>;
}

export interface CatalogOptions {
  /** Called once with the attributes of the `<components>` root, before any component. */
  origin?: (attrs: Record<string, string>) => void;
}

/** What a cab's metainfo says the payload is (jcat-and-signatures.md §7 step 3). */
export interface PayloadDescription {
  /** Base name of the payload member inside the cab. */
  filename: string;
  sha256?: string;
  sha1?: string;
  sha384?: string;
  sha512?: string;
  installedSize?: number;
}

/** Where to download a catalog release and how to check it, with fwupd's precedence. */
export interface DownloadDescription {
  /** `binary-artifact` when an `artifacts/artifact[@type="binary"]` is used, else `release`. */
  source: 'binary-artifact' | 'release';
  locations: string[];
  /** Container checksums, strongest first (SHA-512 > SHA-256 > SHA-384 > SHA-1). */
  checksums: Checksum[];
  filename?: string;
  /** Download (cab) size in bytes when published. */
  downloadSize?: number;
}

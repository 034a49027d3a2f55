/** fwupd's `FwupdVersionFormat` names (`unknown` excluded): one folder under src/versioning/ each. */
export type VersionFormatId =
  | 'plain'
  | 'number'
  | 'pair'
  | 'triplet'
  | 'quad'
  | 'bcd'
  | 'intel-me'
  | 'intel-me2'
  | 'surface-legacy'
  | 'surface'
  | 'dell-bios'
  | 'hex'
  | 'dell-bios-msb'
  | 'intel-csme19';

export interface VersionFormatApi {
  /** Render a raw uint32 (ESRT fw_version) exactly as fwupd 2.0.20 does. */
  fromUint32(raw: number): string;
  /** fwupd's comparison for this format: <0, 0, >0. */
  compare(a: string, b: string): number;
  /** Whether a version string has this format's shape (e.g. quad: four dot-separated 0..255 numbers). */
  isValid(version: string): boolean;
}

export interface VersionFormat {
  id: VersionFormatId;
  displayName: string;
  /** fwupd's `FwupdVersionFormat` number (also the history DB `version_format` column). */
  fwupdEnum: number;
  /** One line: how the uint32 is split. */
  description: string;
  api: VersionFormatApi;
}

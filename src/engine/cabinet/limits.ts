import { CapstanError } from '../../core/errors.js';

/** Safety limits applied while reading a cabinet; exceeding one throws `cab-limit-exceeded`. */
export interface CabinetLimits {
  /** Members (CFFILE entries) per cabinet; fwupd's limit. */
  maxFiles: number;
  /** Folders (CFFOLDER entries) per cabinet; fwupd's limit. */
  maxFolders: number;
  /** Uncompressed size of one member, in bytes. */
  maxFileSize: number;
  /** Sum of the uncompressed sizes of all folders, in bytes. */
  maxTotalUncompressed: number;
  /** Uncompressed / compressed bytes over one folder (sum of cbUncomp / sum of cbData): anti-bomb. */
  maxCompressionRatio: number;
}

export const DEFAULT_CABINET_LIMITS: Readonly<CabinetLimits> = Object.freeze({
  maxFiles: 1024,
  maxFolders: 64,
  maxFileSize: 512 * 1024 * 1024,
  maxTotalUncompressed: 1024 * 1024 * 1024,
  maxCompressionRatio: 1000,
});

/** Fills in defaults and checks the caller's values (a bad limit is a programming error). */
export function resolveCabinetLimits(limits: Partial<CabinetLimits> = {}): CabinetLimits {
  const resolved: CabinetLimits = { ...DEFAULT_CABINET_LIMITS };
  for (const key of Object.keys(DEFAULT_CABINET_LIMITS) as (keyof CabinetLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new CapstanError('internal', `cabinet limit ${key} must be a non-negative number, got ${String(value)}`, {
        hint: 'this is a bug in capstan; please report it',
      });
    }
    resolved[key] = value;
  }
  return resolved;
}

import type { Problem } from '../core/problem.js';

/** The numeric ESRT entry fields, named as in the UEFI spec (camel-cased). */
export const NUMERIC_FIELDS = [
  'fwType',
  'fwVersion',
  'lowestSupportedFwVersion',
  'capsuleFlags',
  'lastAttemptVersion',
  'lastAttemptStatus',
] as const;
export type NumericField = (typeof NUMERIC_FIELDS)[number];
export type EntryField = 'fwClass' | NumericField;

/** sysfs file name for each field. */
export const SYSFS_FILE: Record<EntryField, string> = {
  fwClass: 'fw_class',
  fwType: 'fw_type',
  fwVersion: 'fw_version',
  lowestSupportedFwVersion: 'lowest_supported_fw_version',
  capsuleFlags: 'capsule_flags',
  lastAttemptVersion: 'last_attempt_version',
  lastAttemptStatus: 'last_attempt_status',
};

/** A complete, well-formed entry record (what a raw dump always yields). */
export interface EsrtEntryRecord {
  fwClass: string;
  fwType: number;
  fwVersion: number;
  lowestSupportedFwVersion: number;
  capsuleFlags: number;
  lastAttemptVersion: number;
  lastAttemptStatus: number;
}

export interface FieldFault {
  field: EntryField | 'fwResourceCount' | 'fwResourceCountMax' | 'fwResourceVersion';
  kind: 'missing' | 'unparseable';
  /** The raw text as read, for the message. */
  raw?: string;
}

/** One entry as read: fields that parsed, plus what did not. */
export interface RawEsrtEntry {
  /** `entry0` ... as in sysfs (a dump uses the same names). */
  name: string;
  index: number;
  fwClassText?: string;
  values: Partial<Record<NumericField, number>>;
  faults: FieldFault[];
}

export type EsrtSourceDescription = { kind: 'sysfs'; path: string } | { kind: 'file'; path: string; bytes: number };

/** A table as read from sysfs or a dump, before any trust decision. */
export interface RawEsrtTable {
  source: EsrtSourceDescription;
  fwResourceCount?: number;
  fwResourceCountMax?: number;
  fwResourceVersion?: bigint;
  headerFaults: FieldFault[];
  /** Names of the entry directories found (sysfs), or generated for a dump. */
  entryNames: string[];
  entries: RawEsrtEntry[];
  /** Problems found while reading (e.g. trailing bytes in a dump). */
  readProblems: Problem[];
}

export type EsrtStatus = 'trusted' | 'trusted-with-warnings' | 'hidden' | 'absent';

/** Fields whose value is not trusted are null; the raw value read is kept in `untrusted`. */
export interface EsrtEntry {
  name: string;
  index: number;
  fwClass: string;
  fwType: number | null;
  fwVersion: number | null;
  lowestSupportedFwVersion: number | null;
  capsuleFlags: number | null;
  lastAttemptVersion: number | null;
  lastAttemptStatus: number | null;
  /** Raw values that were read but must not be used (e.g. the Xen copy bug's garbage tail). */
  untrusted: Partial<Record<NumericField, number>>;
  /** False when the entry failed a check: it is shown, never planned or staged. */
  usable: boolean;
  problems: Problem[];
}

export interface EsrtVerdict {
  status: EsrtStatus;
  source: EsrtSourceDescription | null;
  /** Table-level findings: why it is hidden or absent, and warnings about it. */
  problems: Problem[];
  /** Empty when hidden or absent. */
  entries: EsrtEntry[];
}

/** What the platform adapter decides about a table before the generic checks. */
export interface EsrtPolicy {
  /** Hide the whole table with this reason (e.g. memory possibly reused by an old Xen). */
  hideTable?: Problem;
  /** The last entry's tail (lowest version, flags, last attempt) is unreliable: why. */
  lastEntryTailUnreliable?: Problem;
  /** Informational table-level notes (never change the verdict). */
  notes: Problem[];
}

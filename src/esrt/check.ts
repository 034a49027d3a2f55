import { type Problem, problem } from '../core/problem.js';
import { tryNormalizeGuid } from '../efi/guid.js';
import {
  CAPSULE_FLAGS_RESERVED_MASK,
  ESRT_MAX_ENTRIES,
  FW_TYPE_NAMES,
  FW_TYPE_SYSTEM,
  isValidLastAttemptStatus,
} from './tables.js';
import {
  type EsrtEntry,
  type EsrtPolicy,
  type EsrtVerdict,
  type FieldFault,
  type NumericField,
  type RawEsrtEntry,
  type RawEsrtTable,
  SYSFS_FILE,
} from './types.js';

/** The fields the Xen 4.17.1-4.21.0 copy bug leaves as garbage in the last entry. */
export const XEN_TAIL_FIELDS: readonly NumericField[] = [
  'lowestSupportedFwVersion',
  'capsuleFlags',
  'lastAttemptVersion',
  'lastAttemptStatus',
];

const HIDE_HINT = 'do not update firmware from this table; update the firmware or kernel that produced it';

/**
 * Decides whether a table read from sysfs or a dump can be trusted (xen-and-esrt.md §5). Pure:
 * table checks hide the whole table, entry checks flag the entry, the platform's policy adds the
 * Xen rules.
 */
export function checkEsrt(table: RawEsrtTable, policy: EsrtPolicy): EsrtVerdict {
  const tableProblems: Problem[] = [...table.readProblems];
  tableProblems.push(...checkHeader(table));

  const count = table.fwResourceCount;
  const lastIndex = count === undefined ? -1 : count - 1;
  const entries = table.entries.map((raw) =>
    checkEntry(raw, raw.index === lastIndex ? policy.lastEntryTailUnreliable : undefined),
  );

  tableProblems.push(...checkEntrySet(table, entries));

  for (const entry of entries) {
    if (entry.fwType === FW_TYPE_SYSTEM && !entry.usable) {
      tableProblems.push(
        problem(
          'esrt-system-entry-invalid',
          'error',
          `the system firmware entry ${entry.name} is malformed (${entry.problems
            .filter((p) => p.severity === 'error')
            .map((p) => p.code)
            .join(', ')})`,
          HIDE_HINT,
        ),
      );
    }
  }
  if (policy.hideTable !== undefined) tableProblems.push(policy.hideTable);
  tableProblems.push(...policy.notes);

  const hidden = tableProblems.some((p) => p.severity === 'error');
  if (hidden) {
    return { status: 'hidden', source: table.source, problems: tableProblems, entries: [] };
  }
  const warned =
    tableProblems.some((p) => p.severity === 'warning') ||
    entries.some((e) => e.problems.some((p) => p.severity !== 'info'));
  return {
    status: warned ? 'trusted-with-warnings' : 'trusted',
    source: table.source,
    problems: tableProblems,
    entries,
  };
}

function checkHeader(table: RawEsrtTable): Problem[] {
  const found: Problem[] = table.headerFaults.map((fault) =>
    problem(
      'esrt-field-unparseable',
      'error',
      fault.kind === 'missing'
        ? `ESRT header field ${headerFile(fault.field)} is missing`
        : `ESRT header field ${headerFile(fault.field)} is not a number: ${JSON.stringify(fault.raw)}`,
      HIDE_HINT,
    ),
  );
  const { fwResourceVersion: version, fwResourceCount: count, fwResourceCountMax: max } = table;
  if (version !== undefined && version !== 1n) {
    found.push(
      problem(
        'esrt-version-unsupported',
        'error',
        `ESRT fw_resource_version is ${version}, only version 1 is defined`,
        HIDE_HINT,
      ),
    );
  }
  if (count !== undefined && (count < 1 || count > ESRT_MAX_ENTRIES)) {
    found.push(
      problem(
        'esrt-count-invalid',
        'error',
        `ESRT fw_resource_count is ${count}, expected 1 to ${ESRT_MAX_ENTRIES}`,
        HIDE_HINT,
      ),
    );
  }
  if (count !== undefined && max !== undefined && count > max) {
    found.push(
      problem(
        'esrt-count-exceeds-max',
        'error',
        `ESRT fw_resource_count ${count} is greater than fw_resource_count_max ${max}`,
        HIDE_HINT,
      ),
    );
  }
  return found;
}

function checkEntrySet(table: RawEsrtTable, entries: EsrtEntry[]): Problem[] {
  const found: Problem[] = [];
  const count = table.fwResourceCount;
  // With an unknown table version the entry layout means nothing, so only the version is reported.
  const layoutKnown = table.fwResourceVersion === 1n;
  if (layoutKnown && count !== undefined && count >= 1 && count <= ESRT_MAX_ENTRIES) {
    const expected = new Set(Array.from({ length: count }, (_, i) => `entry${i}`));
    const present = new Set(table.entryNames);
    const missing = [...expected].filter((name) => !present.has(name));
    const unexpected = [...present].filter((name) => !expected.has(name) && name !== '.keep');
    if (missing.length > 0 || unexpected.length > 0) {
      const parts = [
        missing.length > 0 ? `missing ${listNames(missing)}` : '',
        unexpected.length > 0 ? `unexpected ${listNames(unexpected)}` : '',
      ].filter((part) => part !== '');
      found.push(
        problem(
          'esrt-entries-mismatch',
          'error',
          `ESRT fw_resource_count is ${count} but the entries are not entry0..entry${count - 1}: ${parts.join('; ')}`,
          HIDE_HINT,
        ),
      );
    }
  }
  const seen = new Map<string, string>();
  for (const entry of entries) {
    const key = entry.fwClass.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      found.push(
        problem(
          'esrt-duplicate-fw-class',
          'error',
          `ESRT entries ${first} and ${entry.name} have the same fw_class ${entry.fwClass}`,
          HIDE_HINT,
        ),
      );
    } else {
      seen.set(key, entry.name);
    }
  }
  return found;
}

function checkEntry(raw: RawEsrtEntry, tailUnreliable: Problem | undefined): EsrtEntry {
  const problems: Problem[] = raw.faults.map((fault) => faultProblem(raw.name, fault));
  const values = { ...raw.values };
  const untrusted: Partial<Record<NumericField, number>> = {};
  if (tailUnreliable !== undefined) {
    for (const field of XEN_TAIL_FIELDS) {
      const value = values[field];
      if (value !== undefined) untrusted[field] = value;
      delete values[field];
    }
    problems.push(tailUnreliable);
  }

  const normalGuid = raw.fwClassText === undefined ? undefined : tryNormalizeGuid(raw.fwClassText);
  if (raw.fwClassText !== undefined && normalGuid === undefined) {
    problems.push(
      problem(
        'entry-fw-class-invalid',
        'error',
        `${raw.name}: fw_class ${JSON.stringify(raw.fwClassText)} is not a GUID`,
        'this entry cannot be matched to firmware; report it to the machine vendor',
      ),
    );
  }
  const { fwType, capsuleFlags, lastAttemptStatus, fwVersion, lowestSupportedFwVersion } = values;
  if (fwType !== undefined && fwType >= FW_TYPE_NAMES.length) {
    problems.push(
      problem(
        'entry-fw-type-invalid',
        'error',
        `${raw.name}: fw_type ${fwType} is not 0 (unknown), 1 (system), 2 (device) or 3 (UEFI driver)`,
        'this entry is ignored; report it to the machine vendor',
      ),
    );
  }
  if (capsuleFlags !== undefined && (capsuleFlags & CAPSULE_FLAGS_RESERVED_MASK) >>> 0 !== 0) {
    problems.push(
      problem(
        'entry-capsule-flags-reserved',
        'error',
        `${raw.name}: capsule_flags 0x${capsuleFlags.toString(16)} sets reserved bits 19-31`,
        'the entry is likely garbage; on Xen check the hypervisor version, otherwise report it to the vendor',
      ),
    );
  }
  if (lastAttemptStatus !== undefined && !isValidLastAttemptStatus(lastAttemptStatus)) {
    problems.push(
      problem(
        'entry-last-attempt-status-invalid',
        'error',
        `${raw.name}: last_attempt_status ${lastAttemptStatus} is neither 0-8 nor in the vendor range 0x1000-0x4000`,
        'the entry is likely garbage; report it to the machine vendor',
      ),
    );
  }
  if (fwVersion !== undefined && lowestSupportedFwVersion !== undefined && lowestSupportedFwVersion > fwVersion) {
    problems.push(
      problem(
        'entry-lowest-above-current',
        'warning',
        `${raw.name}: lowest_supported_fw_version ${lowestSupportedFwVersion} is above fw_version ${fwVersion}`,
        'some firmware reports this; capstan still treats the lowest supported version as a hard floor',
      ),
    );
  }

  const usable = !problems.some((p) => p.severity === 'error');
  return {
    name: raw.name,
    index: raw.index,
    fwClass: normalGuid ?? raw.fwClassText ?? '',
    fwType: fwType ?? null,
    fwVersion: fwVersion ?? null,
    lowestSupportedFwVersion: lowestSupportedFwVersion ?? null,
    capsuleFlags: capsuleFlags ?? null,
    lastAttemptVersion: values.lastAttemptVersion ?? null,
    lastAttemptStatus: lastAttemptStatus ?? null,
    untrusted,
    usable,
    problems,
  };
}

function faultProblem(entryName: string, fault: FieldFault): Problem {
  const file = fault.field in SYSFS_FILE ? SYSFS_FILE[fault.field as keyof typeof SYSFS_FILE] : fault.field;
  if (fault.kind === 'missing') {
    return problem(
      'entry-file-missing',
      'error',
      `${entryName}: ${file} is missing`,
      'the ESRT in sysfs is incomplete; check the kernel log for esrt errors',
    );
  }
  return problem(
    'entry-field-unparseable',
    'error',
    `${entryName}: ${file} is not a number: ${JSON.stringify(fault.raw)}`,
    'the entry is likely garbage; report it to the machine vendor',
  );
}

function headerFile(field: FieldFault['field']): string {
  switch (field) {
    case 'fwResourceCount':
      return 'fw_resource_count';
    case 'fwResourceCountMax':
      return 'fw_resource_count_max';
    case 'fwResourceVersion':
      return 'fw_resource_version';
    default:
      return SYSFS_FILE[field];
  }
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

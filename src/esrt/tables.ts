/** Names for the ESRT's coded fields (UEFI 2.10 §23.4; values checked against Linux's ABI text). */

export const FW_TYPE_NAMES = ['unknown', 'system-firmware', 'device-firmware', 'uefi-driver'] as const;
export type FwTypeName = (typeof FW_TYPE_NAMES)[number];

export const FW_TYPE_SYSTEM = 1;

export function nameFwType(fwType: number): FwTypeName | undefined {
  return FW_TYPE_NAMES[fwType];
}

/** last_attempt_status 0..8; 0x1000..0x4000 is the vendor range. */
const LAST_ATTEMPT_STATUS_NAMES = [
  'success',
  'unsuccessful',
  'insufficient-resources',
  'incorrect-version',
  'invalid-format',
  'auth-error',
  'power-event-ac',
  'power-event-battery',
  'unsatisfied-dependencies',
] as const;

export const LAST_ATTEMPT_STATUS_VENDOR_MIN = 0x1000;
export const LAST_ATTEMPT_STATUS_VENDOR_MAX = 0x4000;

export function isValidLastAttemptStatus(status: number): boolean {
  return (
    (status >= 0 && status < LAST_ATTEMPT_STATUS_NAMES.length) ||
    (status >= LAST_ATTEMPT_STATUS_VENDOR_MIN && status <= LAST_ATTEMPT_STATUS_VENDOR_MAX)
  );
}

export function nameLastAttemptStatus(status: number): string | undefined {
  const name = LAST_ATTEMPT_STATUS_NAMES[status];
  if (name !== undefined) return name;
  if (status >= LAST_ATTEMPT_STATUS_VENDOR_MIN && status <= LAST_ATTEMPT_STATUS_VENDOR_MAX) {
    return `vendor-0x${status.toString(16)}`;
  }
  return undefined;
}

/** capsule_flags: low 16 bits GUID-specific, 0x10000/0x20000/0x40000 defined, bits 19-31 reserved. */
export const CAPSULE_FLAGS_RESERVED_MASK = 0xfff80000;
export const CAPSULE_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [0x10000, 'persist-across-reset'],
  [0x20000, 'populate-system-table'],
  [0x40000, 'initiate-reset'],
];

/** Linux's arbitrary limit on fw_resource_count (drivers/firmware/efi/esrt.c). */
export const ESRT_MAX_ENTRIES = 128;
export const ESRT_HEADER_SIZE = 16;
export const ESRT_ENTRY_SIZE = 40;

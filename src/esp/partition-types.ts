/** GPT partition type GUIDs that matter when looking for the ESP (lower-case canonical). */
export const ESP_PARTITION_TYPE = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
/** The MBR partition type byte fwupd also accepts for an ESP; capstan does not (see readme.md). */
export const ESP_MBR_PARTITION_TYPE = 0xef;

const KNOWN_TYPES: Record<string, string> = {
  [ESP_PARTITION_TYPE]: 'EFI System',
  'bc13c2ff-59e6-4262-a352-b275fd6f7172': 'XBOOTLDR (extended boot loader)',
  'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7': 'Microsoft basic data',
  '0fc63daf-8483-4772-8e79-3d69d8477de4': 'Linux filesystem data',
  '21686148-6449-6e6f-744e-656564454649': 'BIOS boot',
  '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f': 'Linux swap',
  'e6d6d379-f507-44c2-a23c-238f2a3df928': 'Linux LVM',
  'a19d880f-05fc-4d3b-a006-743f0f84911e': 'Linux RAID',
};

/** `c12a7328-… (EFI System)`, or the bare GUID for a type without a well-known name. */
export function describePartitionType(type: string): string {
  const name = KNOWN_TYPES[type];
  return name === undefined ? type : `${type} (${name})`;
}

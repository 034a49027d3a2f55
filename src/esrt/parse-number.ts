/**
 * sysfs ESRT numbers: decimal (`%u`) except capsule_flags (`0x%x`). Like fwupd, either base is
 * accepted for every field; anything else (signs, junk, overflow) is refused.
 */
const NUMBER_TEXT = /^(?:0[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}))$/;

export function parseSysfsNumber(text: string, max: bigint): bigint | undefined {
  const trimmed = text.replace(/\n$/, '').trim();
  const match = NUMBER_TEXT.exec(trimmed);
  if (match === null) return undefined;
  const value = match[1] !== undefined ? BigInt(`0x${match[1]}`) : BigInt(match[2] ?? '');
  return value <= max ? value : undefined;
}

export const U32_MAX = 0xffffffffn;
export const U64_MAX = 0xffffffffffffffffn;

export function parseSysfsU32(text: string): number | undefined {
  const value = parseSysfsNumber(text, U32_MAX);
  return value === undefined ? undefined : Number(value);
}

import { compareHexVersions, defineVersionFormat, formatHex32, isHex32Text } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'hex',
  displayName: 'Hexadecimal',
  fwupdEnum: 12,
  description: 'the whole uint32 as 0x and eight lower-case hex digits (0x%08x)',
  fromUint32: formatHex32,
  isValid: isHex32Text,
  compare: compareHexVersions,
});

import { compareBytewise, defineVersionFormat, formatDecimal32 } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'plain',
  displayName: 'Plain text',
  fwupdEnum: 1,
  description: 'the whole uint32 in decimal (%u), compared as text',
  fromUint32: formatDecimal32,
  // fwupd does not check the shape of plain versions
  isValid: (version) => version.length > 0,
  compare: compareBytewise,
});

import { defineBcdByte, defineDottedFields, defineVersionFormat } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'bcd',
  displayName: 'BCD',
  fwupdEnum: 6,
  description: 'the four bytes, most significant first, each read as two BCD digits',
  ...defineDottedFields([defineBcdByte(24), defineBcdByte(16), defineBcdByte(8), defineBcdByte(0)]),
});

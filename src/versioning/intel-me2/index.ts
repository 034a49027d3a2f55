import { defineBitField, defineDottedFields, defineVersionFormat } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'intel-me2',
  displayName: 'Intel ME (second layout)',
  fwupdEnum: 8,
  description: 'A.B.CC.DDDD: bits 31-28, 27-24, 23-16, 15-0',
  ...defineDottedFields([defineBitField(28, 4), defineBitField(24, 4), defineBitField(16, 8), defineBitField(0, 16)]),
});

import { defineBitField, defineDottedFields, defineVersionFormat } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'quad',
  displayName: 'Quad',
  fwupdEnum: 5,
  description: 'AA.BB.CC.DD: the four bytes, most significant first',
  ...defineDottedFields([defineBitField(24, 8), defineBitField(16, 8), defineBitField(8, 8), defineBitField(0, 8)]),
});

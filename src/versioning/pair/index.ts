import { defineBitField, defineDottedFields, defineVersionFormat } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'pair',
  displayName: 'Pair',
  fwupdEnum: 3,
  description: 'AABB.CCDD: bits 31-16, 15-0',
  ...defineDottedFields([defineBitField(16, 16), defineBitField(0, 16)]),
});

import { defineBitField, defineDottedFields, defineVersionFormat } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'triplet',
  displayName: 'Triplet',
  fwupdEnum: 4,
  description: 'AA.BB.CCDD: bits 31-24, 23-16, 15-0',
  ...defineDottedFields([defineBitField(24, 8), defineBitField(16, 8), defineBitField(0, 16)]),
});

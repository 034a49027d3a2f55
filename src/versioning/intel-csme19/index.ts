import { defineBitField, defineDottedFields, defineVersionFormat } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'intel-csme19',
  displayName: 'Intel CSME 19',
  fwupdEnum: 14,
  description: 'bits 31-29 plus 19, 28-24, 23-16, 15-0',
  ...defineDottedFields([
    defineBitField(29, 3, 19),
    defineBitField(24, 5),
    defineBitField(16, 8),
    defineBitField(0, 16),
  ]),
});

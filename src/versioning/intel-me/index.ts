import { defineBitField, defineDottedFields, defineVersionFormat } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'intel-me',
  displayName: 'Intel ME',
  fwupdEnum: 7,
  description: 'bits 31-29 plus 11, 28-24, 23-16, 15-0',
  ...defineDottedFields([
    defineBitField(29, 3, 11),
    defineBitField(24, 5),
    defineBitField(16, 8),
    defineBitField(0, 16),
  ]),
});

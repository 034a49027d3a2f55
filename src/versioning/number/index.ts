import { defineBitField, defineDottedFields, defineVersionFormat } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'number',
  displayName: 'Number',
  fwupdEnum: 2,
  description: 'the whole uint32 in decimal (%u)',
  ...defineDottedFields([defineBitField(0, 32)]),
});

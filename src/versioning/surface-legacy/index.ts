import { defineBitField, defineDottedFields, defineVersionFormat } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'surface-legacy',
  displayName: 'Microsoft Surface (legacy)',
  fwupdEnum: 9,
  description: '10b.12b.10b: bits 31-22, 21-10, 9-0',
  ...defineDottedFields([defineBitField(22, 10), defineBitField(10, 12), defineBitField(0, 10)]),
});

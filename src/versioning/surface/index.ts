import { defineBitField, defineDottedFields, defineVersionFormat } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'surface',
  displayName: 'Microsoft Surface',
  fwupdEnum: 10,
  description: '8b.16b.8b: bits 31-24, 23-8, 7-0',
  ...defineDottedFields([defineBitField(24, 8), defineBitField(8, 16), defineBitField(0, 8)]),
});

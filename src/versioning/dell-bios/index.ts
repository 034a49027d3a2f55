import { defineBitField, defineDottedFields, defineVersionFormat } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'dell-bios',
  displayName: 'Dell BIOS',
  fwupdEnum: 11,
  description: 'BB.CC.DD: bits 23-16, 15-8, 7-0 (the top byte is not shown)',
  ...defineDottedFields([defineBitField(16, 8), defineBitField(8, 8), defineBitField(0, 8)]),
});

import { defineBitField, defineDottedFields, defineVersionFormat } from '../common.js';
import type { VersionFormat } from '../types.js';

export const format: VersionFormat = defineVersionFormat({
  id: 'dell-bios-msb',
  displayName: 'Dell BIOS (most significant bytes)',
  fwupdEnum: 13,
  description: 'AA.BB.CC: bits 31-24, 23-16, 15-8 (the low byte is not shown)',
  ...defineDottedFields([defineBitField(24, 8), defineBitField(16, 8), defineBitField(8, 8)]),
});

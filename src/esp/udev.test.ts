import { describe, expect, it } from 'vitest';
import { makeRoot } from '../../test/helpers/make-root.js';
import { createContext } from '../core/context.js';
import { parseUdevRecord, tryReadUdevRecord } from './udev.js';

const RECORD = [
  'S:disk/by-partuuid/4d2f3b6a-8c1e-4f0a-9b7d-2e5c6a1f0b93',
  'S:disk/by-uuid/1A2B-3C4D',
  'I:5310245',
  'E:ID_FS_TYPE=vfat',
  'E:ID_PART_ENTRY_NAME=EFI\\x20System\\x20Partition',
  'E:ID_PART_ENTRY_UUID=4d2f3b6a-8c1e-4f0a-9b7d-2e5c6a1f0b93',
  'E:ID_PART_ENTRY_TYPE=c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  'E:ID_PART_ENTRY_NUMBER=1',
  'E:WITH_EQUALS=a=b',
  'G:systemd',
  'Q:systemd',
  'V:1',
  'garbage',
  'E:=no-key',
  '',
].join('\n');

describe('udev database records', () => {
  it('parses E: properties and S: symlinks, ignoring other lines', () => {
    const record = parseUdevRecord(RECORD);
    expect(record.properties).toEqual({
      ID_FS_TYPE: 'vfat',
      ID_PART_ENTRY_NAME: 'EFI\\x20System\\x20Partition',
      ID_PART_ENTRY_UUID: '4d2f3b6a-8c1e-4f0a-9b7d-2e5c6a1f0b93',
      ID_PART_ENTRY_TYPE: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
      ID_PART_ENTRY_NUMBER: '1',
      WITH_EQUALS: 'a=b',
    });
    expect(record.symlinks).toEqual([
      'disk/by-partuuid/4d2f3b6a-8c1e-4f0a-9b7d-2e5c6a1f0b93',
      'disk/by-uuid/1A2B-3C4D',
    ]);
  });

  it('reads run/udev/data/b<MAJ:MIN> under the root, undefined when absent', () => {
    const root = makeRoot({ 'run/udev/data/b259:1': RECORD });
    const ctx = createContext({ root });
    expect(tryReadUdevRecord(ctx, '259:1')?.properties.ID_PART_ENTRY_NUMBER).toBe('1');
    expect(tryReadUdevRecord(ctx, '259:2')).toBeUndefined();
  });
});

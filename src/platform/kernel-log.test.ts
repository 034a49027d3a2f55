import { describe, expect, it } from 'vitest';
import { makeRoot } from '../../test/helpers/make-root.js';
import { createContext } from '../core/context.js';
import { PathStore } from '../core/paths.js';
import { findEsrtLogFacts, readKernelLog } from './kernel-log.js';

describe('kernel log', () => {
  it('reads /dev/kmsg records and plain dmesg lines from a fixture file', () => {
    const root = makeRoot({
      'dev/kmsg':
        '6,1233,567800,-;efi: EFI v2.7 by EDK II\n' +
        ' SUBSYSTEM=acpi\n' +
        '6,1234,567890,-;efi: SMBIOS=0x5f520000 ACPI=0x5f77d000 ESRT=0x5f772018\n' +
        '[    0.123456] esrt: Reserving ESRT space from 0x5f772018 to 0x5f772078.\n',
    });
    const log = readKernelLog(createContext({ root }));
    expect(log).toEqual([
      'efi: EFI v2.7 by EDK II',
      'efi: SMBIOS=0x5f520000 ACPI=0x5f77d000 ESRT=0x5f772018',
      'esrt: Reserving ESRT space from 0x5f772018 to 0x5f772078.',
    ]);
    expect(findEsrtLogFacts(log ?? [])).toEqual({ published: true, droppedUnderXen: false, rejectedBy: undefined });
  });

  it('is undefined when there is no log', () => {
    expect(readKernelLog(createContext({ root: makeRoot({ 'proc/.keep': '' }) }))).toBeUndefined();
  });

  it.each([
    ['efi: ACPI=0x5f77d000 (ESRT=0x5df72b98 unusable)', true],
    ['efi: ESRT=0x5df72b98) may have been clobbered by Xen', true],
    ['efi: ESRT=0x5f772018', false],
  ])('recognises Xen dropping the table: %s', (line, dropped) => {
    expect(findEsrtLogFacts([line]).droppedUnderXen).toBe(dropped);
  });

  it('keeps esrt.c\u2019s own words when it rejects the table', () => {
    const facts = findEsrtLogFacts(['efi: ESRT=0x6a5f0018', 'esrt: ESRT header is not in the memory map.']);
    expect(facts).toEqual({
      published: true,
      droppedUnderXen: false,
      rejectedBy: 'esrt: ESRT header is not in the memory map.',
    });
  });

  it('reads a real character device without blocking', () => {
    // /dev/null under the host root is a character device that reads as empty
    class DevNullPaths extends PathStore {
      override resolve(): string {
        return '/dev/null';
      }
    }
    const messages = readKernelLog({ ...createContext({ root: '/' }), paths: new DevNullPaths('/') });
    expect(messages).toEqual([]);
  });
});

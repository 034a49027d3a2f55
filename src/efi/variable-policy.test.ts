import { describe, expect, it } from 'vitest';
import { BOOT_ENTRY_152, fromHex } from '../../test/catalogs/efi/reference-bytes.js';
import { EFI_GLOBAL_VARIABLE_GUID, FWUPDATE_GUID, LINUX_EFI_CRASH_GUID, LINUX_EFI_RANDOM_SEED_GUID } from './guid.js';
import { isKernelWhitelisted, validateKernelVariable } from './variable-policy.js';

const G = EFI_GLOBAL_VARIABLE_GUID;

describe("the kernel's efivarfs whitelist", () => {
  it('leaves boot-manager variables mutable and makes everything else immutable', () => {
    for (const name of ['BootNext', 'BootOrder', 'Boot0002', 'BootCurrent', 'Driver0001', 'OsIndications', 'Timeout']) {
      expect(isKernelWhitelisted(G, name), name).toBe(true);
    }
    for (const name of ['SecureBoot', 'OsIndicationsSupported', 'PK', 'db']) {
      expect(isKernelWhitelisted(G, name), name).toBe(false);
    }
    expect(isKernelWhitelisted(FWUPDATE_GUID, 'fwupd-ddc0ee61-e7f0-4e7d-acc5-c070a398838e-0')).toBe(false);
    expect(isKernelWhitelisted(FWUPDATE_GUID, 'FWUPDATE_VERBOSE')).toBe(false);
    expect(isKernelWhitelisted(LINUX_EFI_CRASH_GUID, 'dump-type0-1-1')).toBe(true);
  });
});

describe("the kernel's write validation", () => {
  it('BootNext and Timeout are exactly 2 bytes; BootOrder is even', () => {
    expect(validateKernelVariable(G, 'BootNext', fromHex('02 00'))).toBeUndefined();
    expect(validateKernelVariable(G, 'BootNext', fromHex('02 00 00'))).toMatch(/exactly 2 bytes/);
    expect(validateKernelVariable(G, 'Timeout', fromHex('05'))).toMatch(/exactly 2 bytes/);
    expect(validateKernelVariable(G, 'BootOrder', fromHex('01 00 02 00'))).toBeUndefined();
    expect(validateKernelVariable(G, 'BootOrder', fromHex('01 00 02'))).toMatch(/odd/);
    expect(validateKernelVariable(G, 'DriverOrder', fromHex('01'))).toMatch(/odd/);
  });

  it('Boot#### must be a load option; other Boot* names are not checked', () => {
    expect(validateKernelVariable(G, 'Boot0002', BOOT_ENTRY_152)).toBeUndefined();
    expect(validateKernelVariable(G, 'Boot000a', BOOT_ENTRY_152)).toBeUndefined();
    expect(validateKernelVariable(G, 'Boot0002', BOOT_ENTRY_152.subarray(0, 7))).toMatch(/at least 8/);
    expect(validateKernelVariable(G, 'Boot0002', BOOT_ENTRY_152.subarray(0, 100))).toMatch(/do not fit/);
    const noEnd = BOOT_ENTRY_152.slice();
    noEnd[0x94] = 0x01;
    expect(validateKernelVariable(G, 'Boot0002', noEnd)).toMatch(/end node/);
    expect(validateKernelVariable(G, 'Boot00020', BOOT_ENTRY_152)).toMatch(/followed by more/);
    expect(validateKernelVariable(G, 'BootCurrent', fromHex('01 00 00'))).toBeUndefined();
    expect(validateKernelVariable(G, 'BootOptionSupport', fromHex('01'))).toBeUndefined();
    // The kernel stops at the first End-of-entire (type 0x7f or 0xff), not at FilePathListLength.
    const early = BOOT_ENTRY_152.slice();
    early[0x34] = 0x7f;
    early[0x35] = 0xff;
    expect(validateKernelVariable(G, 'Boot0002', early)).toBeUndefined();
  });

  it('console device paths, language strings, attributes and the random seed GUID', () => {
    expect(validateKernelVariable(G, 'ConOut', fromHex('7f ff 04 00'))).toBeUndefined();
    expect(validateKernelVariable(G, 'ConOut', fromHex('01 01 04 00'))).toMatch(/end node/);
    expect(validateKernelVariable(G, 'ConIn', fromHex('7f'))).toMatch(/shorter/);
    expect(validateKernelVariable(G, 'PlatformLang', fromHex('65 6e 00'))).toBeUndefined();
    expect(validateKernelVariable(G, 'Lang', fromHex('65 6e'))).toMatch(/NUL-terminated/);
    expect(validateKernelVariable(G, 'Lang', fromHex('e9 00'))).toMatch(/ASCII/);
    expect(validateKernelVariable(G, 'OsIndications', fromHex('04'))).toBeUndefined();
    expect(validateKernelVariable(FWUPDATE_GUID, 'X', fromHex('00'), 0x80)).toMatch(/outside 0x7f/);
    expect(validateKernelVariable(LINUX_EFI_RANDOM_SEED_GUID, 'X', fromHex('00'))).toMatch(/random seed/);
    expect(validateKernelVariable(FWUPDATE_GUID, 'anything', new Uint8Array(1))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import {
  FWUPD_LEGACY_BOOT_DESCRIPTION,
  formatBootOrder,
  type PlannedWrite,
  parseLoadOption,
  type StageInput,
} from '../../src/plugin-api.js';
import { BOOT_ENTRY_152 } from '../../test/catalogs/efi/reference-bytes.js';
import { expectUpdateInfosAccepted } from '../../test/catalogs/staging/method-contract.js';
import {
  globalRecord,
  loadOption,
  makeVariables,
  REFERENCE_GEOMETRY,
  referenceInput,
} from '../../test/catalogs/staging/reference-input.js';
import { buildFwupdLoadOption, planBootEntry, planBootOrder, planNvramWrites as planRaw } from './index.js';

/** Every plan in these tests also passes fwupd-efi 1.4's acceptance rule on its update info. */
function planNvramWrites(input: StageInput): PlannedWrite[] {
  const writes = planRaw(input);
  expect(expectUpdateInfosAccepted(writes)).toBe(1);
  return writes;
}

const OPTION = buildFwupdLoadOption({
  geometry: REFERENCE_GEOMETRY,
  loader: 'EFI/debian/fwupdx64.efi',
  viaShim: false,
  legacyDescription: false,
});

const names = (writes: readonly PlannedWrite[]): string[] =>
  writes.flatMap((w) => (w.kind === 'efivar' || w.kind === 'efivar-delete' ? [w.name] : []));
const bootNext = (writes: readonly PlannedWrite[]): number | undefined => {
  const write = writes.find((w) => w.kind === 'efivar' && w.name === 'BootNext');
  return write?.kind === 'efivar' ? new DataView(write.data.buffer).getUint16(0, true) : undefined;
};

describe('planBootEntry: which Boot#### (§7)', () => {
  it('Boot0000 and Boot0001 present: a new entry at Boot0002', () => {
    expect(planBootEntry(makeVariables(), OPTION)).toMatchObject({ action: 'create', index: 2, name: 'Boot0002' });
  });

  it('reuses an identical "Linux Firmware Updater" Boot0003 without rewriting it', () => {
    const variables = makeVariables({ Boot0003: globalRecord(BOOT_ENTRY_152) });
    expect(planBootEntry(variables, OPTION)).toMatchObject({ action: 'reuse', index: 3 });
    const writes = planNvramWrites(referenceInput({ vars: { Boot0003: globalRecord(BOOT_ENTRY_152) } }));
    expect(names(writes)).not.toContain('Boot0003');
    expect(bootNext(writes)).toBe(3);
    expect(writes.at(-1)?.reason).toContain('unchanged');
  });

  it('rewrites a different "Linux Firmware Updater" Boot0003 in place', () => {
    const old = loadOption('Linux Firmware Updater', '\\EFI\\ubuntu\\fwupdx64.efi');
    const plan = planBootEntry(makeVariables({ Boot0003: globalRecord(old) }), OPTION);
    expect(plan).toMatchObject({ action: 'rewrite', index: 3, previous: old });
    expect(plan?.data).toEqual(BOOT_ENTRY_152);
    const writes = planNvramWrites(referenceInput({ vars: { Boot0003: globalRecord(old) } }));
    expect(names(writes).slice(-2)).toEqual(['Boot0003', 'BootNext']);
    expect(bootNext(writes)).toBe(3);
  });

  it('reuses an entry with the legacy description too, rewriting it with the current one', () => {
    const old = loadOption(FWUPD_LEGACY_BOOT_DESCRIPTION, '\\EFI\\debian\\fwupdx64.efi');
    const writes = planNvramWrites(referenceInput({ vars: { Boot0007: globalRecord(old) } }));
    const boot = writes.find((w) => w.kind === 'efivar' && w.name === 'Boot0007');
    expect(boot?.kind === 'efivar' && boot.data).toEqual(BOOT_ENTRY_152);
    expect(bootNext(writes)).toBe(7);
  });

  it('takes the lowest-numbered fwupd entry when there are several', () => {
    const variables = makeVariables({
      Boot0009: globalRecord(BOOT_ENTRY_152),
      Boot0004: globalRecord(loadOption('Linux Firmware Updater', '\\EFI\\x.efi')),
    });
    expect(planBootEntry(variables, OPTION)).toMatchObject({ action: 'rewrite', index: 4 });
  });

  it('ignores an entry that does not decode, but still counts its index as used', () => {
    const variables = makeVariables({ Boot0002: globalRecord(Uint8Array.of(1, 0, 0, 0, 0xff, 0xff, 0x41, 0)) });
    expect(planBootEntry(variables, OPTION)).toMatchObject({ action: 'create', index: 3 });
  });

  it('skips indices BootOrder names whose variable is missing (fwupd would not)', () => {
    const variables = makeVariables({
      Boot0000: null,
      Boot0001: null,
      BootOrder: globalRecord(formatBootOrder([1, 0])),
    });
    expect(planBootEntry(variables, OPTION)).toMatchObject({ action: 'create', index: 2 });
  });

  it('fills a gap below the used indices', () => {
    const variables = makeVariables({ Boot0000: null, BootOrder: globalRecord(formatBootOrder([1])) });
    expect(planBootEntry(variables, OPTION)).toMatchObject({ action: 'create', index: 0 });
  });
});

describe('the load option', () => {
  it('quirk use-legacy-bootmgr-desc describes a new entry as Linux-Firmware-Updater', () => {
    const writes = planNvramWrites(referenceInput({ quirks: { modifyBootOrder: false, legacyBootmgrDesc: true } }));
    const boot = writes.find((w) => w.kind === 'efivar' && w.name === 'Boot0002');
    const decoded = boot?.kind === 'efivar' ? parseLoadOption(boot.data) : undefined;
    expect(decoded?.ok && decoded.option.description).toBe(FWUPD_LEGACY_BOOT_DESCRIPTION);
    // Same bytes as the reference but for the two hyphens.
    const expected = BOOT_ENTRY_152.slice();
    expected[0x10] = 0x2d;
    expected[0x22] = 0x2d;
    expect(boot?.kind === 'efivar' && boot.data).toEqual(expected);
  });

  it('is the 152-byte reference for the helper path', () => {
    const writes = planNvramWrites(referenceInput());
    const boot = writes.find((w) => w.kind === 'efivar' && w.name === 'Boot0002');
    expect(boot?.kind === 'efivar' && boot.data).toEqual(BOOT_ENTRY_152);
  });
});

describe('planBootOrder', () => {
  it('appends when absent, undefined when present', () => {
    expect(planBootOrder(makeVariables(), 2)).toEqual(formatBootOrder([0, 1, 2]));
    expect(planBootOrder(makeVariables(), 1)).toBeUndefined();
  });

  it('throws without a readable BootOrder (the probe refuses first)', () => {
    expect(() => planBootOrder(makeVariables({ BootOrder: null }), 2)).toThrow(TypeError);
    expect(() => planBootOrder(makeVariables({ BootOrder: globalRecord(Uint8Array.of(1, 0, 2)) }), 2)).toThrow(
      TypeError,
    );
  });
});

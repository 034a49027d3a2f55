import { describe, expect, it } from 'vitest';
import type { XenSignals } from '../signals.js';
import { parseXenVersion } from '../versions.js';
import { hasEsrtCopyBug, isXenDom0, preservesEsrt, readXenMode } from './dom0.js';

const xen = (text: string) => {
  const [major, minor, patch] = text.split('.');
  const version = parseXenVersion({ major, minor, extra: patch === undefined ? '<denied>' : `.${patch}` });
  if (version === undefined) throw new Error(text);
  return version;
};

describe('Xen ESRT copy bug (fixed by 3ea44aa78c in 4.22.0, 4.21.1, 4.20.3, 4.19.5)', () => {
  it.each([
    ['4.16.2', false],
    ['4.17.0', true],
    ['4.17.1', true],
    ['4.17.7', true],
    ['4.18.5', true],
    ['4.19.0', true],
    ['4.19.4', true],
    ['4.19.5', false],
    ['4.20.2', true],
    ['4.20.3', false],
    ['4.21.0', true],
    ['4.21.1', false],
    ['4.22.0', false],
    ['4.19', true], // patch level <denied>: assume the worst
    ['4.22', false],
  ])('%s → %s', (version, affected) => {
    expect(hasEsrtCopyBug(xen(version))).toBe(affected);
  });
});

describe('Xen preserves the ESRT from 4.17.1 (4.17.0 only when started as xen.efi)', () => {
  it.each([
    ['4.16.2', false],
    ['4.17.0', false],
    ['4.17.1', true],
    ['4.22.0', true],
  ])('%s → %s', (version, preserved) => {
    expect(preservesEsrt(xen(version))).toBe(preserved);
  });
});

const signals = (over: Partial<XenSignals>): XenSignals => ({
  guestType: undefined,
  version: { major: '4', minor: '19', extra: '.5' },
  uuid: undefined,
  features: undefined,
  startFlags: undefined,
  capabilities: undefined,
  ...over,
});

describe('dom0 signals (any one is enough)', () => {
  it('start_flags/initdomain', () => {
    expect(isXenDom0(signals({ startFlags: { initdomain: true, privileged: true } }))).toBe(true);
  });
  it('/proc/xen/capabilities control_d', () => {
    expect(isXenDom0(signals({ capabilities: 'control_d\n' }))).toBe(true);
  });
  it('features bit 11 (XENFEAT_dom0)', () => {
    expect(isXenDom0(signals({ features: 0x000228f0 }))).toBe(true);
    expect(isXenDom0(signals({ features: 0x001e20f0 }))).toBe(false);
  });
  it('a domU has none of them', () => {
    expect(
      isXenDom0(
        signals({ capabilities: '', features: 0x001e20f0, startFlags: { initdomain: false, privileged: false } }),
      ),
    ).toBe(false);
  });
});

describe('guest mode', () => {
  it('reads guest_type', () => {
    expect(readXenMode(signals({ guestType: 'PV' }))).toBe('pv');
    expect(readXenMode(signals({ guestType: 'PVH' }))).toBe('pvh');
    expect(readXenMode(signals({ guestType: 'HVM' }))).toBe('hvm');
  });
  it('falls back to the auto-translated feature bit before Linux 4.13', () => {
    expect(readXenMode(signals({ features: 0x000228f0 }))).toBe('pv');
    expect(readXenMode(signals({ features: 0x001d2b05 }))).toBe('pvh');
    expect(readXenMode(signals({}))).toBe('unknown');
  });
});

import { describe, expect, it } from 'vitest';
import { planUpdates } from './plan.js';
import type { HostFacts, PlannerComponent, PlannerDevice, Policy } from './types.js';

const GUID = 'ddc0ee61-e7f0-4e7d-acc5-c070a398838e';
const HWID = '8a4b2c6e-1f3d-5e7a-9b0c-2d4e6f8a0b1c';

const device = (over: Partial<PlannerDevice> = {}): PlannerDevice => ({
  guid: GUID,
  name: 'System Firmware',
  versionRaw: 65586, // 0.1.0.50 as quad
  lowestSupportedVersionRaw: 65582, // 0.1.0.46
  updatable: true,
  ...over,
});

const component = (over: Partial<PlannerComponent> = {}): PlannerComponent => ({
  remoteId: 'lvfs',
  remotePriority: 1,
  id: 'com.example.laptop13.system.firmware',
  provides: [GUID],
  versionFormat: 'quad',
  updateProtocol: 'org.uefi.capsule',
  requires: [],
  releases: [
    { version: '0.1.0.54' },
    { version: '0.1.0.52' },
    { version: '0.1.0.50' },
    { version: '0.1.0.48' },
    { version: '0.1.0.40' },
  ],
  ...over,
});

const host: HostFacts = {
  hardwareIds: new Set([HWID]),
  vendorIds: ['DMI:Example Inc.'],
  components: { 'org.freedesktop.fwupd': '2.0.20', 'org.freedesktop.fwupd-efi': '1.4', 'org.kernel': '6.12.107' },
  devices: [device()],
  noPhasedUpdates: new Set(),
};

const policy = (over: Partial<Policy> = {}): Policy => ({
  guids: [],
  allowOlder: false,
  allowReinstall: false,
  mode: 'update',
  force: false,
  ...over,
});

const codes = (reasons: { code: string }[]) => reasons.map((r) => r.code);

describe('planner', () => {
  it('renders the ESRT value with the metadata\u2019s format and picks the newest newer release (lvfs-metadata.md §8)', () => {
    const [item] = planUpdates([device()], [component()], host, policy());
    expect(item).toMatchObject({
      action: 'update',
      versionFormat: 'quad',
      from: { version: '0.1.0.50', versionRaw: 65586 },
      to: { version: '0.1.0.54', versionRaw: null },
    });
    expect(item?.releases.map((r) => [r.version, r.relation, r.eligible])).toEqual([
      ['0.1.0.54', 'newer', true],
      ['0.1.0.52', 'newer', false],
      ['0.1.0.50', 'same', false],
      ['0.1.0.48', 'older', false],
      ['0.1.0.40', 'older', false],
    ]);
    expect(codes(item?.releases[1]?.reasons ?? [])).toEqual(['newer', 'superseded']);
    expect(codes(item?.releases[2]?.reasons ?? [])).toEqual(['same', 'reinstall-not-allowed']);
    expect(codes(item?.releases[3]?.reasons ?? [])).toEqual(['older', 'downgrade-not-allowed']);
    expect(codes(item?.releases[4]?.reasons ?? [])).toEqual([
      'older',
      'downgrade-not-allowed',
      'below-lowest-supported',
    ]);
  });

  it('renders integer release versions with the device\u2019s format', () => {
    const [item] = planUpdates(
      [device()],
      [component({ releases: [{ version: '65590' }, { version: '0x10034' }] })],
      host,
      policy(),
    );
    expect(item?.to).toEqual({ version: '0.1.0.54', versionRaw: 65590 });
    expect(item?.releases.map((r) => r.version)).toEqual(['0.1.0.54', '0.1.0.52']);
  });

  it('says up to date when nothing is newer', () => {
    const [item] = planUpdates([device()], [component({ releases: [{ version: '0.1.0.50' }] })], host, policy());
    expect(item).toMatchObject({ action: 'skip', to: null });
    expect(codes(item?.reasons ?? [])).toEqual(['up-to-date']);
  });

  it('downgrades only with --allow-older and --version, never below the lowest supported', () => {
    const refused = planUpdates([device()], [component()], host, policy({ version: '0.1.0.48' }))[0];
    expect(refused?.action).toBe('skip');
    expect(codes(refused?.reasons ?? [])).toEqual(['downgrade-not-allowed']);

    const allowed = planUpdates([device()], [component()], host, policy({ version: '0.1.0.48', allowOlder: true }))[0];
    expect(allowed).toMatchObject({ action: 'downgrade', to: { version: '0.1.0.48' } });

    const tooLow = planUpdates([device()], [component()], host, policy({ version: '0.1.0.40', allowOlder: true }))[0];
    expect(tooLow?.action).toBe('skip');
    expect(codes(tooLow?.reasons ?? [])).toEqual(['below-lowest-supported']);

    const forced = planUpdates(
      [device()],
      [component()],
      host,
      policy({ version: '0.1.0.40', allowOlder: true, force: true }),
    )[0];
    expect(forced?.action).toBe('downgrade');
    expect(codes(forced?.reasons ?? [])).toEqual(['older', 'lowest-supported-forced']);
  });

  it('picks the newest older release in downgrade mode', () => {
    const [item] = planUpdates([device()], [component()], host, policy({ mode: 'downgrade' }));
    expect(item).toMatchObject({ action: 'downgrade', to: { version: '0.1.0.48' } });
  });

  it('refuses a downgrade when the lowest supported version is unknown (Xen copy bug) unless forced', () => {
    const unknown = device({ lowestSupportedVersionRaw: null });
    const [item] = planUpdates([unknown], [component()], host, policy({ mode: 'downgrade' }));
    expect(item?.action).toBe('skip');
    expect(codes(item?.reasons ?? [])).toEqual(['lowest-supported-unknown']);
    // updates are still fine
    expect(planUpdates([unknown], [component()], host, policy())[0]?.action).toBe('update');
  });

  it('reinstalls the installed version with --allow-reinstall', () => {
    const [item] = planUpdates([device()], [component()], host, policy({ mode: 'reinstall', allowReinstall: true }));
    expect(item).toMatchObject({ action: 'reinstall', to: { version: '0.1.0.50' } });
  });

  it('skips other update protocols with the reason', () => {
    const [item] = planUpdates([device()], [component({ updateProtocol: 'com.dell.dock' })], host, policy());
    expect(item?.action).toBe('skip');
    expect(item?.reasons[0]).toMatchObject({
      code: 'wrong-protocol',
      message: expect.stringContaining('com.dell.dock'),
    });
  });

  it.each([
    [{ kind: 'hardware', guids: [HWID], hard: true } as const, true],
    [{ kind: 'hardware', guids: ['00000000-0000-0000-0000-000000000001'], hard: true } as const, false],
    [{ kind: 'not-hardware', guids: [HWID], hard: true } as const, false],
    [{ kind: 'id', id: 'org.freedesktop.fwupd', compare: 'ge', version: '1.9.8', hard: true } as const, true],
    [{ kind: 'id', id: 'org.freedesktop.fwupd', compare: 'ge', version: '2.1.0', hard: true } as const, false],
    [{ kind: 'id', id: 'org.example.unknown', compare: 'ge', version: '1', hard: true } as const, false],
    [{ kind: 'firmware', target: '', compare: 'ge', version: '0.1.0.49', hard: true } as const, true],
    [{ kind: 'firmware', target: '', compare: 'ge', version: '0.1.0.51', hard: true } as const, false],
    [{ kind: 'firmware', target: 'vendor-id', compare: 'eq', version: 'DMI:Example Inc.', hard: true } as const, true],
    [{ kind: 'firmware', target: 'vendor-id', compare: 'eq', version: 'DMI:Other', hard: true } as const, false],
    [{ kind: 'firmware', target: 'bootloader', compare: 'ge', version: '1', hard: true } as const, false],
    [{ kind: 'firmware', target: GUID, hard: true } as const, true],
    [{ kind: 'firmware', target: '11111111-2222-3333-4444-555555555555', hard: true } as const, false],
    [{ kind: 'client', features: ['detach-action'], hard: true } as const, false],
    [{ kind: 'phased-update', attributes: {}, hard: true } as const, false],
    [{ kind: 'unknown', element: 'teleport', hard: true } as const, false],
    [{ kind: 'unknown', element: 'teleport', hard: false } as const, true],
  ])('requirement %o passes: %s', (requirement, passes) => {
    const [item] = planUpdates([device()], [component({ requires: [requirement] })], host, policy());
    expect(item?.action).toBe(passes ? 'update' : 'skip');
    if (!passes) expect(item?.reasons.map((r) => r.code)).toContain('requirement-failed');
  });

  it('lets the higher-priority remote win a duplicate release', () => {
    const testing = component({
      remoteId: 'lvfs-testing',
      remotePriority: 1,
      releases: [{ version: '0.1.0.54', location: 'testing' }],
    });
    const stable = component({
      remoteId: 'lvfs',
      remotePriority: 2,
      releases: [{ version: '0.1.0.54', location: 'stable' }],
    });
    const [item] = planUpdates([device()], [stable, testing], host, policy());
    expect(item?.chosen?.remoteId).toBe('lvfs-testing');
    expect(item?.releases.find((r) => r.remoteId === 'lvfs')?.reasons.map((r) => r.code)).toContain(
      'duplicate-lower-priority',
    );
  });

  it('skips a device the ESRT checks flagged, a device with no releases, and filters by GUID', () => {
    const flagged = planUpdates(
      [device({ updatable: false, blockedBy: 'capsule_flags sets reserved bits' })],
      [component()],
      host,
      policy(),
    );
    expect(flagged[0]?.reasons).toEqual([
      { code: 'device-not-updatable', message: 'capsule_flags sets reserved bits' },
    ]);
    const other = device({ guid: '5e1f7a2b-3c4d-4e5f-9a0b-1c2d3e4f5a6b', name: 'Device Firmware' });
    const both = planUpdates([device(), other], [component()], host, policy());
    expect(both.map((i) => [i.guid, i.action])).toEqual([
      [GUID, 'update'],
      [other.guid, 'skip'],
    ]);
    expect(codes(both[1]?.reasons ?? [])).toEqual(['no-releases']);
    expect(
      planUpdates([device(), other], [component()], host, policy({ guids: [other.guid.toUpperCase()] })),
    ).toHaveLength(1);
  });

  it('is deterministic', () => {
    const a = JSON.stringify(planUpdates([device()], [component()], host, policy()));
    const b = JSON.stringify(planUpdates([device()], [component()], host, policy()));
    expect(a).toBe(b);
  });
});

describe('requirements on another device', () => {
  it('renders the other device\u2019s version with that device\u2019s own format', () => {
    const dock = device({
      guid: '5e1f7a2b-3c4d-4e5f-9a0b-1c2d3e4f5a6b',
      name: 'Dock',
      versionRaw: 7,
      lowestSupportedVersionRaw: 1,
    });
    const dockFirmware = component({
      id: 'dock',
      provides: [dock.guid],
      versionFormat: 'number',
      requires: [{ kind: 'firmware', target: GUID, compare: 'ge', version: '0.1.0.52', hard: true }],
      releases: [{ version: '8' }],
    });
    const facts = { ...host, devices: [device(), dock] };
    const [item] = planUpdates([dock], [component(), dockFirmware], facts, policy());
    expect(item?.action).toBe('skip');
    expect(item?.reasons).toContainEqual({
      code: 'requirement-failed',
      message: 'needs System Firmware at firmware version \u2265 0.1.0.52; it has 0.1.0.50',
    });
  });
});

describe('--version written as an integer', () => {
  it('is rendered with the device\u2019s format before it is compared', () => {
    const [item] = planUpdates([device()], [component()], host, policy({ version: '65590' }));
    expect(item).toMatchObject({ action: 'update', to: { version: '0.1.0.54' } });
  });
});

import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Component, parseCatalog, parseRequirement } from './index.js';

const sample = (name: string): string =>
  fs.readFileSync(new URL(`../../../test/catalogs/appstream/${name}`, import.meta.url), 'utf8');

async function requirementsOf(xml: string): Promise<Component['requires']> {
  const components: Component[] = [];
  await parseCatalog(xml, (c) => components.push(c));
  return components[0]?.requires ?? [];
}

describe('requirements', () => {
  it('reads every kind, hard and soft, and records what it cannot read as unknown (fails closed)', async () => {
    expect(await requirementsOf(sample('requirements.xml'))).toEqual([
      {
        kind: 'id',
        id: 'org.freedesktop.fwupd',
        compare: 'ge',
        version: '1.9.*=1.9.7|1.8.*=1.8.23|2.0.15',
        hard: true,
      },
      { kind: 'id', id: 'org.kernel', hard: true },
      { kind: 'firmware', target: '', compare: 'ge', version: '0.1.0.40', hard: true },
      { kind: 'firmware', target: 'bootloader', compare: 'ge', version: '1.0', hard: true },
      { kind: 'firmware', target: 'vendor-id', compare: 'regex', version: 'DMI:(Example|Other)', hard: true },
      { kind: 'firmware', target: 'not-child', hard: true },
      {
        kind: 'firmware',
        target: '8a4b2c6e-1f3d-5e7a-9b0c-2d4e6f8a0b1c|40338ceb-b966-4eae-adae-9c32edfcc484',
        guids: ['8a4b2c6e-1f3d-5e7a-9b0c-2d4e6f8a0b1c', '40338ceb-b966-4eae-adae-9c32edfcc484'],
        compare: 'ge',
        version: '2.0',
        depth: 1,
        hard: true,
      },
      {
        kind: 'firmware',
        target: 'b585990a-003e-5270-89d5-3705a17f9a43',
        guids: ['b585990a-003e-5270-89d5-3705a17f9a43'],
        depth: -1,
        hard: true,
      },
      {
        kind: 'hardware',
        guids: ['8a4b2c6e-1f3d-5e7a-9b0c-2d4e6f8a0b1c', '9342d47a-1bab-5709-9869-c840b2eac501'],
        hard: true,
      },
      { kind: 'not-hardware', guids: ['2082b5e0-7a64-478a-b1b2-e3404fab6dad'], hard: true },
      { kind: 'client', features: ['detach-action', 'update-action'], hard: true },
      { kind: 'phased-update', attributes: { seed: 'lvfs' }, value: '0x10', factor: 16, hard: true },
      { kind: 'unknown', element: 'teleport', hard: true },
      { kind: 'unknown', element: 'firmware', hard: true, reason: 'unknown compare operator "approximately"' },
      { kind: 'unknown', element: 'firmware', hard: true, reason: 'depth "one" is not an integer' },
      { kind: 'unknown', element: 'firmware', hard: true, reason: '"LENOVO" is neither a keyword nor GUIDs' },
      { kind: 'unknown', element: 'hardware', hard: true, reason: '"not-a-guid" is not a list of GUIDs' },
      {
        kind: 'unknown',
        element: 'not_hardware',
        hard: true,
        reason: '"00000000-0000-0000-0000-000000000000" is not a list of GUIDs',
      },
      { kind: 'unknown', element: 'not_hardware', hard: true, reason: 'no hardware GUID' },
      { kind: 'unknown', element: 'client', hard: true, reason: 'no client feature' },
      { kind: 'unknown', element: 'id', hard: true, reason: 'no component id' },
      { kind: 'id', id: 'org.freedesktop.fwupd-efi', compare: 'ge', version: '1.4', hard: false },
      { kind: 'phased-update', attributes: {}, value: '1', hard: false },
      { kind: 'client', features: ['requests'], hard: false },
      { kind: 'unknown', element: 'quantum-entanglement', hard: false },
    ]);
  });

  it('gives exactly one requirement per child element, never dropping one', async () => {
    const xml = sample('requirements.xml');
    const group = /<(requires|suggests|recommends)>([\s\S]*?)<\/\1>/g;
    const children = [...xml.matchAll(group)].flatMap((m) => [...(m[2] ?? '').matchAll(/^\s*<([a-z_-]+)/gm)]);
    expect(await requirementsOf(xml)).toHaveLength(children.length);
  });

  it('reads only the direct text of a requirement, ignoring nested elements', async () => {
    const xml = sample('lvfs-example.xml').replace(
      '<hardware>8a4b2c6e-1f3d-5e7a-9b0c-2d4e6f8a0b1c</hardware>',
      '<hardware>\n  8a4b2c6e-1f3d-5e7a-9b0c-2d4e6f8a0b1c<note>|not-a-guid</note>\n</hardware>',
    );
    expect((await requirementsOf(xml))[2]).toEqual({
      kind: 'hardware',
      guids: ['8a4b2c6e-1f3d-5e7a-9b0c-2d4e6f8a0b1c'],
      hard: true,
    });
  });

  it.each([
    ['glob', 'glob'],
    ['regex', 'regex'],
    ['ne', 'ne'],
  ] as const)('accepts compare="%s"', (op, expected) => {
    expect(parseRequirement('id', { compare: op, version: '1.*' }, 'org.kernel', false)).toEqual({
      kind: 'id',
      id: 'org.kernel',
      compare: expected,
      version: '1.*',
      hard: false,
    });
  });

  it('takes a phased_update factor only within fwupd 2..1024', () => {
    const factor = (text: string): number | undefined => {
      const req = parseRequirement('phased_update', {}, text, true);
      return req.kind === 'phased-update' ? req.factor : undefined;
    };
    expect([factor('2'), factor('1024'), factor('1025'), factor('1'), factor('-4'), factor('x')]).toEqual([
      2,
      1024,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

/**
 * The contract every UpdateMethod keeps (STYLE.md §5.6 "contract suites"), run by each plugin's tests
 * with an input its probe accepts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkFwupdEfiAcceptance,
  EFI_VARIABLE_DEFAULT_ATTRIBUTES,
  FWUPDATE_GUID,
  isGuid,
  type PlannedWrite,
  readOnlyVariables,
  type StageInput,
  type UpdateMethod,
} from '../../../src/plugin-api.js';
import { REPO } from '../../helpers/run-cli.js';

const README_SECTIONS = [
  'Firmware Format',
  'GUID Generation',
  'Update Behavior',
  'Vendor ID Security',
  'Quirk Use',
  'External Interface Access',
  'Version Considerations',
  'Owners',
];

export function expectUpdateInfosAccepted(writes: readonly PlannedWrite[]): number {
  let count = 0;
  for (const write of writes) {
    if (write.kind !== 'efivar' || write.guid !== FWUPDATE_GUID || !write.name.startsWith('fwupd-')) continue;
    expect(checkFwupdEfiAcceptance(write.data)).toEqual({ ok: true });
    count++;
  }
  return count;
}

export function defineMethodContract(folder: string, method: UpdateMethod, makeInput: () => StageInput): void {
  describe(`UpdateMethod contract: ${method.id}`, () => {
    it('describes itself', () => {
      expect(['uefi-capsule', 'capsule-on-disk']).toContain(method.id);
      expect(method.displayName.length).toBeGreaterThan(0);
      expect(method.protocols).toEqual(['org.uefi.capsule']);
      expect(method.platforms.length).toBeGreaterThan(0);
      for (const key of method.quirkKeys) expect(key).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    });

    it('has a readme with the fwupd plugin-readme sections, each documenting its quirk keys', () => {
      const readme = fs.readFileSync(path.join(REPO, 'plugins', folder, 'readme.md'), 'utf8');
      const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
      for (const section of README_SECTIONS) expect(headings).toContain(section);
      expect(readme).not.toMatch(/^# /m);
      for (const key of method.quirkKeys) expect(readme).toContain(`\`${key}\``);
    });

    it('accepts the contract input', () => {
      expect(method.probe(makeInput())).toEqual({ supported: true });
    });

    it('is pure: the same input gives the same writes, and it never writes through the store', () => {
      const input = makeInput();
      const guarded = { ...input, variables: readOnlyVariables(input.variables) };
      const first = method.planWrites(guarded);
      const second = method.planWrites(guarded);
      expect(second).toEqual(first);
      expect(method.planWrites(makeInput())).toEqual(first);
    });

    it('plans well-formed writes: relative ESP paths, attributes 0x7, a reason each, accepted update info', () => {
      const writes = method.planWrites(makeInput());
      expect(writes.length).toBeGreaterThan(0);
      for (const write of writes) {
        expect(write.reason.length).toBeGreaterThan(0);
        if (write.kind === 'esp-mkdir' || write.kind === 'esp-file') {
          expect(write.path).toMatch(/^EFI\/[A-Za-z0-9._/-]+$/);
          expect(write.path).not.toContain('..');
        } else {
          expect(isGuid(write.guid)).toBe(true);
        }
        if (write.kind === 'efivar') {
          expect(write.attributes).toBe(EFI_VARIABLE_DEFAULT_ATTRIBUTES);
          expect(write.data.length).toBeGreaterThan(0);
        }
      }
      expectUpdateInfosAccepted(writes);
    });

    it('needs 2 x payload + 1 MiB on the ESP (payload + 1 MiB with no-esp-backup)', () => {
      expect(method.requiredEspFreeBytes(8192)).toBe(2 * 8192 + 1024 * 1024);
      expect(method.requiredEspFreeBytes(8192, { noEspBackup: true })).toBe(8192 + 1024 * 1024);
      expect(method.requiredEspFreeBytes(0)).toBe(1024 * 1024);
      expect(() => method.requiredEspFreeBytes(-1)).toThrow(TypeError);
    });
  });
}

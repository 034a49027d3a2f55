/**
 * The staging peer suite, shared by plugins/uefi-capsule and plugins/capsule-on-disk:
 *
 * - live (fwupdtool and gcab installed): every variant is staged by `fwupdtool install` and by capstan's
 *   `planWrites` on identical sandboxes; the ESP files, directories, efivarfs files and (with strace) the
 *   order of the side effects are compared byte for byte. fwupd's result must also still match the record
 *   committed in fwupd-2.0.20-<method>.json (`UPDATE_STAGING_RECORDS=1` rewrites it instead).
 * - recorded (always): capstan's plan is compared with those committed records, so a change in capstan
 *   that fwupd would not make fails even where fwupdtool is not installed.
 */
import { describe, expect, it } from 'vitest';
import { CapstanError } from '../../../src/plugin-api.js';
import { haveTool } from '../../helpers/tools.js';
import {
  type ChangeRecord,
  EFIVARS,
  ESP,
  FW_CLASS,
  fwupdateVar,
  globalVar,
  portable,
  runFwupdInstall,
} from './fwupd-sandbox.js';
import {
  type CapstanOutcome,
  loadRecords,
  runBoth,
  runCapstanOnly,
  saveRecord,
  updateInfoWrites,
} from './peer-runner.js';
import { PEER_VARIANTS, type PeerVariant } from './peer-variants.js';

const UPDATE = process.env.UPDATE_STAGING_RECORDS === '1';

function expectCapstanOk(outcome: CapstanOutcome): Extract<CapstanOutcome, { ok: true }> {
  if (!outcome.ok) throw outcome.error;
  updateInfoWrites(outcome.writes);
  return outcome;
}

/** Compares capstan's record with fwupd's as the variant says they relate. */
function expectRelation(
  variant: PeerVariant,
  fwupd: { status: number; record: ChangeRecord },
  capstan: CapstanOutcome,
): void {
  switch (variant.expect) {
    case 'same': {
      expect(fwupd.status).toBe(0);
      const ours = expectCapstanOk(capstan).record;
      const theirs = fwupd.record;
      expect(ours.written).toEqual(theirs.written);
      expect(ours.removed).toEqual(theirs.removed);
      expect(ours.dirs).toEqual(theirs.dirs);
      if (theirs.order !== undefined) expect(ours.order).toEqual(theirs.order);
      return;
    }
    case 'fwupd-takes-boot0000': {
      // fwupd takes the lowest index with no variable, Boot0000, though BootOrder names it; capstan also
      // skips BootOrder's indices and takes Boot0002. Everything else, the entry's bytes included, agrees.
      expect(fwupd.status).toBe(0);
      const ours = expectCapstanOk(capstan).record;
      const rename = (key: string): string => key.replace(globalVar('Boot0002'), globalVar('Boot0000'));
      const bootNext = `${EFIVARS}/${globalVar('BootNext')}`;
      const mapped = Object.fromEntries(
        Object.entries(ours.written)
          .filter(([key]) => key !== bootNext)
          .map(([key, file]) => [rename(key), file]),
      );
      const theirs = Object.fromEntries(Object.entries(fwupd.record.written).filter(([key]) => key !== bootNext));
      expect(mapped).toEqual(theirs);
      expect(fwupd.record.written[bootNext]).toEqual({ hex: '070000000000' });
      expect(ours.written[bootNext]).toEqual({ hex: '070000000200' });
      return;
    }
    case 'capstan-refuses': {
      // fwupd fails half-way and leaves the capsule and the update info behind; capstan's probe refuses
      // before anything is written.
      expect(fwupd.status).toBe(1);
      expect(Object.keys(fwupd.record.written).sort()).toEqual(
        [`${ESP}/EFI/debian/fw/fwupd-${FW_CLASS}.cap`, `${EFIVARS}/${fwupdateVar(`fwupd-${FW_CLASS}-0`)}`].sort(),
      );
      expect(capstan.ok).toBe(false);
      const error = capstan.ok ? undefined : capstan.error;
      expect(error).toBeInstanceOf(CapstanError);
      expect((error as CapstanError).code).toBe('esp-invalid');
      expect((error as CapstanError).message).toContain("shim isn't installed to EFI/debian/shimx64.efi");
      return;
    }
  }
}

export function definePeerSuite(method: PeerVariant['method']): void {
  const variants = PEER_VARIANTS.filter((variant) => variant.method === method);

  describe.skipIf(UPDATE)(`planWrites against fwupd 2.0.20's recorded writes (${method})`, () => {
    const records = loadRecords(method);
    for (const variant of variants) {
      it(`${variant.name}: ${variant.about}`, () => {
        const recorded = records[variant.name];
        expect(recorded, `no record for ${variant.name}: run with UPDATE_STAGING_RECORDS=1`).toBeDefined();
        if (recorded === undefined) return;
        const capstan = runCapstanOnly(variant);
        // The helper's bytes depend on the host (portable() blanks them); the order is kept.
        const withOrder = (record: ChangeRecord): ChangeRecord =>
          record.order === undefined ? portable(record) : { ...portable(record), order: record.order };
        const fwupd = { status: recorded.status, record: withOrder(recorded.record) };
        const ours = capstan.ok ? { ...capstan, record: withOrder(capstan.record) } : capstan;
        expectRelation(variant, fwupd, ours);
      });
    }
  });

  describe.skipIf(!haveTool('fwupdtool') || !haveTool('gcab'))(
    `fwupdtool install vs planWrites, live (${method})`,
    () => {
      for (const variant of variants) {
        it(`${variant.name}: ${variant.about}`, () => {
          const { fwupd, capstan } = runBoth(variant, runFwupdInstall);
          const run = { status: fwupd.status, record: fwupd.record };
          if (UPDATE) {
            saveRecord(method, variant.name, run);
          } else {
            const recorded = loadRecords(method)[variant.name];
            expect(recorded?.status).toBe(run.status);
            expect(recorded === undefined ? undefined : portable(recorded.record)).toEqual(portable(run.record));
            if (run.record.order !== undefined && recorded?.record.order !== undefined) {
              expect(run.record.order).toEqual(recorded.record.order);
            }
          }
          expectRelation(variant, run, capstan);
        });
      }
    },
  );
}

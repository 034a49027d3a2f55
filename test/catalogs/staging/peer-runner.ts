/**
 * Runs one peer variant: capstan's `planWrites` on the sandbox as it is before staging, and (when asked)
 * the real `fwupdtool install` on it, each turned into a ChangeRecord. Also loads and saves the records
 * of fwupd's runs committed next to this file (`fwupd-2.0.20-<method>.json`), so the comparison with
 * fwupd's bytes still runs where fwupdtool is not installed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { method as cod } from '../../../plugins/capsule-on-disk/index.js';
import { method as nvram, nvramEspLayout } from '../../../plugins/uefi-capsule/index.js';
import { checkFwupdEfiAcceptance, FWUPDATE_GUID, type PlannedWrite, type StageInput } from '../../../src/plugin-api.js';
import { REPO } from '../../helpers/run-cli.js';
import {
  applyPlan,
  buildPeerCab,
  type ChangeRecord,
  createSandbox,
  type FwupdRun,
  planOrder,
  recordChanges,
  removeSandbox,
  type Sandbox,
  snapshot,
  stageInputFromSandbox,
} from './fwupd-sandbox.js';
import type { PeerVariant } from './peer-variants.js';

/** One file per method, so the two plugins' suites (separate workers) never write the same file. */
export function recordsFile(method: PeerVariant['method']): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), `fwupd-2.0.20-${method}.json`);
}

export interface RecordedRun {
  /** fwupdtool's exit status. */
  status: number;
  record: ChangeRecord;
}

export type CapstanOutcome =
  | { ok: true; input: StageInput; writes: PlannedWrite[]; record: ChangeRecord }
  | { ok: false; input: StageInput; error: unknown };

/** capstan's side of a variant on a sandbox that has not been staged yet. */
export function runCapstan(variant: PeerVariant, sandbox: Sandbox): CapstanOutcome {
  const before = snapshot(sandbox.root);
  const probeInput = stageInputFromSandbox(sandbox);
  const espHelper = variant.method === 'uefi-capsule' ? nvramEspLayout(probeInput).helper : undefined;
  const input = stageInputFromSandbox(sandbox, espHelper);
  const method = variant.method === 'uefi-capsule' ? nvram : cod;
  let writes: PlannedWrite[];
  try {
    writes = method.planWrites(input);
  } catch (error) {
    return { ok: false, input, error };
  }
  const after = applyPlan(before, writes, sandbox.root);
  return { ok: true, input, writes, record: recordChanges(before, after, sandbox.root, planOrder(writes)) };
}

/** capstan on a fresh sandbox for the variant (no fwupd involved). */
export function runCapstanOnly(variant: PeerVariant): CapstanOutcome {
  const sandbox = createSandbox(variant);
  try {
    return runCapstan(variant, sandbox);
  } finally {
    removeSandbox(sandbox);
  }
}

/** Both sides, each on its own fresh sandbox of the same variant. */
export function runBoth(
  variant: PeerVariant,
  install: (sandbox: Sandbox, cab: string) => FwupdRun,
): { fwupd: RecordedRun & { run: FwupdRun }; capstan: CapstanOutcome } {
  const capstan = runCapstanOnly(variant);
  const sandbox = createSandbox(variant);
  try {
    const cab = buildPeerCab(sandbox.dir, sandbox.payload);
    const before = snapshot(sandbox.root);
    const run = install(sandbox, cab);
    const after = snapshot(sandbox.root);
    return {
      fwupd: { status: run.status, run, record: recordChanges(before, after, sandbox.root, run.order) },
      capstan,
    };
  } finally {
    removeSandbox(sandbox);
  }
}

export function loadRecords(method: PeerVariant['method']): Record<string, RecordedRun> {
  const file = recordsFile(method);
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, RecordedRun>;
}

/** Rewrites one variant's record (UPDATE_STAGING_RECORDS=1), keeping the others. */
export function saveRecord(method: PeerVariant['method'], name: string, run: RecordedRun): void {
  const file = recordsFile(method);
  const records = loadRecords(method);
  records[name] = run;
  const sorted = Object.fromEntries(Object.entries(records).sort(([a], [b]) => (a < b ? -1 : 1)));
  fs.writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
  // Keep the committed file in the repository's format (biome packs short arrays onto one line).
  spawnSync(path.join(REPO, 'node_modules/.bin/biome'), ['format', '--write', file], { stdio: 'ignore' });
}

/** Every update-info variable (FWUPDATE GUID, `fwupd-…`) a plan writes passes fwupd-efi 1.4's check. */
export function updateInfoWrites(writes: readonly PlannedWrite[]): Uint8Array[] {
  const found = writes.flatMap((write) =>
    write.kind === 'efivar' && write.guid === FWUPDATE_GUID && write.name.startsWith('fwupd-') ? [write.data] : [],
  );
  for (const data of found) {
    const verdict = checkFwupdEfiAcceptance(data);
    if (!verdict.ok) throw new Error(`update info rejected by the fwupd-efi rule: ${verdict.reason}`);
  }
  return found;
}

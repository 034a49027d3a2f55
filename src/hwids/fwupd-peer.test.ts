import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { smbiosTree } from '../../test/catalogs/smbios/build-smbios.js';
import { peerMachines, type SmbiosMachine } from '../../test/catalogs/smbios/machines.js';
import { makeRoot } from '../../test/helpers/make-root.js';
import { haveTool } from '../../test/helpers/tools.js';
import { createContext } from '../core/context.js';
import { computeHardwareIds, HARDWARE_ID_DEFINITIONS, type HardwareIdKey } from './chid.js';
import { parseSmbios, readSmbios } from './smbios.js';

/*
 * Cross-checks against the real `fwupdtool hwids` (fwupd 2.0.20). fwupd reads SMBIOS from
 * `$FWUPD_SYSFSFWDIR/dmi/tables/{smbios_entry_point,DMI}`, so pointing that at a synthetic root's
 * sys/firmware makes it hash our tables. Everything else it could take values from is pointed at
 * empty directories, under an empty environment: `FWUPD_SYSFSDMIDIR` (/sys/class/dmi/id, which
 * fwupd reads after SMBIOS to fill gaps), `FWUPD_SYSCONFDIR` (fwupd.conf `[fwupd]` overrides, read
 * first), `FWUPD_LOCALSTATEDIR` (a system.dtb) and `HOME`.
 *
 * `fwupdtool hwids` prints its values, then one line per CHID in sorted order (HardwareID-00 ...
 * HardwareID-14, fwupd-04, fwupd-05, fwupd-14): `{guid}   <- Key + Key` or the reason it has none.
 */

interface FwupdHwids {
  /** Display values as printed (`Key: value`). */
  values: Map<string, string>;
  /** One entry per CHID, in fwupd's order: the GUID and its keys, or the error text. */
  lines: ({ guid: string; keys: string[] } | { error: string })[];
}

function runFwupdtool(root: string): FwupdHwids {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-fwupd-'));
  onTestFinished(() => fs.rmSync(scratch, { recursive: true, force: true }));
  for (const dir of ['home', 'var', 'etc']) fs.mkdirSync(path.join(scratch, dir));
  const result = spawnSync('fwupdtool', ['hwids'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: '/usr/bin:/bin:/usr/sbin:/sbin',
      LANG: 'C.UTF-8',
      HOME: path.join(scratch, 'home'),
      FWUPD_SYSFSFWDIR: path.join(root, 'sys/firmware'),
      FWUPD_SYSFSDMIDIR: path.join(scratch, 'no-dmi-id'),
      FWUPD_SYSCONFDIR: path.join(scratch, 'etc'),
      FWUPD_LOCALSTATEDIR: path.join(scratch, 'var'),
    },
  });
  if (result.status !== 0) {
    throw new Error(`fwupdtool hwids failed (${result.status}): ${result.stderr}${result.stdout}`);
  }
  const text = result.stdout.split('\n');
  const info = text.indexOf('Computer Information');
  const ids = text.indexOf('Hardware IDs');
  if (info < 0 || ids < info) throw new Error(`unexpected fwupdtool output:\n${result.stdout}`);
  const values = new Map<string, string>();
  for (const line of text.slice(info + 2, ids)) {
    const m = /^([A-Za-z]+): ?(.*)$/.exec(line);
    if (m?.[1] !== undefined) values.set(m[1], m[2] ?? '');
  }
  const lines = text
    .slice(ids + 2)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const m = /^\{([0-9a-f-]{36})\} +<- (.*)$/.exec(line);
      return m?.[1] !== undefined ? { guid: m[1], keys: (m[2] ?? '').split(' + ') } : { error: line };
    });
  return { values, lines };
}

/** Printable ASCII with nothing for fwupd's display form (ASCII, chomped) to change. */
const plainAscii = (value: string): boolean => /^(?:[!-~](?:[ -~]*[!-~])?)?$/.test(value);

function compare(machine: SmbiosMachine) {
  const root = makeRoot(smbiosTree(machine.entryPoint, machine.table));
  const fwupd = runFwupdtool(root);
  const smbios = readSmbios(createContext({ root }));
  const ours = computeHardwareIds(smbios);
  return { fwupd, ours, smbios };
}

describe.skipIf(!haveTool('fwupdtool'))('hardware IDs match fwupdtool hwids (fwupd 2.0.20)', () => {
  const summary: string[] = [];

  it.each(peerMachines().map((m) => [m.name, m] as const))('%s', (_name, machine) => {
    const { fwupd, ours } = compare(machine);
    expect(fwupd.lines).toHaveLength(HARDWARE_ID_DEFINITIONS.length);

    // every ID: same GUID and key composition, or omitted by both
    const fwupdById = HARDWARE_ID_DEFINITIONS.map((definition, index) => {
      const line = fwupd.lines[index];
      if (line === undefined || 'error' in line) return { name: definition.name, guid: undefined };
      expect(line.keys, definition.name).toEqual(definition.keys);
      return { name: definition.name, guid: line.guid };
    });
    const oursById = HARDWARE_ID_DEFINITIONS.map((definition) => ({
      name: definition.name,
      guid: ours.ids.find((id) => id.name === definition.name)?.guid,
    }));
    expect(oursById).toEqual(fwupdById);

    // the same keys, and the same values wherever fwupd's display form is the value itself
    expect([...fwupd.values.keys()].sort()).toEqual(Object.keys(ours.keys).sort());
    for (const [key, value] of Object.entries(ours.keys) as [HardwareIdKey, string][]) {
      const shown = fwupd.values.get(key);
      if (key === 'BiosMajorRelease' || key === 'BiosMinorRelease') {
        expect(shown, key).toBe(String(Number.parseInt(value, 16)));
      } else if (plainAscii(value)) {
        expect(shown, key).toBe(value);
      }
    }
    const matched = fwupdById.filter((id) => id.guid !== undefined).length;
    summary.push(`${machine.name}: ${matched}/${HARDWARE_ID_DEFINITIONS.length} IDs, all equal`);
  });

  it('exercised IDs present and omitted on both sides', () => {
    // guard against a peer run that compares nothing but omissions (each case asserted equality)
    const counts = peerMachines().map((m) => computeHardwareIds(parseSmbios(m.entryPoint, m.table)).ids.length);
    expect(counts.filter((n) => n === HARDWARE_ID_DEFINITIONS.length).length).toBeGreaterThanOrEqual(3);
    expect(counts.filter((n) => n === 0).length).toBeGreaterThanOrEqual(3);
    expect(counts.some((n) => n > 0 && n < HARDWARE_ID_DEFINITIONS.length)).toBe(true);
    process.stderr.write(`\nfwupdtool hwids peer comparison:\n  ${summary.join('\n  ')}\n`);
  });
});

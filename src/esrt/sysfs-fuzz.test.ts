import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRoot } from '../../test/helpers/make-root.js';
import { machineRoot } from '../../test/helpers/run-cli.js';
import { createContext } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { detectPlatform } from '../platform/index.js';
import { readPlatformSignals } from '../platform/signals.js';
import { loadEsrt } from './index.js';

const SEED = 0xe5a7;
const CASES = 400;

describe(`sysfs ESRT mutations (seed 0x${SEED.toString(16)}, ${CASES} cases)`, () => {
  it('every mutated tree gives a verdict or a typed error, never a crash', () => {
    let seed = SEED;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const garbage = [
      '',
      '\n',
      'abc\n',
      '-1\n',
      '0x\n',
      '4294967296\n',
      '99999999999999999999999\n',
      '0xafafafaf\n',
      '1 2\n',
      '\u0000\n',
      'ffffffff-ffff-ffff-ffff-ffffffffffff\n',
      '7\n',
      '128\n',
      '129\n',
      '0\n',
    ];
    const root = makeRoot({}, machineRoot('bare-metal-three-entries'));
    const esrt = path.join(root, 'sys/firmware/efi/esrt');
    const files = (fs.readdirSync(esrt, { recursive: true }) as string[]).filter((f) =>
      fs.statSync(path.join(esrt, f)).isFile(),
    );
    const originals = new Map(files.map((f) => [f, fs.readFileSync(path.join(esrt, f))]));
    const statuses = new Set<string>();
    for (let round = 0; round < CASES; round++) {
      for (const [file, bytes] of originals) fs.writeFileSync(path.join(esrt, file), bytes);
      fs.rmSync(path.join(esrt, 'entries/entry9'), { recursive: true, force: true });
      const edits = 1 + (next() % 3);
      for (let e = 0; e < edits; e++) {
        const file = files[next() % files.length] ?? '';
        const choice = next() % 4;
        if (choice === 0) fs.rmSync(path.join(esrt, file), { force: true });
        else if (choice === 1) fs.writeFileSync(path.join(esrt, file), garbage[next() % garbage.length] ?? '');
        else if (choice === 2)
          fs.writeFileSync(
            path.join(esrt, file),
            Buffer.from(Array.from({ length: next() % 40 }, () => next() & 0xff)),
          );
        else fs.mkdirSync(path.join(esrt, 'entries/entry9'), { recursive: true });
      }
      const ctx = createContext({ root });
      try {
        const verdict = loadEsrt(ctx, detectPlatform(readPlatformSignals(ctx)));
        statuses.add(verdict.status);
        for (const entry of verdict.entries) {
          for (const value of [entry.fwVersion, entry.capsuleFlags, entry.lastAttemptStatus]) {
            if (value !== null) expect(Number.isInteger(value) && value >= 0 && value <= 0xffffffff).toBe(true);
          }
        }
      } catch (error) {
        expect(error).toBeInstanceOf(CapstanError);
      }
    }
    // the mutations must reach every verdict, or the test proves little
    expect([...statuses].sort()).toEqual(['hidden', 'trusted', 'trusted-with-warnings']);
  });
});

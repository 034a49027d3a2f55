import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FWUPD_ENTRY } from '../../test/catalogs/efi/objects.js';
import {
  BOOT_ENTRY_152,
  BOOT_NEXT_0002_FILE,
  FW_CLASS,
  fromHex,
  OS_INDICATIONS_0X4_FILE,
  UPDATE_INFO_226,
} from '../../test/catalogs/efi/reference-bytes.js';
import { makeRoot } from '../../test/helpers/make-root.js';
import { createContext } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import {
  OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED,
  readBootNext,
  setOsIndicationsBits,
  writeBootEntry,
  writeBootNext,
} from './boot-vars.js';
import { EFI_GLOBAL_VARIABLE_GUID, FWUPDATE_GUID } from './guid.js';
import { createInodeFlagsAccess, EFIVARFS_MAGIC, FS_IMMUTABLE_FL } from './inode-flags.js';
import { createDefaultEfivarfsIo, type EfivarfsIo, LinuxEfivarfsStore } from './linux-efivarfs.js';
import { MemoryEfiVarStore } from './store.js';
import { updateInfoVariableName } from './structs/update-info.js';

const G = EFI_GLOBAL_VARIABLE_GUID;
const F = FWUPDATE_GUID;
const UPDATE = updateInfoVariableName(FW_CLASS);
const DIR = 'sys/firmware/efi/efivars';

function errno(code: string): Error {
  return Object.assign(new Error(code), { code });
}

interface Setup {
  root: string;
  store: LinuxEfivarfsStore;
  /** Every io call, in order, as `name arg…` (paths relative to the efivars directory). */
  calls: string[];
  warnings: string[];
  file(name: string, guid: string): string;
}

/** A store on a temporary root whose io records every call; `overrides` inject faults. */
function setup(
  overrides: (real: EfivarfsIo, calls: string[]) => Partial<EfivarfsIo> = () => ({}),
  tree: Record<string, Uint8Array | string | null> = {},
): Setup {
  const root = makeRoot({ [DIR]: null, ...tree });
  const warnings: string[] = [];
  const log: Logger = {
    debug: () => {},
    info: () => {},
    warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields)}`),
    error: () => {},
  };
  const ctx = createContext({ root, log });
  const calls: string[] = [];
  const short = (p: string) => path.relative(path.join(root, DIR), p);
  const real = createDefaultEfivarfsIo();
  const recorded: EfivarfsIo = {
    ...real,
    openSync: (p, flags, mode) => {
      calls.push(`open ${short(p)} ${describeFlags(flags)}`);
      return real.openSync(p, flags, mode);
    },
    writeSync: (fd, data) => {
      calls.push(`write ${data.length}`);
      return real.writeSync(fd, data);
    },
    unlinkSync: (p) => {
      calls.push(`unlink ${short(p)}`);
      real.unlinkSync(p);
    },
    ioctlFlags: (p) => {
      calls.push(`getflags ${short(p)}`);
      return real.ioctlFlags(p);
    },
    setIoctlFlags: (p, flags) => {
      calls.push(`setflags ${short(p)} 0x${flags.toString(16)}`);
      real.setIoctlFlags(p, flags);
    },
    sleep: (ms) => calls.push(`sleep ${ms}`),
  };
  const io = { ...recorded, ...overrides(recorded, calls) };
  const store = new LinuxEfivarfsStore(ctx, io);
  return { root, store, calls, warnings, file: (name, guid) => path.join(root, DIR, `${name}-${guid}`) };
}

function describeFlags(flags: number): string {
  const { O_CREAT, O_TRUNC, O_APPEND } = fs.constants;
  return [
    'O_WRONLY',
    flags & O_CREAT ? 'O_CREAT' : '',
    flags & O_TRUNC ? 'O_TRUNC' : '',
    flags & O_APPEND ? 'O_APPEND' : '',
  ]
    .filter(Boolean)
    .join('|');
}

function catchCapstan(run: () => unknown): CapstanError {
  try {
    run();
  } catch (error) {
    if (error instanceof CapstanError) return error;
    throw error;
  }
  throw new Error('expected a CapstanError');
}

/** Pretends a flags-capable filesystem: flags live in a map, like an inode's. */
function fakeFlags(initial: Record<string, number>, calls: string[]): Partial<EfivarfsIo> {
  const flags = new Map(Object.entries(initial));
  const name = (p: string) => path.basename(p);
  return {
    ioctlFlags: (p) => {
      calls.push(`getflags ${name(p)}`);
      return flags.get(name(p)) ?? 0;
    },
    setIoctlFlags: (p, value) => {
      calls.push(`setflags ${name(p)} 0x${value.toString(16)}`);
      flags.set(name(p), value);
    },
  };
}

describe('LinuxEfivarfsStore files', () => {
  it('writes the efivarfs form: attributes + data', () => {
    const { store, file } = setup();
    writeBootNext(store, 2);
    expect(new Uint8Array(fs.readFileSync(file('BootNext', G)))).toEqual(BOOT_NEXT_0002_FILE);
    setOsIndicationsBits(store, OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED);
    expect(new Uint8Array(fs.readFileSync(file('OsIndications', G)))).toEqual(OS_INDICATIONS_0X4_FILE);
    writeBootEntry(store, 2, FWUPD_ENTRY);
    expect(new Uint8Array(fs.readFileSync(file('Boot0002', G)))).toEqual(
      Uint8Array.from([7, 0, 0, 0, ...BOOT_ENTRY_152]),
    );
    store.set(F, UPDATE, 7, UPDATE_INFO_226);
    expect(fs.readFileSync(file(UPDATE, F)).length).toBe(230);
    expect(readBootNext(store)).toEqual({ ok: true, index: 2 });
  });

  it('reads, rewrites shorter without a stale tail on a plain filesystem, deletes', () => {
    const { store, file, calls } = setup();
    store.set(F, UPDATE, 7, UPDATE_INFO_226);
    store.set(F, UPDATE, 7, fromHex('01'));
    expect(new Uint8Array(fs.readFileSync(file(UPDATE, F)))).toEqual(fromHex('07 00 00 00 01'));
    expect(calls.filter((c) => c.startsWith('open'))).toEqual([
      `open ${UPDATE}-${F} O_WRONLY|O_CREAT|O_TRUNC`,
      `open ${UPDATE}-${F} O_WRONLY|O_CREAT|O_TRUNC`,
    ]);
    expect(calls.filter((c) => c.startsWith('write'))).toEqual(['write 230', 'write 5']);
    store.delete(F, UPDATE);
    expect(fs.existsSync(file(UPDATE, F))).toBe(false);
  });

  it('on efivarfs: one write, no O_TRUNC, and a created file is marked immutable as fwupd does', () => {
    const { store, calls } = setup((_, log) => ({ fsType: () => EFIVARFS_MAGIC, ...fakeFlags({}, log) }));
    expect(store.isEfivarfs()).toBe(true);
    store.set(F, UPDATE, 7, UPDATE_INFO_226);
    expect(calls).toEqual([
      `open ${UPDATE}-${F} O_WRONLY|O_CREAT`,
      'write 230',
      `getflags ${UPDATE}-${F}`,
      `setflags ${UPDATE}-${F} 0x10`,
    ]);
  });

  it('names(guid) lists only Name-guid files of that GUID', () => {
    const { store } = setup(undefined, {
      [`${DIR}/Boot0000-${G}`]: fromHex('07 00 00 00 00'),
      [`${DIR}/${UPDATE}-${F}`]: fromHex('07 00 00 00 00'),
      [`${DIR}/Boot0001-${G.toUpperCase()}`]: fromHex('07 00 00 00 00'),
      [`${DIR}/README`]: 'not a variable',
      [`${DIR}/x-${G.slice(1)}`]: 'short guid',
      [`${DIR}/-${G}`]: 'empty name',
      [`${DIR}/${G}`]: 'no name',
    });
    expect(store.names(G)).toEqual([{ guid: G, name: 'Boot0000' }]);
    expect(store.names(F)).toEqual([{ guid: F, name: UPDATE }]);
    expect(store.names().map((n) => n.name)).toEqual([UPDATE, 'Boot0000']);
  });

  it('bounds reads: empty = absent, 1-4 bytes invalid, over 4 MiB + 4 refused', () => {
    const { store } = setup(undefined, {
      [`${DIR}/Empty-${F}`]: new Uint8Array(),
      [`${DIR}/Three-${F}`]: fromHex('07 00 00'),
      [`${DIR}/Four-${F}`]: fromHex('07 00 00 00'),
      [`${DIR}/Huge-${F}`]: new Uint8Array(4 * 1024 * 1024 + 5),
      [`${DIR}/Max-${F}`]: new Uint8Array(4 * 1024 * 1024 + 4),
    });
    expect(store.get(F, 'Empty')).toBeUndefined();
    expect(catchCapstan(() => store.get(F, 'Three'))).toMatchObject({ code: 'io-error' });
    expect(catchCapstan(() => store.get(F, 'Four')).message).toContain('no data');
    expect(catchCapstan(() => store.get(F, 'Huge')).message).toContain('over 4 MiB');
    expect(store.get(F, 'Max')?.data.length).toBe(4 * 1024 * 1024);
  });

  it('retries reads on EINTR/EAGAIN a few times, then gives up', () => {
    let failures = 2;
    const flaky = setup((real) => ({
      readFileSync: (p) => {
        if (failures-- > 0) throw errno(failures % 2 === 0 ? 'EINTR' : 'EAGAIN');
        return real.readFileSync(p);
      },
    }));
    flaky.store.set(G, 'BootNext', 7, fromHex('02 00'));
    expect(flaky.store.get(G, 'BootNext')).toEqual({ attributes: 7, data: fromHex('02 00') });
    expect(flaky.calls.filter((c) => c.startsWith('sleep'))).toEqual(['sleep 50', 'sleep 100']);
    const stuck = setup(() => ({
      readFileSync: () => {
        throw errno('EINTR');
      },
    }));
    expect(catchCapstan(() => stuck.store.get(G, 'BootNext'))).toMatchObject({ code: 'io-error' });
    expect(stuck.calls.filter((c) => c.startsWith('sleep'))).toHaveLength(4);
  });

  it('read errors: EACCES/EPERM → permission-denied, EIO → io-error', () => {
    const denied = setup(() => ({
      readFileSync: () => {
        throw errno('EACCES');
      },
    }));
    expect(catchCapstan(() => denied.store.get(G, 'BootNext'))).toMatchObject({
      code: 'permission-denied',
      hint: expect.stringContaining('root'),
    });
    const broken = setup(() => ({
      readFileSync: () => {
        throw errno('EIO');
      },
    }));
    expect(catchCapstan(() => broken.store.get(G, 'BootNext'))).toMatchObject({ code: 'io-error' });
  });

  it('without an efivars directory: unsupported, reads absent, writes efivars-unavailable', () => {
    const root = makeRoot({});
    const store = new LinuxEfivarfsStore(createContext({ root }));
    expect(store.supported()).toBe(false);
    expect(store.get(G, 'BootNext')).toBeUndefined();
    expect(store.names()).toEqual([]);
    store.delete(G, 'BootNext');
    expect(catchCapstan(() => store.set(G, 'BootNext', 7, fromHex('00 00')))).toMatchObject({
      code: 'efivars-unavailable',
      hint: expect.stringContaining('mount -t efivarfs'),
    });
  });

  it('seeds a MemoryEfiVarStore for a dry run', () => {
    const { store } = setup();
    writeBootNext(store, 2);
    store.set(F, UPDATE, 7, UPDATE_INFO_226);
    const memory = new MemoryEfiVarStore(store);
    expect(memory.get(F, UPDATE)?.data).toEqual(UPDATE_INFO_226);
    expect(memory.names()).toEqual(store.names());
    expect(memory.writes).toEqual([]);
  });
});

describe('the immutable flag', () => {
  it('set → cleared → written → restored', () => {
    const { store, calls } = setup((_, log) => fakeFlags({ [`${UPDATE}-${F}`]: 0x80010 }, log), {
      [`${DIR}/${UPDATE}-${F}`]: fromHex('07 00 00 00 00'),
    });
    store.set(F, UPDATE, 7, UPDATE_INFO_226);
    expect(calls).toEqual([
      `getflags ${UPDATE}-${F}`,
      `setflags ${UPDATE}-${F} 0x80000`,
      `open ${UPDATE}-${F} O_WRONLY|O_CREAT|O_TRUNC`,
      'write 230',
      `setflags ${UPDATE}-${F} 0x80010`,
    ]);
  });

  it('not set: nothing to restore; a plain-filesystem file it creates is not marked', () => {
    const { store, calls } = setup((_, log) => fakeFlags({}, log));
    store.set(F, UPDATE, 7, UPDATE_INFO_226);
    store.set(F, UPDATE, 7, UPDATE_INFO_226);
    expect(calls.filter((c) => c.startsWith('setflags'))).toEqual([]);
    expect(calls.filter((c) => c.startsWith('getflags'))).toHaveLength(1);
  });

  it('ENOTTY / ENOSYS / EINVAL from the ioctl: no flags here, proceed', () => {
    for (const code of ['ENOTTY', 'ENOSYS', 'EINVAL', 'EOPNOTSUPP']) {
      const { store, calls } = setup(
        () => ({
          fsType: () => EFIVARFS_MAGIC,
          ioctlFlags: () => {
            throw errno(code);
          },
          setIoctlFlags: () => {
            throw new Error('must not be called');
          },
        }),
        { [`${DIR}/${UPDATE}-${F}`]: fromHex('07 00 00 00 00') },
      );
      store.set(F, UPDATE, 7, UPDATE_INFO_226);
      store.set(F, 'New', 7, fromHex('01'));
      store.delete(F, UPDATE);
      expect(calls.filter((c) => c.startsWith('write'))).toEqual(['write 230', 'write 5']);
      expect(calls.filter((c) => c.startsWith('unlink'))).toEqual([`unlink ${UPDATE}-${F}`]);
    }
  });

  it('clearing fails with EPERM → permission-denied naming CAP_LINUX_IMMUTABLE, nothing written', () => {
    const { store, calls } = setup(
      () => ({
        ioctlFlags: () => FS_IMMUTABLE_FL,
        setIoctlFlags: () => {
          throw errno('EPERM');
        },
      }),
      { [`${DIR}/${UPDATE}-${F}`]: fromHex('07 00 00 00 00') },
    );
    const error = catchCapstan(() => store.set(F, UPDATE, 7, UPDATE_INFO_226));
    expect(error.code).toBe('permission-denied');
    expect(error.message).toBe(`clearing the immutable flag of efi variable ${UPDATE}-${F}: EPERM`);
    expect(error.hint).toContain('CAP_LINUX_IMMUTABLE');
    expect(calls.some((c) => c.startsWith('write'))).toBe(false);
    expect(catchCapstan(() => store.delete(F, UPDATE)).code).toBe('permission-denied');
  });

  it('a failed write restores the flag it cleared', () => {
    const { store, calls } = setup(
      (_, log) => ({
        ...fakeFlags({ [`${UPDATE}-${F}`]: 0x10 }, log),
        writeSync: () => {
          throw errno('ENOSPC');
        },
      }),
      { [`${DIR}/${UPDATE}-${F}`]: fromHex('07 00 00 00 00') },
    );
    expect(catchCapstan(() => store.set(F, UPDATE, 7, UPDATE_INFO_226)).code).toBe('io-error');
    expect(calls.filter((c) => c.startsWith('setflags'))).toEqual([
      `setflags ${UPDATE}-${F} 0x0`,
      `setflags ${UPDATE}-${F} 0x10`,
    ]);
  });

  it('a failed restore only warns: the value is written', () => {
    let sets = 0;
    const { store, warnings } = setup(
      () => ({
        ioctlFlags: () => FS_IMMUTABLE_FL,
        setIoctlFlags: () => {
          if (sets++ > 0) throw errno('EIO');
        },
      }),
      { [`${DIR}/${UPDATE}-${F}`]: fromHex('07 00 00 00 00') },
    );
    store.set(F, UPDATE, 7, fromHex('09'));
    expect(store.get(F, UPDATE)?.data).toEqual(fromHex('09'));
    expect(warnings).toEqual([expect.stringContaining('could not restore the immutable flag')]);
  });

  it('delete clears the flag, then unlinks; a failed unlink restores it', () => {
    const ok = setup((_, log) => fakeFlags({ [`${UPDATE}-${F}`]: 0x10 }, log), {
      [`${DIR}/${UPDATE}-${F}`]: fromHex('07 00 00 00 00'),
    });
    ok.store.delete(F, UPDATE);
    expect(ok.calls).toEqual([`getflags ${UPDATE}-${F}`, `setflags ${UPDATE}-${F} 0x0`, `unlink ${UPDATE}-${F}`]);
    const failing = setup(
      (_, log) => ({
        ...fakeFlags({ [`${UPDATE}-${F}`]: 0x10 }, log),
        unlinkSync: () => {
          throw errno('EPERM');
        },
      }),
      { [`${DIR}/${UPDATE}-${F}`]: fromHex('07 00 00 00 00') },
    );
    const error = catchCapstan(() => failing.store.delete(F, UPDATE));
    expect(error).toMatchObject({ code: 'permission-denied', hint: expect.stringContaining('Secure Boot') });
    expect(failing.calls.at(-1)).toBe(`setflags ${UPDATE}-${F} 0x10`);
  });

  it.skipIf(process.getuid?.() !== 0)('with the real ioctl on this filesystem (root only)', () => {
    const { store, file } = setup((real) => ({ ioctlFlags: real.ioctlFlags, setIoctlFlags: real.setIoctlFlags }));
    store.set(F, UPDATE, 7, UPDATE_INFO_226);
    const target = file(UPDATE, F);
    const flags = createInodeFlagsAccess();
    let supported = true;
    try {
      flags.set(target, flags.get(target) | FS_IMMUTABLE_FL);
    } catch {
      supported = false; // a filesystem without inode flags: nothing more to see
    }
    if (!supported) return;
    onTestFinished(() => {
      if (fs.existsSync(target)) flags.set(target, flags.get(target) & ~FS_IMMUTABLE_FL);
    });
    expect(() => fs.writeFileSync(target, 'x')).toThrow(/EPERM/);
    store.set(F, UPDATE, 7, fromHex('05'));
    expect(store.get(F, UPDATE)?.data).toEqual(fromHex('05'));
    expect(flags.get(target) & FS_IMMUTABLE_FL).toBe(FS_IMMUTABLE_FL);
    store.delete(F, UPDATE);
    expect(fs.existsSync(target)).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)('the chattr fallback when koffi cannot load (root only)', () => {
    const root = makeRoot({ 'f.bin': 'x' });
    const target = path.join(root, 'f.bin');
    const fallback = createInodeFlagsAccess({
      loadKoffi: () => {
        throw new Error('no koffi');
      },
    });
    expect(fallback.mechanism()).toBe('chattr');
    expect(createInodeFlagsAccess().mechanism()).toBe('ioctl');
    if (spawnSync('lsattr', ['-d', target]).status !== 0) return; // no flags on this filesystem
    expect(fallback.get(target) & FS_IMMUTABLE_FL).toBe(0);
    fallback.set(target, FS_IMMUTABLE_FL);
    onTestFinished(() => {
      spawnSync('chattr', ['-i', target]);
    });
    expect(fallback.get(target)).toBe(FS_IMMUTABLE_FL);
    fallback.set(target, 0);
    expect(fallback.get(target)).toBe(0);
    expect(() => fallback.get(path.join(root, 'missing'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});

describe('errno → CapstanError with advice', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['EROFS', 'efivars-read-only', /mount -o remount,rw \/sys\/firmware\/efi\/efivars/],
    ['EPERM', 'permission-denied', /immutable flag could not be cleared.*Secure Boot/],
    ['ENOSPC', 'io-error', /NVRAM is full: delete unused boot entries or reset NVRAM in firmware setup/],
    ['EINVAL', 'io-error', /malformed value for BootNext: this is a bug in capstan/],
    ['EACCES', 'permission-denied', /run capstan as root/],
    ['EIO', 'io-error', /dmesg/],
  ];

  for (const [code, errorCode, hint] of cases) {
    it(`${code} on write → ${errorCode}`, () => {
      const { store, file } = setup(() => ({
        writeSync: () => {
          throw errno(code);
        },
      }));
      const error = catchCapstan(() => store.set(G, 'BootNext', 7, fromHex('02 00')));
      expect(error.code).toBe(errorCode);
      expect(error.message).toBe(`writing efi variable BootNext-${G}: ${code}`);
      expect(error.hint).toMatch(hint);
      expect(error.details).toMatchObject({ guid: G, name: 'BootNext', errno: code });
      // The file the failed write created is not left behind.
      expect(fs.existsSync(file('BootNext', G))).toBe(false);
    });
  }

  it('EROFS at open and on unlink', () => {
    const { store } = setup(
      () => ({
        openSync: () => {
          throw errno('EROFS');
        },
        unlinkSync: () => {
          throw errno('EROFS');
        },
      }),
      { [`${DIR}/BootNext-${G}`]: fromHex('07 00 00 00 02 00') },
    );
    expect(catchCapstan(() => store.set(G, 'BootNext', 7, fromHex('02 00'))).code).toBe('efivars-read-only');
    const error = catchCapstan(() => store.delete(G, 'BootNext'));
    expect(error).toMatchObject({ code: 'efivars-read-only', message: `deleting efi variable BootNext-${G}: EROFS` });
  });

  it('a short write is an io-error', () => {
    const { store } = setup(() => ({ writeSync: () => 3 }));
    expect(catchCapstan(() => store.set(G, 'BootNext', 7, fromHex('02 00'))).code).toBe('io-error');
  });
});

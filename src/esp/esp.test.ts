import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeEspMachine, virtioMachine } from '../../test/catalogs/esp/build-machine.js';
import { createContext } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { type Esp, type EspIo, nodeEspIo } from './esp.js';
import { locateEsp } from './locate.js';

function setup(io?: EspIo, extra: Record<string, string | Uint8Array | null> = {}): { root: string; esp: Esp } {
  const root = makeEspMachine(virtioMachine(), extra);
  const esp = locateEsp(createContext({ root }), undefined, io === undefined ? {} : { io });
  return { root, esp };
}

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Files whose name marks them as capstan temporaries, anywhere below `dir`. */
function temporaries(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.includes('.capstan-tmp'));
}

function failing(method: keyof EspIo, code = 'EIO', afterCalls = 0): EspIo {
  let calls = 0;
  return {
    ...nodeEspIo,
    [method]: (...args: unknown[]) => {
      if (calls++ >= afterCalls) throw Object.assign(new Error(`${method} failed`), { code });
      return (nodeEspIo[method] as (...a: unknown[]) => unknown)(...args);
    },
  } as EspIo;
}

describe('Esp file operations', () => {
  it('writes atomically, creating parent directories, and reads back', () => {
    const { root, esp } = setup();
    const rel = 'EFI/debian/fw/fwupd-ddc0ee61-e7f0-4e7d-acc5-c070a398838e.cap';
    esp.writeFileAtomic(rel, new TextEncoder().encode('capsule v1'));
    esp.writeFileAtomic(rel, new TextEncoder().encode('capsule v2'), 0o600);
    const host = path.join(root, 'boot/efi', rel);
    expect(fs.readFileSync(host, 'utf8')).toBe('capsule v2');
    expect(fs.statSync(host).mode & 0o777).toBe(0o600);
    expect(esp.resolve(rel)).toBe(host);
    expect(esp.exists(rel)).toBe(true);
    expect(esp.exists('EFI/debian/fw/other.cap')).toBe(false);
    expect(esp.list('EFI/debian/fw')).toEqual(['fwupd-ddc0ee61-e7f0-4e7d-acc5-c070a398838e.cap']);
    expect(esp.list('EFI/missing')).toEqual([]);
    expect(esp.sha256(rel)).toBe(sha256('capsule v2'));
    expect(esp.sha256('EFI/none.cap')).toBeUndefined();
    expect(esp.systemPath(rel)).toBe(`/boot/efi/${rel}`);
    expect(esp.pathOnPartition(rel)).toBe(`/${rel}`);
    expect(temporaries(path.join(root, 'boot/efi'))).toEqual([]);
  });

  it('copies a system file by streaming it, and skips an identical copy', () => {
    const helper = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 7) & 0xff);
    const { root, esp } = setup(undefined, { 'usr/libexec/fwupd/efi/fwupdx64.efi.signed': helper });
    const source = '/usr/libexec/fwupd/efi/fwupdx64.efi.signed';
    const first = esp.copyFileAtomic('EFI/debian/fwupdx64.efi', source);
    expect(first).toEqual({ copied: true, sha256: sha256(helper), bytes: helper.length });
    expect(fs.readFileSync(path.join(root, 'boot/efi/EFI/debian/fwupdx64.efi')).equals(helper)).toBe(true);
    expect(esp.copyFileAtomic('EFI/debian/fwupdx64.efi', source, { skipIfIdentical: true })).toEqual({
      ...first,
      copied: false,
    });
    expect(() => esp.copyFileAtomic('EFI/debian/x.efi', '/usr/libexec/fwupd/efi/missing.efi')).toThrow(
      /copying .*\/usr\/libexec\/fwupd\/efi\/missing\.efi to the ESP: not a regular file/,
    );
  });

  it('removes files, not directories', () => {
    const { esp } = setup();
    esp.writeFileAtomic('EFI/debian/fw/a.cap', new Uint8Array([1]));
    expect(esp.remove('EFI/debian/fw/a.cap')).toBe(true);
    expect(esp.remove('EFI/debian/fw/a.cap')).toBe(false);
    expect(() => esp.remove('EFI/debian/fw')).toThrow(/refusing to remove directory \/boot\/efi\/EFI\/debian\/fw/);
  });

  it('refuses .., absolute paths, backslashes and the ESP itself', () => {
    const { esp } = setup();
    for (const bad of ['../etc/passwd', 'EFI/../../etc/passwd', '/EFI/x', 'EFI\\debian\\x', 'a\0b']) {
      expect(() => esp.writeFileAtomic(bad, new Uint8Array(1))).toThrow(/^refusing the ESP path/);
      expect(() => esp.resolve(bad)).toThrow(CapstanError);
    }
    expect(() => esp.writeFileAtomic('', new Uint8Array(1))).toThrow(/it names the ESP itself/);
    expect(() => esp.remove('./')).toThrow(/it names the ESP itself/);
  });

  it('refuses a symlink anywhere along the path inside the ESP', () => {
    const { root, esp } = setup(undefined, { 'etc/target/.keep': '' });
    fs.mkdirSync(path.join(root, 'boot/efi/EFI/debian'), { recursive: true });
    fs.symlinkSync('/etc/target', path.join(root, 'boot/efi/EFI/debian/fw'));
    fs.symlinkSync('../../../etc/passwd', path.join(root, 'boot/efi/EFI/debian/fwupdx64.efi'));
    const refused = /refusing the symlink \/boot\/efi\/EFI\/debian\/(fw|fwupdx64\.efi) inside the ESP/;
    expect(() => esp.writeFileAtomic('EFI/debian/fw/x.cap', new Uint8Array(1))).toThrow(refused);
    expect(() => esp.resolve('EFI/debian/fw/x.cap')).toThrow(refused);
    expect(() => esp.exists('EFI/debian/fw')).toThrow(refused);
    expect(() => esp.writeFileAtomic('EFI/debian/fwupdx64.efi', new Uint8Array(1))).toThrow(refused);
    expect(() => esp.remove('EFI/debian/fwupdx64.efi')).toThrow(refused);
    expect(() => esp.sha256('EFI/debian/fwupdx64.efi')).toThrow(refused);
    expect(fs.readdirSync(path.join(root, 'etc/target'))).toEqual(['.keep']);
  });

  for (const [method, afterCalls] of [
    ['write', 0],
    ['fsync', 0],
    ['rename', 0],
  ] as const) {
    it(`leaves the old file and no temporary file when ${method} fails`, () => {
      const { root, esp } = setup(failing(method, 'EIO', afterCalls), {
        'boot/efi/EFI/debian/fw/a.cap': 'old',
      });
      const error = (() => {
        try {
          esp.writeFileAtomic('EFI/debian/fw/a.cap', new TextEncoder().encode('new content'));
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(CapstanError);
      expect((error as CapstanError).code).toBe('io-error');
      expect((error as CapstanError).message).toMatch(/^writing .*\/boot\/efi\/EFI\/debian\/fw\/a\.cap: EIO$/);
      expect(fs.readFileSync(path.join(root, 'boot/efi/EFI/debian/fw/a.cap'), 'utf8')).toBe('old');
      expect(temporaries(path.join(root, 'boot/efi'))).toEqual([]);
    });
  }

  it('turns ENOSPC in the middle of a streamed copy into advice, leaving nothing behind', () => {
    const big = new Uint8Array(2 * 1024 * 1024 + 5);
    const { root, esp } = setup(failing('write', 'ENOSPC', 1), { 'usr/lib/helper.efi': big });
    let error: unknown;
    try {
      esp.copyFileAtomic('EFI/debian/fwupdx64.efi', '/usr/lib/helper.efi');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'io-error', hint: 'the filesystem is full; free some space' });
    expect(fs.existsSync(path.join(root, 'boot/efi/EFI/debian/fwupdx64.efi'))).toBe(false);
    expect(temporaries(path.join(root, 'boot/efi'))).toEqual([]);
  });

  it('reports free space from statfs', () => {
    const { esp } = setup({ ...nodeEspIo, statfs: () => ({ bavail: 1000, bsize: 4096 }) });
    expect(esp.freeBytes()).toBe(4_096_000);
    expect(setup().esp.freeBytes()).toBeGreaterThan(0);
  });
});

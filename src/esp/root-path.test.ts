import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRoot } from '../../test/helpers/make-root.js';
import { createContext } from '../core/context.js';
import { tryRealpathInRoot } from './root-path.js';

function link(root: string, at: string, target: string): void {
  fs.mkdirSync(path.dirname(path.join(root, at)), { recursive: true });
  fs.symlinkSync(target, path.join(root, at));
}

describe('tryRealpathInRoot', () => {
  it('follows relative links the way sysfs uses them', () => {
    const root = makeRoot({ 'sys/devices/virtual/block/vda/vda1/partition': '1\n' });
    link(root, 'sys/dev/block/254:1', '../../devices/virtual/block/vda/vda1');
    const ctx = createContext({ root });
    expect(tryRealpathInRoot(ctx, '/sys/dev/block/254:1')).toBe('/sys/devices/virtual/block/vda/vda1');
    expect(tryRealpathInRoot(ctx, '/sys/dev/block/254:1/../vda1/./partition')).toBe(
      '/sys/devices/virtual/block/vda/vda1/partition',
    );
  });

  it('takes absolute targets as system paths inside the root (never the host)', () => {
    const root = makeRoot({ 'boot/efi/EFI/.keep': '', 'etc/passwd': 'inside\n' });
    link(root, 'efi', '/boot/efi');
    link(root, 'boot/efi/EFI/escape', '/etc');
    const ctx = createContext({ root });
    expect(tryRealpathInRoot(ctx, '/efi')).toBe('/boot/efi');
    expect(tryRealpathInRoot(ctx, '/boot/efi/EFI/escape/passwd')).toBe('/etc/passwd');
  });

  it('keeps relative links that climb above / inside the root, as a chroot does', () => {
    const root = makeRoot({ 'sys/.keep': '', 'tmp/inside': 'x' });
    link(root, 'sys/up', '../../../../../../tmp');
    const ctx = createContext({ root });
    expect(tryRealpathInRoot(ctx, '/sys/up/inside')).toBe('/tmp/inside');
    expect(tryRealpathInRoot(ctx, '/../../sys')).toBe('/sys');
  });

  it('refuses link loops and returns undefined for missing components', () => {
    const root = makeRoot({ 'x/file': 'f' });
    link(root, 'a', 'b');
    link(root, 'b', 'a');
    const ctx = createContext({ root });
    expect(() => tryRealpathInRoot(ctx, '/a')).toThrow(/too many levels of symlinks/);
    expect(tryRealpathInRoot(ctx, '/missing/x')).toBeUndefined();
    expect(tryRealpathInRoot(ctx, '/x/file/below')).toBeUndefined();
    expect(tryRealpathInRoot(ctx, '/')).toBe('/');
  });
});

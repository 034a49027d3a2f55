import { describe, expect, it } from 'vitest';
import { EXIT_STATUS } from '../src/core/exit-codes.js';
import { machineRoot, runCli } from './helpers/run-cli.js';

interface Check {
  id: string;
  status: string;
  message: string;
  fix?: string;
  code?: string;
}

async function doctor(machine: string, ...extra: string[]) {
  const result = await runCli(['--root', machineRoot(machine), 'doctor', '--json', ...extra]);
  const doc = result.json<{ checks: Check[]; summary: Record<string, number> }>();
  const check = (id: string): Check => {
    const found = doc.checks.find((c) => c.id === id);
    if (found === undefined) throw new Error(`no check ${id}`);
    return found;
  };
  return { status: result.status, doc, check };
}

describe('capstan doctor', () => {
  it('reports every check in order', async () => {
    const { doc } = await doctor('bare-metal');
    expect(doc.checks.map((c) => c.id)).toEqual([
      'platform',
      'kernel',
      'xen',
      'esrt',
      'efivars',
      'secure-boot',
      'fw-platform-size',
      'helper',
    ]);
  });

  it('passes a healthy bare-metal machine (helper missing is a warning)', async () => {
    const { status, check } = await doctor('bare-metal');
    expect(status).toBe(0);
    for (const id of ['platform', 'kernel', 'esrt', 'efivars', 'secure-boot', 'fw-platform-size']) {
      expect(check(id).status).toBe('pass');
    }
    expect(check('xen').status).toBe('skip');
    expect(check('secure-boot').message).toMatch(/^disabled/);
    expect(check('helper')).toMatchObject({ status: 'warn', fix: expect.stringContaining('fwupd-amd64-signed') });
  });

  it('reports Secure Boot enabled', async () => {
    const { check } = await doctor('bare-metal-secure-boot');
    expect(check('secure-boot')).toMatchObject({ status: 'pass', message: expect.stringMatching(/^enabled/) });
  });

  it('fails a read-only efivarfs with its own exit status', async () => {
    const { status, check } = await doctor('bare-metal-efivars-ro');
    expect(check('efivars')).toMatchObject({
      status: 'fail',
      code: 'efivars-read-only',
      fix: expect.stringContaining('remount,rw'),
    });
    expect(status).toBe(EXIT_STATUS['efivars-read-only']);
  });

  it('suspects efi=no-rs when a Xen dom0 has no variables', async () => {
    const { status, check } = await doctor('xen-pv-dom0-no-efivars');
    expect(check('esrt').status).toBe('pass');
    expect(check('efivars')).toMatchObject({
      status: 'fail',
      code: 'efivars-unavailable',
      message: expect.stringContaining('efi=no-rs'),
    });
    expect(status).toBe(EXIT_STATUS['efivars-unavailable']);
  });

  it('fails 32-bit UEFI', async () => {
    const { check } = await doctor('bare-metal-32bit-uefi');
    expect(check('fw-platform-size')).toMatchObject({ status: 'fail', code: 'unsupported-platform' });
  });

  it('names the kernel to boot on a Xen dom0 with Linux 6.1', async () => {
    const { status, check } = await doctor('xen-pv-dom0-old-kernel');
    expect(check('platform')).toMatchObject({
      status: 'pass',
      message: expect.stringContaining('Xen PV dom0 (Xen 4.17.7'),
    });
    expect(check('kernel')).toMatchObject({ status: 'fail', fix: 'boot a dom0 kernel >= 6.3' });
    expect(check('esrt')).toMatchObject({
      status: 'fail',
      code: 'esrt-unavailable',
      message: expect.stringContaining('seen in the kernel log'),
    });
    expect(check('xen').status).toBe('warn');
    expect(status).toBe(EXIT_STATUS['esrt-unavailable']);
  });

  it('names the Xen to install when Xen does not preserve the ESRT', async () => {
    const { check } = await doctor('xen-pv-dom0-xen-not-preserving');
    expect(check('kernel').status).toBe('pass');
    expect(check('xen')).toMatchObject({ status: 'fail', fix: expect.stringContaining('4.19.5') });
    expect(check('esrt')).toMatchObject({ status: 'fail', message: expect.stringContaining('dropped as unusable') });
  });

  it('warns about the Xen copy bug and names the fixed versions', async () => {
    const { status, check } = await doctor('xen-pv-dom0-copy-bug');
    expect(check('xen')).toMatchObject({ status: 'warn', message: expect.stringContaining('4.17.7') });
    expect(check('esrt')).toMatchObject({ status: 'warn', fix: expect.stringContaining('--xen-esrt-fixed') });
    expect(status).toBe(0);
  });

  it('notes that PVH dom0 is experimental before Xen 4.19', async () => {
    const { check } = await doctor('xen-pvh-dom0-experimental');
    expect(check('platform').message).toContain('Xen PVH dom0');
    expect(check('xen').status).toBe('warn');
  });

  it('passes a fixed Xen PVH dom0', async () => {
    const { status, check } = await doctor('xen-pvh-dom0');
    expect(check('xen')).toMatchObject({ status: 'pass', message: expect.stringContaining('4.19.5') });
    expect(status).toBe(0);
  });

  it('refuses a domU but still reports, skipping what cannot apply', async () => {
    const { status, check, doc } = await doctor('xen-pv-domu');
    expect(check('platform')).toMatchObject({ status: 'fail', code: 'xen-domu', fix: expect.stringContaining('dom0') });
    expect(check('esrt').status).toBe('skip');
    expect(check('efivars').status).toBe('skip');
    expect(doc.summary.fail).toBe(1);
    expect(status).toBe(EXIT_STATUS['xen-domu']);
  });

  it('prints a readable report with a fix under each problem', async () => {
    const result = await runCli(['--root', machineRoot('xen-pv-dom0-old-kernel'), 'doctor']);
    expect(result.stdout).toMatch(/^FAIL {2}Kernel +Linux 6\.1 does not expose the ESRT under Xen/m);
    expect(result.stdout).toMatch(/fix: boot a dom0 kernel >= 6\.3/);
    expect(result.stdout).toMatch(/\d passed, \d warning\(s\), \d failed, \d skipped\n$/);
  });
});

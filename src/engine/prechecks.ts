import fs from 'node:fs';
import type { Context } from '../core/context.js';
import { readEfiVariable, readEfivarfsState } from '../efi/efivarfs.js';
import { EFI_GLOBAL_VARIABLE_GUID } from '../efi/guid.js';
import { readMounts } from '../efi/mounts.js';
import { HELPER_DIR } from './host-facts.js';

export type PrecheckStatus = 'pass' | 'fail' | 'unknown';

export interface Precheck {
  id: 'esp-space' | 'ac-power' | 'battery' | 'secure-boot-helper' | 'efivars-writable';
  status: PrecheckStatus;
  message: string;
  hint?: string;
}

/** fwupd's default battery threshold (fwupd-cli-behaviour.md §5). */
export const BATTERY_THRESHOLD_PERCENT = 10;
const ESP_CANDIDATES = ['/efi', '/boot', '/boot/efi'];

/**
 * What `update` will check before writing anything, as far as it can be known now. `payloadBytes`
 * is the largest capsule the plan stages (free space needed: 2 x payload + 1 MiB, as fwupd).
 */
export function runPrechecks(ctx: Context, payloadBytes: number | undefined): Precheck[] {
  return [checkEspSpace(ctx, payloadBytes), checkAcPower(ctx), checkBattery(ctx), checkHelper(ctx), checkEfivars(ctx)];
}

function checkEspSpace(ctx: Context, payloadBytes: number | undefined): Precheck {
  const mounts = readMounts(ctx);
  const esp = ESP_CANDIDATES.map((path) => mounts.filter((m) => m.mountPoint === path).at(-1)).find(
    (m) => m !== undefined && m.fsType === 'vfat',
  );
  if (esp === undefined) {
    return {
      id: 'esp-space',
      status: 'unknown',
      message: 'no vfat ESP is mounted at /efi, /boot or /boot/efi',
      hint: 'mount the EFI system partition at /boot/efi (or /efi)',
    };
  }
  let free: number;
  try {
    const stats = fs.statfsSync(ctx.paths.resolve(esp.mountPoint));
    free = stats.bavail * stats.bsize;
  } catch {
    return { id: 'esp-space', status: 'unknown', message: `cannot read the free space of ${esp.mountPoint}` };
  }
  if (payloadBytes === undefined) {
    return {
      id: 'esp-space',
      status: 'unknown',
      message: `${esp.mountPoint} has ${mib(free)} free; the capsule size is not published`,
    };
  }
  const needed = 2 * payloadBytes + 1024 * 1024;
  return free >= needed
    ? { id: 'esp-space', status: 'pass', message: `${esp.mountPoint} has ${mib(free)} free, ${mib(needed)} needed` }
    : {
        id: 'esp-space',
        status: 'fail',
        message: `${esp.mountPoint} has ${mib(free)} free but ${mib(needed)} is needed (2 x capsule + 1 MiB)`,
        hint: 'remove old files from the ESP (for example stale EFI/*/fw/*.cap)',
      };
}

interface Supply {
  name: string;
  type: string;
  online?: string;
  capacity?: string;
  scope?: string;
}

function readSupplies(ctx: Context): Supply[] {
  const base = '/sys/class/power_supply';
  return (ctx.fs.tryListDir(base) ?? []).map((name) => {
    const read = (file: string): string | undefined => ctx.fs.tryReadText(`${base}/${name}/${file}`)?.trim();
    const online = read('online');
    const capacity = read('capacity');
    const scope = read('scope');
    return {
      name,
      type: read('type') ?? '',
      ...(online === undefined ? {} : { online }),
      ...(capacity === undefined ? {} : { capacity }),
      ...(scope === undefined ? {} : { scope }),
    };
  });
}

function checkAcPower(ctx: Context): Precheck {
  const mains = readSupplies(ctx).filter((s) => s.type === 'Mains');
  if (mains.length === 0)
    return { id: 'ac-power', status: 'pass', message: 'no AC adapter reported (a desktop or server)' };
  if (mains.some((s) => s.online === '1')) return { id: 'ac-power', status: 'pass', message: 'on AC power' };
  return {
    id: 'ac-power',
    status: 'fail',
    message: 'not on AC power',
    hint: 'plug in the AC adapter before updating system firmware',
  };
}

function checkBattery(ctx: Context): Precheck {
  const batteries = readSupplies(ctx).filter(
    (s) => s.type === 'Battery' && s.scope !== 'Device' && s.capacity !== undefined,
  );
  if (batteries.length === 0) return { id: 'battery', status: 'pass', message: 'no system battery' };
  const lowest = Math.min(...batteries.map((b) => Number(b.capacity)));
  if (!Number.isFinite(lowest)) return { id: 'battery', status: 'unknown', message: 'battery capacity unreadable' };
  return lowest >= BATTERY_THRESHOLD_PERCENT
    ? { id: 'battery', status: 'pass', message: `battery at ${lowest}%` }
    : {
        id: 'battery',
        status: 'fail',
        message: `battery at ${lowest}%, below ${BATTERY_THRESHOLD_PERCENT}%`,
        hint: 'charge the battery before updating',
      };
}

function checkHelper(ctx: Context): Precheck {
  const secureBoot = readEfiVariable(ctx, EFI_GLOBAL_VARIABLE_GUID, 'SecureBoot')?.data[0] === 1;
  const signed = ctx.fs.exists(`${HELPER_DIR}/fwupdx64.efi.signed`);
  const unsigned = ctx.fs.exists(`${HELPER_DIR}/fwupdx64.efi`);
  if (secureBoot && !signed) {
    return {
      id: 'secure-boot-helper',
      status: 'fail',
      message: 'Secure Boot is on and the signed helper fwupdx64.efi.signed is missing',
      hint: 'apt-get install fwupd-amd64-signed',
    };
  }
  if (!signed && !unsigned) {
    return {
      id: 'secure-boot-helper',
      status: 'fail',
      message: `no fwupd EFI helper in ${HELPER_DIR}`,
      hint: 'apt-get install fwupd-amd64-signed',
    };
  }
  return {
    id: 'secure-boot-helper',
    status: 'pass',
    message: secureBoot
      ? 'Secure Boot on; the signed helper is installed (shim is checked when staging)'
      : 'helper installed',
  };
}

function checkEfivars(ctx: Context): Precheck {
  const state = readEfivarfsState(ctx);
  if (state.state === 'writable') return { id: 'efivars-writable', status: 'pass', message: 'efivarfs is writable' };
  return {
    id: 'efivars-writable',
    status: 'fail',
    message: state.state === 'read-only' ? 'efivarfs is mounted read-only' : 'efivarfs is not available',
    hint:
      state.state === 'read-only'
        ? 'mount -o remount,rw /sys/firmware/efi/efivars'
        : 'mount -t efivarfs efivarfs /sys/firmware/efi/efivars',
  };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

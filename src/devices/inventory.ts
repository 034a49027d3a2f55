import type { Context } from '../core/context.js';
import { loadEsrt } from '../esrt/index.js';
import type { EsrtVerdict } from '../esrt/types.js';
import { detectPlatform } from '../platform/index.js';
import { readPlatformSignals } from '../platform/signals.js';
import type { Platform } from '../platform/types.js';
import { type Device, toDevice } from './device.js';

/** The machine as the commands see it: platform (unless a dump is used), ESRT verdict, devices. */
export interface Inventory {
  platform: Platform | undefined;
  esrt: EsrtVerdict;
  devices: Device[];
}

/** Refusals (legacy BIOS, domU, VM) throw; an absent or hidden ESRT is returned for the caller to judge. */
export function readInventory(ctx: Context): Inventory {
  const platform = ctx.options.esrtFile === undefined ? detectPlatform(readPlatformSignals(ctx)) : undefined;
  const esrt = loadEsrt(ctx, platform);
  return { platform, esrt, devices: esrt.entries.map((entry) => toDevice(entry)) };
}

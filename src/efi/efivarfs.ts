import type { Context } from '../core/context.js';
import { findMount, readMounts } from './mounts.js';

export const EFIVARS_DIR = '/sys/firmware/efi/efivars';

export interface EfiVariable {
  attributes: number;
  data: Uint8Array;
}

export type EfivarfsState =
  | { state: 'writable'; variableCount: number }
  | { state: 'read-only'; variableCount: number }
  | { state: 'not-mounted'; variableCount: number }
  | { state: 'empty'; variableCount: 0 };

const VARIABLE_FILE = /^[^/]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Reads one variable (`Name-guid`: u32 LE attributes + data). The write side, with the immutable
 * flag and EINTR handling, belongs to the staging work; reading needs none of it.
 */
export function readEfiVariable(ctx: Context, guid: string, name: string): EfiVariable | undefined {
  const bytes = ctx.fs.tryReadBytes(`${EFIVARS_DIR}/${name}-${guid}`);
  if (bytes === undefined || bytes.length < 4) return undefined;
  return { attributes: bytes.readUInt32LE(0), data: new Uint8Array(bytes.subarray(4)) };
}

export function listEfiVariableFiles(ctx: Context): string[] {
  return (ctx.fs.tryListDir(EFIVARS_DIR) ?? []).filter((name) => VARIABLE_FILE.test(name));
}

/** Is efivarfs mounted, read-write, and exposing variables? */
export function readEfivarfsState(ctx: Context): EfivarfsState {
  const variableCount = listEfiVariableFiles(ctx).length;
  const mount = findMount(readMounts(ctx), EFIVARS_DIR);
  if (mount === undefined || mount.fsType !== 'efivarfs') {
    return variableCount === 0 ? { state: 'empty', variableCount: 0 } : { state: 'not-mounted', variableCount };
  }
  if (variableCount === 0) return { state: 'empty', variableCount: 0 };
  return mount.options.includes('ro') ? { state: 'read-only', variableCount } : { state: 'writable', variableCount };
}

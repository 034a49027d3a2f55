/**
 * EfiVarStore: the primitives every EFI variable access goes through (STYLE.md §5.2). BootNext,
 * BootOrder, Boot####, OsIndications and the update-info variable are functions on top
 * (boot-vars.ts, structs/update-info.ts), never methods here.
 *
 * Contract, shared by every implementation and checked by one suite (store-contract.test.ts):
 * - `get` returns a copy, or undefined when the variable does not exist;
 * - `set` replaces the whole value (attributes + data) in one write; data must be non-empty (a
 *   zero-length write deletes a variable on efivarfs, so that is `delete`'s job); with
 *   EFI_VARIABLE_APPEND_WRITE (0x40) the data is appended and the stored attributes are kept;
 * - `delete` of a missing variable is a no-op;
 * - `names(guid)` lists `{guid, name}` sorted by guid then name; without a guid, every variable;
 * - names and GUIDs are validated the same way everywhere (TypeError), and the kernel's own
 *   validation of whitelisted global variables (BootNext, Boot####, ...) is applied before any
 *   write (CapstanError io-error), so a dry run fails where the real run would.
 */
import { CapstanError } from '../core/errors.js';
import type { EfiVariable } from './efivarfs.js';
import { isGuid } from './guid.js';
import { validateKernelVariable } from './variable-policy.js';

export type { EfiVariable } from './efivarfs.js';

export const EFI_VARIABLE_NON_VOLATILE = 0x1;
export const EFI_VARIABLE_BOOTSERVICE_ACCESS = 0x2;
export const EFI_VARIABLE_RUNTIME_ACCESS = 0x4;
export const EFI_VARIABLE_HARDWARE_ERROR_RECORD = 0x8;
export const EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS = 0x10;
export const EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS = 0x20;
export const EFI_VARIABLE_APPEND_WRITE = 0x40;
/** NV | BS | RT: every variable fwupd (and capstan) writes. */
export const EFI_VARIABLE_DEFAULT_ATTRIBUTES = 0x7;
/** systemd's bound: variables are at most 4 MiB (efivarfs files: + 4 attribute bytes). */
export const EFI_VARIABLE_MAX_DATA = 4 * 1024 * 1024;

export interface EfiVarName {
  guid: string;
  name: string;
}

export interface EfiVarRecord extends EfiVarName, EfiVariable {}

export interface EfiVarWrite {
  op: 'set' | 'delete';
  guid: string;
  name: string;
  attributes?: number;
  data?: Uint8Array;
}

export interface EfiVarStore {
  get(guid: string, name: string): EfiVariable | undefined;
  set(guid: string, name: string, attributes: number, data: Uint8Array): void;
  delete(guid: string, name: string): void;
  names(guid?: string): EfiVarName[];
  supported(): boolean;
}

/** Throws TypeError for a GUID that is not lower-case canonical or a name efivarfs cannot hold. */
export function assertVariableId(guid: string, name: string): void {
  if (typeof guid !== 'string' || !isGuid(guid)) throw new TypeError(`not a lower-case guid: ${String(guid)}`);
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('variable name must not be empty');
  if (name.length > 512) throw new TypeError(`variable name is ${name.length} characters, over 512`);
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code === 0 || char === '/' || code > 0xffff) {
      throw new TypeError(`variable name ${JSON.stringify(name)} contains a character efivarfs cannot hold`);
    }
  }
}

/** Argument checks and the kernel's validation, shared by every store's `set`. */
export function checkVariableWrite(guid: string, name: string, attributes: number, data: Uint8Array): void {
  assertVariableId(guid, name);
  if (!Number.isInteger(attributes) || attributes < 0 || attributes > 0xffff_ffff) {
    throw new TypeError(`variable attributes must be a u32, got ${attributes}`);
  }
  if (!(data instanceof Uint8Array)) throw new TypeError('variable data must be a Uint8Array');
  if (data.length === 0) throw new TypeError(`refusing to write ${name} with no data: use delete`);
  if (data.length > EFI_VARIABLE_MAX_DATA) {
    throw new TypeError(`variable ${name} is ${data.length} bytes, over the 4 MiB bound`);
  }
  const invalid = validateKernelVariable(guid, name, data, attributes);
  if (invalid !== undefined) {
    throw new CapstanError('io-error', `refusing to write a malformed ${name}: ${invalid}`, {
      hint: 'the kernel would reject this value (EINVAL); this is a bug in capstan, please report it',
      details: { guid, name, size: data.length },
    });
  }
}

function key(guid: string, name: string): string {
  return `${guid}\u0000${name}`;
}

export function compareVarNames(a: EfiVarName, b: EfiVarName): number {
  if (a.guid !== b.guid) return a.guid < b.guid ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Copies variables out of a store. `guids` limits the copy (reading every variable of a real
 * NVRAM can hit firmware-protected ones); variables that fail to read are skipped and listed.
 */
export function snapshotEfiVarStore(
  store: EfiVarStore,
  guids?: readonly string[],
): { records: EfiVarRecord[]; unreadable: EfiVarName[] } {
  const names = guids === undefined ? store.names() : guids.flatMap((guid) => store.names(guid));
  const records: EfiVarRecord[] = [];
  const unreadable: EfiVarName[] = [];
  for (const { guid, name } of names) {
    try {
      const variable = store.get(guid, name);
      if (variable !== undefined) records.push({ guid, name, attributes: variable.attributes, data: variable.data });
    } catch {
      unreadable.push({ guid, name });
    }
  }
  return { records, unreadable };
}

export interface MemoryEfiVarStoreOptions {
  /** What `supported()` answers (default true). */
  supported?: boolean;
}

/**
 * An in-memory store for tests and `--dry-run=stage`. It may start from a snapshot of another
 * store, and records every effective write in `writes` (a delete of a missing variable changes
 * nothing and is not recorded) so the run can be printed.
 */
export class MemoryEfiVarStore implements EfiVarStore {
  readonly writes: EfiVarWrite[] = [];
  readonly #variables = new Map<string, EfiVarRecord>();
  readonly #supported: boolean;

  constructor(seed: EfiVarStore | readonly EfiVarRecord[] = [], options: MemoryEfiVarStoreOptions = {}) {
    this.#supported = options.supported ?? true;
    const records = Array.isArray(seed) ? seed : snapshotEfiVarStore(seed as EfiVarStore).records;
    for (const record of records as readonly EfiVarRecord[]) {
      assertVariableId(record.guid, record.name);
      this.#variables.set(key(record.guid, record.name), {
        guid: record.guid,
        name: record.name,
        attributes: record.attributes >>> 0,
        data: new Uint8Array(record.data),
      });
    }
  }

  get(guid: string, name: string): EfiVariable | undefined {
    assertVariableId(guid, name);
    const found = this.#variables.get(key(guid, name));
    return found === undefined ? undefined : { attributes: found.attributes, data: new Uint8Array(found.data) };
  }

  set(guid: string, name: string, attributes: number, data: Uint8Array): void {
    checkVariableWrite(guid, name, attributes, data);
    const existing = this.#variables.get(key(guid, name));
    const append = (attributes & EFI_VARIABLE_APPEND_WRITE) !== 0;
    const stored =
      append && existing !== undefined
        ? { attributes: existing.attributes, data: concat(existing.data, data) }
        : { attributes: (attributes & ~EFI_VARIABLE_APPEND_WRITE) >>> 0, data: new Uint8Array(data) };
    this.#variables.set(key(guid, name), { guid, name, ...stored });
    this.writes.push({ op: 'set', guid, name, attributes, data: new Uint8Array(data) });
  }

  delete(guid: string, name: string): void {
    assertVariableId(guid, name);
    if (this.#variables.delete(key(guid, name))) this.writes.push({ op: 'delete', guid, name });
  }

  names(guid?: string): EfiVarName[] {
    if (guid !== undefined && !isGuid(guid)) throw new TypeError(`not a lower-case guid: ${guid}`);
    return [...this.#variables.values()]
      .filter((record) => guid === undefined || record.guid === guid)
      .map(({ guid: g, name }) => ({ guid: g, name }))
      .sort(compareVarNames);
  }

  supported(): boolean {
    return this.#supported;
  }

  /** Every variable now held (copies), sorted like `names()`. */
  snapshot(): EfiVarRecord[] {
    return this.names().flatMap(({ guid, name }) => {
      const variable = this.get(guid, name);
      return variable === undefined ? [] : [{ guid, name, ...variable }];
    });
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** One line per write for `--dry-run`: `set Boot0002-8be4df61-… attributes 0x7, 152 bytes`. */
export function describeEfiVarWrite(write: EfiVarWrite): string {
  const id = `${write.name}-${write.guid}`;
  if (write.op === 'delete') return `delete ${id}`;
  return `set ${id} attributes 0x${(write.attributes ?? 0).toString(16)}, ${write.data?.length ?? 0} bytes`;
}

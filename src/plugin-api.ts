/**
 * The only module plugins import (STYLE.md §5.7, checked by test/conventions.test.ts): the update-method
 * contract (`UpdateMethod`, `StageInput`, `PlannedWrite`) plus named re-exports of the engine pieces a
 * plugin needs to compute its writes. Plugins compute *what* to write as pure data; the engine reads the
 * machine into a `StageInput` and performs the writes (receipt first, then the write), so a plugin never
 * touches the file system, the network, the history or the CLI.
 *
 * Facts: /work/shared/reference/uefi-capsule-update.md (§3 method choice, §4 ESP layout, §5 update info,
 * §6 capsule header, §7 Boot####, §9 capsule-on-disk, §10 order of operations) and fwupd 2.0.20's
 * plugins/uefi-capsule sources.
 */
import { createHash } from 'node:crypto';
import { CapstanError } from './core/errors.js';
import type { ErrorCode } from './core/exit-codes.js';
import type { EfiVarStore } from './efi/store.js';
import { planCapsuleLayout } from './engine/capsule.js';
import type { MethodId } from './engine/method.js';
import type { EspGeometry } from './esp/types.js';
import type { PlatformKind } from './platform/types.js';

// --- re-exports: errors and findings ---
export { CapstanError, type ErrorOptions, isCapstanError, withContext } from './core/errors.js';
export type { ErrorCode } from './core/exit-codes.js';
export { type Problem, problem, type Severity } from './core/problem.js';
// --- re-exports: EFI variables and encodings ---
export {
  BOOT_NEXT,
  BOOT_ORDER,
  type BootEntry,
  bytesEqual,
  checkFwupdEfiAcceptance,
  concatBytes,
  type Decoded,
  type DevicePathNode,
  EFI_GLOBAL_VARIABLE_GUID,
  EFI_VARIABLE_APPEND_WRITE,
  EFI_VARIABLE_DEFAULT_ATTRIBUTES,
  type EfiVariable,
  type EfiVarStore,
  FMP_CAPSULE_GUID,
  FWUPD_BOOT_DESCRIPTION,
  FWUPD_CAPSULE_HEADER_SIZE,
  FWUPD_LEGACY_BOOT_DESCRIPTION,
  FWUPDATE_GUID,
  filePathNode,
  findFwupdBootEntry,
  findLowestUnusedBootIndex,
  fixupCapsuleFlags,
  formatBootEntryName,
  formatBootNext,
  formatBootOrder,
  formatDevicePath,
  formatLoadOption,
  formatOsIndications,
  formatShimArgument,
  formatUpdateInfo,
  type HardDriveNode,
  hardDriveNode,
  isFwupdBootOption,
  isGuid,
  LOAD_OPTION_ACTIVE,
  type LoadOption,
  listBootEntries,
  MemoryEfiVarStore,
  normalizeEfiPath,
  OS_INDICATIONS,
  OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED,
  OS_INDICATIONS_SUPPORTED,
  PARTITION_FORMAT_GPT,
  parseBootOrder,
  parseLoadOption,
  parseUpdateInfo,
  readBootEntryBytes,
  readBootOrder,
  SIGNATURE_TYPE_GUID,
  tryNormalizeGuid,
  UPDATE_INFO_VERSION,
  UPDATE_STATUS_ATTEMPT_UPDATE,
  type UpdateInfo,
  UX_CAPSULE_GUID,
  UX_CAPSULE_UPDATE_INFO_NAME,
  updateInfoVariableName,
} from './efi/index.js';
export { type CapsuleLayout, planCapsuleLayout } from './engine/capsule.js';
export { HELPER_DIR } from './engine/host-facts.js';
export type { MethodId } from './engine/method.js';
export type { EspGeometry } from './esp/types.js';
export type { PlatformKind } from './platform/types.js';

// --- the contract ---

/** How the engine streams the payload bytes when it performs an `esp-file` write of kind `capsule`. */
export type PayloadSource =
  /** A member of a cabinet on disk (a user path, not under --root), extracted while writing. */
  | { kind: 'cabinet-member'; cab: string; member: string }
  /** Bytes already in memory (tests, small payloads). */
  | { kind: 'bytes'; bytes: Uint8Array };

/** A helper binary under `<root>/usr/libexec/fwupd/efi` (fwupd's EFI app dir), hashed by the caller. */
export interface HelperBinary {
  /** System path (`/usr/libexec/fwupd/efi/fwupdx64.efi.signed`), resolved under --root by the engine. */
  systemPath: string;
  /** Lower-case hex SHA-256 of the file. */
  sha256: string;
  size: number;
}

/**
 * `/etc/os-release` (else `/usr/lib/os-release`) under the root, as fwupd's `<os>` rule reads it through
 * glib: `ID` (absent: `linux`, the os-release(5) default) and `ID_LIKE` split on spaces.
 */
export interface OsRelease {
  id: string;
  idLike: readonly string[];
}

export interface MethodQuirks {
  /** fwupd quirk `modify-bootorder`: append the Boot#### index to BootOrder when absent (§7). */
  modifyBootOrder: boolean;
  /** fwupd quirk `use-legacy-bootmgr-desc`: describe a new entry as `Linux-Firmware-Updater` (§7). */
  legacyBootmgrDesc: boolean;
}

/** Everything about the machine a method looks at; the payload-independent part of `StageInput`. */
export interface MethodEnvironment {
  esp: {
    /** System path of the ESP (`/boot/efi`), for messages. */
    mountPoint: string;
    /** Where the mount point is inside the partition's file system (`Esp.fsPath`); default `/`. */
    fsPath?: string;
    geometry: EspGeometry;
    /**
     * ESP-relative paths (`EFI`, `EFI/debian`, `EFI/debian/fw`, `EFI/debian/shimx64.efi`, `/` separators)
     * that exist: at least every entry of `EFI/` and of each `EFI/<dir>/` (files and directories). Looked
     * up case-insensitively, as on FAT. Drives fwupd's `<os>` rule, the shim check and the mkdirs.
     */
    existing: ReadonlySet<string>;
  };
  osRelease: OsRelease;
  /**
   * Read-only use: Boot####, BootOrder, SecureBoot, OsIndications(Supported), BootloaderSupportsFwupd,
   * FWUPDATE_VERBOSE, FWUPDATE_DEBUG_LOG, fwupd-ux-capsule. A plugin never calls `set` or `delete`.
   */
  variables: EfiVarStore;
  /** efivarfs is mounted read-write (fwupd allows a read-only one for capsule-on-disk only; capstan refuses). */
  efivarsWritable: boolean;
  /** `fwupdx64.efi` and `fwupdx64.efi.signed` in the EFI app dir, when present (x64 only). */
  helpers: { unsigned: HelperBinary | undefined; signed: HelperBinary | undefined };
  /**
   * SHA-256 of the helper already on the ESP at the path the method names (uefi-capsule:
   * `nvramEspLayout(env).helper`), when that file exists.
   */
  espHelperSha256?: string;
  quirks: MethodQuirks;
}

export interface StageInput extends MethodEnvironment {
  /** ESRT fw_class, lower-case. */
  fwClass: string;
  /** ESRT capsule_flags as read; the plugin applies fwupd's x86-64 fix-up. */
  capsuleFlags: number;
  payload: {
    size: number;
    /** At least the first 28 bytes (the cabinet inspector keeps 4096). */
    head: Uint8Array;
    source: PayloadSource;
  };
}

export type CapsuleFileContent = {
  kind: 'capsule';
  /** fwupd's 4096-byte header to write first, or null when the payload is written unchanged (§6). */
  header: Uint8Array | null;
  payload: PayloadSource;
  /** File size: header + payload. */
  size: number;
  /** SHA-256 of the whole file, when the plugin could compute it (payload given as bytes). */
  sha256?: string;
};

export type CopyFileContent = { kind: 'copy'; systemPath: string; sha256: string; size: number };

/** One side effect, in the order fwupd performs it (§10). Paths are ESP-relative with `/`. */
export type PlannedWrite =
  | { kind: 'esp-mkdir'; path: string; reason: string }
  | { kind: 'esp-file'; path: string; content: CapsuleFileContent | CopyFileContent; reason: string }
  | { kind: 'efivar'; guid: string; name: string; attributes: number; data: Uint8Array; reason: string }
  | { kind: 'efivar-delete'; guid: string; name: string; reason: string };

export type ProbeResult =
  | { supported: true }
  /** `code` and `hint` are what `planWrites` throws as a CapstanError for the same environment. */
  | { supported: false; code: ErrorCode; reason: string; hint: string };

export interface UpdateMethod {
  /** `uefi-capsule` (plugins/uefi-capsule) or `capsule-on-disk` (plugins/capsule-on-disk). */
  id: MethodId;
  displayName: string;
  /** LVFS update protocols, `org.uefi.capsule`. */
  protocols: readonly string[];
  platforms: readonly PlatformKind[];
  /** fwupd quirk names the method honours (readme "Quirk Use"). */
  quirkKeys: readonly string[];
  /** Whether the method can stage on this machine; a failure is a pre-check, before anything is written. */
  probe(env: MethodEnvironment): ProbeResult;
  /**
   * Pure: the same input gives the same writes, in fwupd's order. Reads `input.variables` only. Throws
   * the probe's CapstanError when `probe` says unsupported, and `capsule-invalid` for a bad payload.
   */
  planWrites(input: StageInput): PlannedWrite[];
  /** Free space the ESP needs before staging a payload of this size (fwupd's prepare_firmware, §4). */
  requiredEspFreeBytes(payloadSize: number, options?: { noEspBackup?: boolean }): number;
}

/** fwupd's extra space on top of the payload (FU_UEFI_CAPSULE_EXTRA_SIZE_REQUIRED). */
export const ESP_EXTRA_FREE_BYTES = 1024 * 1024;

/**
 * fwupd 2.0.20's free-space rule, shared by every method (it lives in the base device's prepare_firmware):
 * `2 × payload + 1 MiB` (room for the firmware's own backup), or `payload + 1 MiB` with quirk
 * `no-esp-backup`. `payloadSize` is the payload from the cabinet, before the 4096-byte header.
 */
export function fwupdRequiredEspFreeBytes(payloadSize: number, options: { noEspBackup?: boolean } = {}): number {
  if (!Number.isSafeInteger(payloadSize) || payloadSize < 0) {
    throw new TypeError(`payload size must be a non-negative integer, got ${payloadSize}`);
  }
  return (options.noEspBackup === true ? payloadSize : 2 * payloadSize) + ESP_EXTRA_FREE_BYTES;
}

/**
 * The capsule file every method writes (fwupd's fixup_firmware, §6): the payload unchanged when it starts
 * with the device's fw_class or the FMP capsule GUID, otherwise behind a 4096-byte EFI_CAPSULE_HEADER
 * (fw_class, 4096, fixed-up device capsule flags, payload + 4096). Throws `capsule-invalid` for a payload
 * under 16 bytes or a headered payload whose header is inconsistent.
 */
export function planCapsuleFile(input: Pick<StageInput, 'fwClass' | 'capsuleFlags' | 'payload'>): CapsuleFileContent {
  const { payload } = input;
  if (payload.source.kind === 'bytes' && payload.source.bytes.length !== payload.size) {
    throw new TypeError(`payload size ${payload.size} does not match the ${payload.source.bytes.length} bytes given`);
  }
  const layout = planCapsuleLayout(payload.head, payload.size, input.fwClass, input.capsuleFlags);
  const header = layout.kind === 'raw' ? layout.header : null;
  const size = payload.size + (header?.length ?? 0);
  const content: CapsuleFileContent = { kind: 'capsule', header, payload: payload.source, size };
  if (payload.source.kind === 'bytes') {
    const hash = createHash('sha256');
    if (header !== null) hash.update(header);
    content.sha256 = hash.update(payload.source.bytes).digest('hex');
  }
  return content;
}

/** `existing` holds `rel` (compared case-insensitively, as FAT does; `/` separators, no leading slash). */
export function espPathExists(existing: ReadonlySet<string>, rel: string): boolean {
  if (existing.has(rel)) return true;
  const wanted = rel.toLowerCase();
  for (const path of existing) if (path.toLowerCase() === wanted) return true;
  return false;
}

/** `EFI/debian/fw` with only `EFI` existing → `['EFI/debian', 'EFI/debian/fw']`: what `mkdir -p` creates, in order. */
export function missingEspDirectories(existing: ReadonlySet<string>, dir: string): string[] {
  const parts = dir.split('/').filter((part) => part !== '');
  const missing: string[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (missing.length > 0 || !espPathExists(existing, prefix)) missing.push(prefix);
  }
  return missing;
}

/** The path the firmware sees for an ESP-relative path (`Esp.pathOnPartition`): `/EFI/debian/fw/x.cap`. */
export function espPathOnPartition(fsPath: string | undefined, rel: string): string {
  const base = (fsPath ?? '/').replace(/\/+$/, '');
  const tail = rel.split('/').filter((part) => part !== '' && part !== '.');
  if (tail.includes('..') || rel.includes('\\')) throw new TypeError(`not an ESP-relative path: ${rel}`);
  return `${base}/${tail.join('/')}`.replace(/^(?!\/)/, '/');
}

/** The CapstanError a failed probe stands for (what `planWrites` throws). */
export function probeFailure(result: Extract<ProbeResult, { supported: false }>): CapstanError {
  return new CapstanError(result.code, result.reason, { hint: result.hint });
}

/** Narrows a ProbeResult for callers that only need the failure. */
export function isUnsupported(result: ProbeResult): result is Extract<ProbeResult, { supported: false }> {
  return !result.supported;
}

/** Keeps a plugin from writing through the store it was handed: a view that refuses `set` and `delete`. */
export function readOnlyVariables(store: EfiVarStore): EfiVarStore {
  const refuse = (): never => {
    throw new TypeError('an update method must not write EFI variables: return PlannedWrite items instead');
  };
  return {
    get: (guid, name) => store.get(guid, name),
    names: (guid) => store.names(guid),
    supported: () => store.supported(),
    set: refuse,
    delete: refuse,
  };
}

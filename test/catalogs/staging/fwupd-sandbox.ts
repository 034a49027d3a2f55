/**
 * A machine directory for running the real `fwupdtool install` (fwupd 2.0.20) beside capstan's
 * `planWrites`, and the tools to compare what each writes (/work/shared/reference/fwupd-as-a-peer.md).
 *
 * The base is a copy of test/machines/bare-metal/root (ESRT entry0 = system firmware
 * c0f11a4b-2d3e-4f50-8a1b-2c3d4e5f6a7b, capsule_flags 0x0; BootOrder 0001,0000 and no Boot#### at all)
 * with OsIndicationsSupported 0x1 (no capsule-on-disk), an empty ACPI table directory and the host's
 * `fwupdx64.efi.signed` as the EFI app dir. Each variant then adds or replaces variables and ESP files.
 *
 * fwupd is run under a clean environment (like `env -i`) with every path pointed into the sandbox; it
 * reads nothing else of the machine except /etc/os-release, which this Debian build ignores (it always
 * uses EFI/debian). Without udisks2, fwupd writes the ESP's Hard Drive node with partition number, start,
 * size and PARTUUID all zero (format 2, signature type 2): capstan is given that zero geometry, so the
 * bytes are compared with no mask at all.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  EFI_GLOBAL_VARIABLE_GUID,
  type EspGeometry,
  FWUPDATE_GUID,
  type HelperBinary,
  MemoryEfiVarStore,
  type MethodQuirks,
  type PlannedWrite,
  type StageInput,
} from '../../../src/plugin-api.js';
import { MACHINES } from '../../helpers/run-cli.js';

export const FW_CLASS = 'c0f11a4b-2d3e-4f50-8a1b-2c3d4e5f6a7b';
/** HardwareID of `Manufacturer` ("Example Computer Inc.") of the bare-metal fixture, for quirk files. */
export const MANUFACTURER_HWID = 'fcbe8c5a-7fae-5101-98af-0f6056ec0d2b';
export const EFIVARS = 'sys/firmware/efi/efivars';
export const ESP = 'boot/efi';
export const APP_DIR = 'usr/libexec/fwupd/efi';
export const HOST_SIGNED_HELPER = '/usr/libexec/fwupd/efi/fwupdx64.efi.signed';
export const PAYLOAD_SIZE = 8192;

/** The geometry fwupd assumes for FWUPD_UEFI_ESP_PATH without udisks2: everything zero. */
export const ZERO_GEOMETRY: EspGeometry = {
  partitionNumber: 0,
  partitionStart: 0n,
  partitionSize: 0n,
  logicalBlockSize: 512,
  partUuid: '00000000-0000-0000-0000-000000000000',
  partType: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  disk: 'vda',
  device: '0:0',
  source: 'gpt',
};

/** efivarfs file name. */
export const varFile = (name: string, guid: string): string => `${name}-${guid}`;
export const globalVar = (name: string): string => varFile(name, EFI_GLOBAL_VARIABLE_GUID);
export const fwupdateVar = (name: string): string => varFile(name, FWUPDATE_GUID);

/** efivarfs file content: u32 LE attributes, then the data. */
export function varContent(attributes: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + data.length);
  new DataView(out.buffer).setUint32(0, attributes, true);
  out.set(data, 4);
  return out;
}

export function u64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

/** 8192 deterministic bytes (mulberry32) that do not start with a capsule header: fwupd adds one. */
export function peerPayload(): Uint8Array {
  let state = 0x0c0ffee;
  const out = new Uint8Array(PAYLOAD_SIZE);
  for (let i = 0; i < out.length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

export interface Variant {
  /** efivarfs files to add (content = attrs + data) or remove (null), keyed by file name. */
  efivars?: Record<string, Uint8Array | null>;
  /** ESP files (ESP-relative) to add; `null` makes an empty directory. */
  esp?: Record<string, Uint8Array | string | null>;
  /** A quirk file for `<localstatedir>/lib/fwupd/quirks.d/`. */
  quirk?: string;
  /** What capstan is told about the quirks (fwupd learns them from `quirk`). */
  quirks?: Partial<MethodQuirks>;
  /** Copy the EFI app dir's helper to `EFI/debian/fwupdx64.efi` first. */
  helperOnEsp?: boolean;
}

export interface Sandbox {
  dir: string;
  root: string;
  payload: Uint8Array;
  quirks: MethodQuirks;
}

/** Below this, fwupd (or the copy) may hit ENOSPC and the comparison would fail for the wrong reason. */
const MIN_FREE_BYTES = 8 * 1024 * 1024;

export function createSandbox(variant: Variant): Sandbox {
  const stats = fs.statfsSync(os.tmpdir());
  if (stats.bavail * stats.bsize < MIN_FREE_BYTES) {
    throw new Error(
      `only ${stats.bavail * stats.bsize} bytes free in ${os.tmpdir()}: the staging sandboxes need 8 MiB`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-stage-peer-'));
  const root = path.join(dir, 'root');
  fs.cpSync(path.join(MACHINES, 'bare-metal/root'), root, { recursive: true });
  for (const sub of ['var/lib/fwupd/quirks.d', 'etc', 'lock', 'home'])
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.mkdirSync(path.join(root, 'sys/firmware/acpi/tables'), { recursive: true });
  fs.mkdirSync(path.join(root, APP_DIR), { recursive: true });
  const helper = fs.existsSync(HOST_SIGNED_HELPER)
    ? fs.readFileSync(HOST_SIGNED_HELPER)
    : Buffer.from('MZ stand-in for fwupdx64.efi.signed (not installed on this host)\n');
  fs.writeFileSync(path.join(root, APP_DIR, 'fwupdx64.efi.signed'), helper);
  writeEfivar(root, globalVar('OsIndicationsSupported'), varContent(0x6, u64(0x1n)));
  for (const [name, content] of Object.entries(variant.efivars ?? {})) writeEfivar(root, name, content);
  for (const [rel, content] of Object.entries(variant.esp ?? {})) {
    const target = path.join(root, ESP, rel);
    if (content === null) {
      fs.mkdirSync(target, { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
  }
  if (variant.helperOnEsp === true) fs.writeFileSync(path.join(root, ESP, 'EFI/debian/fwupdx64.efi'), helper);
  if (variant.quirk !== undefined)
    fs.writeFileSync(path.join(dir, 'var/lib/fwupd/quirks.d/capstan.quirk'), variant.quirk);
  const payload = peerPayload();
  return {
    dir,
    root,
    payload,
    quirks: { modifyBootOrder: false, legacyBootmgrDesc: false, ...variant.quirks },
  };
}

function writeEfivar(root: string, name: string, content: Uint8Array | null): void {
  const file = path.join(root, EFIVARS, name);
  if (content === null) fs.rmSync(file, { force: true });
  else fs.writeFileSync(file, content);
}

/** fwupd sets the immutable flag on variables it creates (not observed on ext4 here, but cheap to undo). */
export function removeSandbox(sandbox: Sandbox): void {
  spawnSync('chattr', ['-R', '-i', sandbox.dir], { stdio: 'ignore' });
  fs.rmSync(sandbox.dir, { recursive: true, force: true });
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// --- capstan's side ---

function walk(base: string, rel = ''): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  const here = path.join(base, rel);
  if (!fs.existsSync(here)) return { files, dirs };
  for (const entry of fs.readdirSync(here, { withFileTypes: true })) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      dirs.push(child);
      const below = walk(base, child);
      files.push(...below.files);
      dirs.push(...below.dirs);
    } else {
      files.push(child);
    }
  }
  return { files, dirs };
}

function readEfivars(root: string): MemoryEfiVarStore {
  const records = fs.readdirSync(path.join(root, EFIVARS)).map((file) => {
    const bytes = fs.readFileSync(path.join(root, EFIVARS, file));
    return {
      guid: file.slice(-36),
      name: file.slice(0, -37),
      attributes: bytes.readUInt32LE(0),
      data: new Uint8Array(bytes.subarray(4)),
    };
  });
  return new MemoryEfiVarStore(records);
}

function readHelper(root: string, name: string): HelperBinary | undefined {
  const file = path.join(root, APP_DIR, name);
  if (!fs.existsSync(file)) return undefined;
  const bytes = fs.readFileSync(file);
  return { systemPath: `/${APP_DIR}/${name}`, sha256: sha256(bytes), size: bytes.length };
}

function readOsRelease(root: string): { id: string; idLike: string[] } {
  const text = fs.readFileSync(path.join(root, 'etc/os-release'), 'utf8');
  const value = (key: string): string | undefined =>
    new RegExp(`^${key}=(.*)$`, 'm')
      .exec(text)?.[1]
      ?.replace(/^"(.*)"$/, '$1')
      .trim();
  return { id: value('ID') ?? 'linux', idLike: (value('ID_LIKE') ?? '').split(' ').filter((w) => w !== '') };
}

/**
 * The StageInput the engine would build for this sandbox, from its state *before* staging: the variables,
 * the ESP listing, the helper (and the sha256 of an ESP copy at `espHelperPath`), the ESRT entry0 facts,
 * and the zero geometry fwupd assumes.
 */
export function stageInputFromSandbox(sandbox: Sandbox, espHelperPath?: string): StageInput {
  const { root, payload } = sandbox;
  const esrt = (file: string): string =>
    fs.readFileSync(path.join(root, 'sys/firmware/efi/esrt/entries/entry0', file), 'utf8').trim();
  const espListing = walk(path.join(root, ESP));
  const espHelper = espHelperPath === undefined ? undefined : path.join(root, ESP, espHelperPath);
  return {
    fwClass: esrt('fw_class'),
    capsuleFlags: Number(esrt('capsule_flags')),
    payload: { size: payload.length, head: payload.subarray(0, 4096), source: { kind: 'bytes', bytes: payload } },
    esp: {
      mountPoint: '/boot/efi',
      geometry: ZERO_GEOMETRY,
      existing: new Set([...espListing.files, ...espListing.dirs]),
    },
    osRelease: readOsRelease(root),
    variables: readEfivars(root),
    efivarsWritable: true,
    helpers: { unsigned: readHelper(root, 'fwupdx64.efi'), signed: readHelper(root, 'fwupdx64.efi.signed') },
    ...(espHelper !== undefined && fs.existsSync(espHelper)
      ? { espHelperSha256: sha256(fs.readFileSync(espHelper)) }
      : {}),
    quirks: sandbox.quirks,
  };
}

// --- snapshots: the ESP and efivarfs as {path: bytes} plus the directories ---

export interface Snapshot {
  /** `boot/efi/EFI/debian/fw/x.cap`, `sys/firmware/efi/efivars/BootNext-8be4…` → bytes. */
  files: Map<string, Uint8Array>;
  /** Directories under `boot/efi` (including it). */
  dirs: Set<string>;
}

export function snapshot(root: string): Snapshot {
  const files = new Map<string, Uint8Array>();
  const dirs = new Set<string>([ESP]);
  for (const base of [ESP, EFIVARS]) {
    const listing = walk(path.join(root, base));
    for (const rel of listing.files)
      files.set(`${base}/${rel}`, new Uint8Array(fs.readFileSync(path.join(root, base, rel))));
    if (base === ESP) for (const rel of listing.dirs) dirs.add(`${base}/${rel}`);
  }
  return { files, dirs };
}

/** What the machine looks like after capstan's engine performs `writes` (as the engine would, byte for byte). */
export function applyPlan(before: Snapshot, writes: readonly PlannedWrite[], root: string): Snapshot {
  const files = new Map(before.files);
  const dirs = new Set(before.dirs);
  for (const write of writes) {
    switch (write.kind) {
      case 'esp-mkdir':
        dirs.add(`${ESP}/${write.path}`);
        break;
      case 'esp-file': {
        const content = write.content;
        let bytes: Uint8Array;
        if (content.kind === 'copy') {
          bytes = new Uint8Array(fs.readFileSync(path.join(root, content.systemPath)));
        } else {
          if (content.payload.kind !== 'bytes') throw new Error('the peer tests give the payload as bytes');
          bytes = new Uint8Array(content.size);
          bytes.set(content.header ?? new Uint8Array(), 0);
          bytes.set(content.payload.bytes, content.header?.length ?? 0);
        }
        files.set(`${ESP}/${write.path}`, bytes);
        break;
      }
      case 'efivar':
        files.set(`${EFIVARS}/${varFile(write.name, write.guid)}`, varContent(write.attributes, write.data));
        break;
      case 'efivar-delete':
        files.delete(`${EFIVARS}/${varFile(write.name, write.guid)}`);
        break;
    }
  }
  return { files, dirs };
}

/** Changes from `before` to `after`: written (new or different bytes) and removed paths, sorted. */
export function diff(before: Snapshot, after: Snapshot): { written: string[]; removed: string[]; dirs: string[] } {
  const written = [...after.files]
    .filter(([key, bytes]) => {
      const old = before.files.get(key);
      return old === undefined || Buffer.compare(Buffer.from(old), Buffer.from(bytes)) !== 0;
    })
    .map(([key]) => key)
    .sort();
  const removed = [...before.files.keys()].filter((key) => !after.files.has(key)).sort();
  const dirs = [...after.dirs].filter((dir) => !before.dirs.has(dir)).sort();
  return { written, removed, dirs };
}

/** The order of side effects, one line each: `mkdir boot/efi/…`, `write …`, `unlink …`. */
export function planOrder(writes: readonly PlannedWrite[]): string[] {
  return writes.map((write) => {
    switch (write.kind) {
      case 'esp-mkdir':
        return `mkdir ${ESP}/${write.path}`;
      case 'esp-file':
        return `write ${ESP}/${write.path}`;
      case 'efivar':
        return `write ${EFIVARS}/${varFile(write.name, write.guid)}`;
      case 'efivar-delete':
        return `unlink ${EFIVARS}/${varFile(write.name, write.guid)}`;
    }
    return '';
  });
}

// --- fwupd's side ---

export interface FwupdRun {
  status: number;
  stdout: string;
  stderr: string;
  /** Side effects in the order fwupd made them (from strace), or undefined without strace. */
  order: string[] | undefined;
}

export function haveStrace(): boolean {
  return spawnSync('sh', ['-c', 'command -v strace'], { stdio: 'ignore' }).status === 0;
}

/** `fwupdtool install <cab> --plugins uefi_capsule --force --json` on the sandbox, under strace when present. */
export function runFwupdInstall(sandbox: Sandbox, cab: string): FwupdRun {
  const { dir, root } = sandbox;
  const env = {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: path.join(dir, 'home'),
    LANG: 'C.UTF-8',
    FWUPD_SYSFSFWDIR: path.join(root, 'sys/firmware'),
    FWUPD_SYSFSDIR: path.join(root, 'sys'),
    FWUPD_SYSFSDMIDIR: path.join(root, 'sys/class/dmi/id'),
    FWUPD_ACPITABLESDIR: path.join(root, 'sys/firmware/acpi/tables'),
    FWUPD_UEFI_ESP_PATH: path.join(root, ESP),
    FWUPD_UEFI_TEST: '1',
    FWUPD_LOCALSTATEDIR: path.join(dir, 'var'),
    FWUPD_SYSCONFDIR: path.join(dir, 'etc'),
    FWUPD_LOCKDIR: path.join(dir, 'lock'),
    FWUPD_EFIAPPDIR: path.join(root, APP_DIR),
  };
  const args = ['install', cab, '--plugins', 'uefi_capsule', '--force', '--json'];
  const trace = path.join(dir, 'strace.txt');
  const traced = haveStrace();
  const command = traced
    ? [
        'strace',
        [
          '-f',
          '-qq',
          '-o',
          trace,
          '-e',
          'trace=openat,mkdir,mkdirat,unlink,unlinkat,rename,renameat,renameat2',
          'fwupdtool',
          ...args,
        ],
      ]
    : ['fwupdtool', args];
  const result = spawnSync(command[0] as string, command[1] as string[], { env, encoding: 'utf8', timeout: 60_000 });
  return {
    status: result.status ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    order: traced ? parseTrace(fs.readFileSync(trace, 'utf8'), root) : undefined,
  };
}

/**
 * strace lines → side effects on the ESP and efivarfs: successful mkdir, unlink, opens for writing
 * (a temporary file later renamed counts as a write of the rename target, at the rename).
 */
export function parseTrace(text: string, root: string): string[] {
  const prefix = `${root}/`;
  const relevant = (p: string): string | undefined => {
    if (!p.startsWith(prefix)) return undefined;
    const rel = p.slice(prefix.length);
    return rel.startsWith(`${ESP}/`) || rel.startsWith(`${EFIVARS}/`) ? rel : undefined;
  };
  const events: { op: string; path: string; to?: string }[] = [];
  for (const line of joinResumed(text.split('\n'))) {
    const ok = /\)\s+=\s+\d+/.test(line);
    if (!ok) continue;
    let m = /\bmkdir(?:at)?\((?:AT_FDCWD, )?"([^"]+)"/.exec(line);
    if (m?.[1] !== undefined) {
      events.push({ op: 'mkdir', path: m[1] });
      continue;
    }
    m = /\bunlink(?:at)?\((?:AT_FDCWD, )?"([^"]+)"/.exec(line);
    if (m?.[1] !== undefined) {
      events.push({ op: 'unlink', path: m[1] });
      continue;
    }
    m = /\brename(?:at2?)?\((?:AT_FDCWD, )?"([^"]+)", (?:AT_FDCWD, )?"([^"]+)"/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      events.push({ op: 'rename', path: m[1], to: m[2] });
      continue;
    }
    m = /\bopenat\(AT_FDCWD, "([^"]+)", ([A-Z_|]+)/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined && /O_WRONLY|O_RDWR/.test(m[2])) {
      events.push({ op: 'write', path: m[1] });
    }
  }
  const renamed = new Set(events.filter((e) => e.op === 'rename').map((e) => e.path));
  const order: string[] = [];
  for (const event of events) {
    if (event.op === 'write' && renamed.has(event.path)) continue;
    const target = relevant(event.op === 'rename' ? (event.to ?? '') : event.path);
    if (target === undefined) continue;
    const op = event.op === 'rename' ? 'write' : event.op;
    if (order.at(-1) === `${op} ${target}`) continue;
    order.push(`${op} ${target}`);
  }
  return order;
}

/**
 * With `-f`, strace splits a call another thread interrupts: `PID openat(… <unfinished ...>` and later
 * `PID <... openat resumed>) = 17`. Joins each pair back into one line, in the position of its end.
 */
export function joinResumed(lines: readonly string[]): string[] {
  const pending = new Map<string, string>();
  const out: string[] = [];
  for (const line of lines) {
    const unfinished = /^(\d+)\s+(.*?)\s*<unfinished \.\.\.>$/.exec(line);
    if (unfinished?.[1] !== undefined && unfinished[2] !== undefined) {
      pending.set(unfinished[1], unfinished[2]);
      continue;
    }
    const resumed = /^(\d+)\s+<\.\.\. \w+ resumed>(.*)$/.exec(line);
    if (resumed?.[1] !== undefined && resumed[2] !== undefined) {
      const start = pending.get(resumed[1]);
      pending.delete(resumed[1]);
      out.push(`${resumed[1]} ${start ?? ''}${resumed[2]}`);
      continue;
    }
    out.push(line);
  }
  return out;
}

// --- the cabinet fwupd installs ---

/** `firmware.metainfo.xml` + `firmware.bin` packed with `gcab -c`, providing the fixture's fw_class. */
export function buildPeerCab(dir: string, payload: Uint8Array): string {
  const work = path.join(dir, 'cab');
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(path.join(work, 'firmware.bin'), payload);
  fs.writeFileSync(
    path.join(work, 'firmware.metainfo.xml'),
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<component type="firmware">',
      '  <id>com.example.capstan.staging.peer.firmware</id>',
      '  <name>Staging Peer Test</name>',
      '  <summary>System firmware for the staging peer test</summary>',
      `  <provides><firmware type="flashed">${FW_CLASS}</firmware></provides>`,
      '  <developer_name>Example Computer Inc.</developer_name>',
      '  <project_license>proprietary</project_license>',
      '  <metadata_license>CC0-1.0</metadata_license>',
      '  <custom>',
      '    <value key="LVFS::VersionFormat">number</value>',
      '    <value key="LVFS::UpdateProtocol">org.uefi.capsule</value>',
      '  </custom>',
      '  <releases>',
      '    <release version="70000" date="2026-01-01" urgency="high">',
      `      <checksum target="content" filename="firmware.bin" type="sha256">${sha256(payload)}</checksum>`,
      `      <size type="installed">${payload.length}</size>`,
      '      <description><p>Staging peer test.</p></description>',
      '    </release>',
      '  </releases>',
      '</component>',
      '',
    ].join('\n'),
  );
  const cab = path.join(dir, 'firmware.cab');
  const result = spawnSync('gcab', ['-c', '-n', cab, 'firmware.metainfo.xml', 'firmware.bin'], {
    cwd: work,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`gcab failed: ${result.stderr}`);
  return cab;
}

// --- records: what a run changed, small enough to commit ---

export type RecordedFile =
  /** Small files (efivarfs variables): every byte, hex. */
  | { hex: string }
  /** Large files: size, sha256, the first 48 bytes, and whether it is a copy of the EFI app dir's helper. */
  | { size: number; sha256: string; headHex: string; copyOfAppDirHelper: boolean };

export interface ChangeRecord {
  written: Record<string, RecordedFile>;
  removed: string[];
  dirs: string[];
  /** From strace; absent when the run was not traced. */
  order?: string[];
}

const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export function recordChanges(before: Snapshot, after: Snapshot, root: string, order?: string[]): ChangeRecord {
  const changes = diff(before, after);
  const helperFile = path.join(root, APP_DIR, 'fwupdx64.efi.signed');
  const helper = fs.existsSync(helperFile) ? sha256(fs.readFileSync(helperFile)) : undefined;
  const written: Record<string, RecordedFile> = {};
  for (const key of changes.written) {
    const bytes = after.files.get(key) ?? new Uint8Array();
    written[key] =
      bytes.length <= 512
        ? { hex: hexOf(bytes) }
        : {
            size: bytes.length,
            sha256: sha256(bytes),
            headHex: hexOf(bytes.subarray(0, 48)),
            copyOfAppDirHelper: sha256(bytes) === helper,
          };
  }
  return { written, removed: changes.removed, dirs: changes.dirs, ...(order === undefined ? {} : { order }) };
}

/** A record without what depends on the host (the helper's own bytes) and without the trace. */
export function portable(record: ChangeRecord): ChangeRecord {
  const written: Record<string, RecordedFile> = {};
  for (const [key, file] of Object.entries(record.written)) {
    written[key] =
      'hex' in file || !file.copyOfAppDirHelper ? file : { size: 0, sha256: '', headHex: '', copyOfAppDirHelper: true };
  }
  return { written, removed: record.removed, dirs: record.dirs };
}

/**
 * UEFI device paths (UEFI 2.10 §10): the Hard Drive node (§10.3.5.1), the File Path node
 * (§10.3.5.4) and the End node (§10.3.1). Other node kinds are kept as raw bytes so a path written
 * by firmware or another tool survives a decode/encode round trip.
 *
 * Node header: type u8, subtype u8, length u16 LE (including the 4-byte header).
 */
import {
  assertUint,
  assertUint64,
  type Decoded,
  dataView,
  decodeFailure,
  encodeUcs2,
  hex,
  unitsToString,
} from './bytes.js';
import { formatGuidBytes, parseGuidBytes } from './guid.js';

export const DEVICE_PATH_TYPE_MEDIA = 0x04;
export const DEVICE_PATH_TYPE_END = 0x7f;
export const MEDIA_SUBTYPE_HARD_DRIVE = 0x01;
export const MEDIA_SUBTYPE_FILE_PATH = 0x04;
export const END_SUBTYPE_INSTANCE = 0x01;
export const END_SUBTYPE_ENTIRE = 0xff;
export const NODE_HEADER_LENGTH = 4;
export const HARD_DRIVE_NODE_LENGTH = 42;
/** `7f ff 04 00`: the End-of-entire-device-path node. */
export const END_ENTIRE_NODE = Uint8Array.of(0x7f, 0xff, 0x04, 0x00);

/** Partition format of a Hard Drive node: 1 = legacy MBR, 2 = GPT. */
export const PARTITION_FORMAT_MBR = 1;
export const PARTITION_FORMAT_GPT = 2;
/** Signature kind of a Hard Drive node: 0 = none, 1 = 32-bit MBR disk signature, 2 = GUID. */
export const SIGNATURE_TYPE_NONE = 0;
export const SIGNATURE_TYPE_MBR = 1;
export const SIGNATURE_TYPE_GUID = 2;

export type HardDriveSignature =
  /** GPT: the partition's unique GUID (PARTUUID), lower-case canonical text. */
  | { signatureType: 2; signature: string }
  /** MBR: the 32-bit disk signature (fdisk's "Disk identifier"). */
  | { signatureType: 1; signature: number }
  | { signatureType: 0; signature: null };

/** Media/Hard Drive (04/01), always 42 bytes. LBAs are in the disk's logical block size. */
export type HardDriveNode = {
  kind: 'hard-drive';
  /** 1-based partition entry index. */
  partitionNumber: number;
  partitionStart: bigint;
  partitionSize: bigint;
  format: 1 | 2;
} & HardDriveSignature;

/** Media/File Path (04/04): a NUL-terminated UCS-2 path, as stored (backslashes). */
export interface FilePathNode {
  kind: 'file-path';
  path: string;
}

/**
 * An End node inside a list: End-of-instance (7f/01), or End-of-entire (7f/ff) between the device
 * paths of a load option's FilePathList. The final End-of-entire is never listed: the encoder adds
 * it and the decoder consumes it.
 */
export interface EndNode {
  kind: 'end';
  subType: 0x01 | 0xff;
}

/** Any other node, kept byte-for-byte. */
export interface RawNode {
  kind: 'raw';
  type: number;
  subType: number;
  data: Uint8Array;
}

export type DevicePathNode = HardDriveNode | FilePathNode | EndNode | RawNode;

export interface ParseDevicePathOptions {
  /**
   * A load option's FilePathList may hold several device paths, each ending in End-of-entire:
   * keep walking after one until the bytes are used up (the last node must still be End-of-entire).
   */
  allowMultiple?: boolean;
  /** Stop at the first End-of-entire and report its `length` instead of requiring it at the end. */
  allowTrailing?: boolean;
}

/** `/EFI/debian/x.efi` or `EFI\debian\x.efi` → `\EFI\debian\x.efi`, as fwupd writes it. */
export function normalizeEfiPath(path: string): string {
  const backslashed = path.replaceAll('/', '\\');
  return backslashed.startsWith('\\') ? backslashed : `\\${backslashed}`;
}

export function hardDriveNode(init: Omit<HardDriveNode, 'kind'>): HardDriveNode {
  return { kind: 'hard-drive', ...init } as HardDriveNode;
}

export function filePathNode(path: string): FilePathNode {
  return { kind: 'file-path', path: normalizeEfiPath(path) };
}

/** Encodes the nodes and appends the End-of-entire node. Throws TypeError on a bad node. */
export function formatDevicePath(nodes: readonly DevicePathNode[]): Uint8Array {
  const last = nodes.at(-1);
  if (last?.kind === 'end' && last.subType === END_SUBTYPE_ENTIRE) {
    throw new TypeError('the final end-of-entire node is added by formatDevicePath; do not pass it');
  }
  const encoded = nodes.map(formatNode);
  const out = new Uint8Array(encoded.reduce((sum, node) => sum + node.length, 0) + END_ENTIRE_NODE.length);
  let offset = 0;
  for (const node of encoded) {
    out.set(node, offset);
    offset += node.length;
  }
  out.set(END_ENTIRE_NODE, offset);
  return out;
}

function formatNode(node: DevicePathNode): Uint8Array {
  switch (node.kind) {
    case 'hard-drive':
      return formatHardDrive(node);
    case 'file-path':
      return formatFilePath(node);
    case 'end':
      if (node.subType !== END_SUBTYPE_INSTANCE && node.subType !== END_SUBTYPE_ENTIRE) {
        throw new TypeError(`end node subtype must be 0x01 or 0xff, got ${String(node.subType)}`);
      }
      return Uint8Array.of(DEVICE_PATH_TYPE_END, node.subType, 0x04, 0x00);
    case 'raw':
      return formatRaw(node);
    default:
      throw new TypeError(`unknown device path node kind ${String((node as { kind: unknown }).kind)}`);
  }
}

function header(out: Uint8Array, type: number, subType: number): DataView {
  const view = dataView(out);
  view.setUint8(0, type);
  view.setUint8(1, subType);
  view.setUint16(2, out.length, true);
  return view;
}

function formatHardDrive(node: HardDriveNode): Uint8Array {
  assertUint(node.partitionNumber, 32, 'hard drive partitionNumber');
  assertUint64(node.partitionStart, 'hard drive partitionStart');
  assertUint64(node.partitionSize, 'hard drive partitionSize');
  if (node.format !== PARTITION_FORMAT_MBR && node.format !== PARTITION_FORMAT_GPT) {
    throw new TypeError(`hard drive format must be 1 (MBR) or 2 (GPT), got ${String(node.format)}`);
  }
  const out = new Uint8Array(HARD_DRIVE_NODE_LENGTH);
  const view = header(out, DEVICE_PATH_TYPE_MEDIA, MEDIA_SUBTYPE_HARD_DRIVE);
  view.setUint32(4, node.partitionNumber, true);
  view.setBigUint64(8, node.partitionStart, true);
  view.setBigUint64(16, node.partitionSize, true);
  switch (node.signatureType) {
    case SIGNATURE_TYPE_GUID:
      out.set(formatGuidBytes(node.signature), 24);
      break;
    case SIGNATURE_TYPE_MBR:
      assertUint(node.signature, 32, 'hard drive MBR signature');
      view.setUint32(24, node.signature, true);
      break;
    case SIGNATURE_TYPE_NONE:
      if (node.signature !== null) throw new TypeError('hard drive signature must be null for signature type 0');
      break;
    default:
      throw new TypeError(
        `hard drive signatureType must be 0, 1 or 2, got ${String((node as { signatureType: unknown }).signatureType)}`,
      );
  }
  view.setUint8(40, node.format);
  view.setUint8(41, node.signatureType);
  return out;
}

function formatFilePath(node: FilePathNode): Uint8Array {
  if (typeof node.path !== 'string' || node.path.length === 0) throw new TypeError('file path must not be empty');
  const text = encodeUcs2(normalizeEfiPath(node.path), 'file path');
  if (text.length + NODE_HEADER_LENGTH > 0xffff) throw new TypeError('file path is too long for one node');
  const out = new Uint8Array(NODE_HEADER_LENGTH + text.length);
  header(out, DEVICE_PATH_TYPE_MEDIA, MEDIA_SUBTYPE_FILE_PATH);
  out.set(text, NODE_HEADER_LENGTH);
  return out;
}

function formatRaw(node: RawNode): Uint8Array {
  assertUint(node.type, 8, 'raw node type');
  assertUint(node.subType, 8, 'raw node subtype');
  if (node.type === DEVICE_PATH_TYPE_END) throw new TypeError('end nodes are written as {kind: "end"}');
  if (
    node.type === DEVICE_PATH_TYPE_MEDIA &&
    (node.subType === MEDIA_SUBTYPE_HARD_DRIVE || node.subType === MEDIA_SUBTYPE_FILE_PATH)
  ) {
    throw new TypeError('hard drive and file path nodes are written as typed nodes, not raw');
  }
  if (node.data.length + NODE_HEADER_LENGTH > 0xffff) throw new TypeError('raw node data is too long');
  const out = new Uint8Array(NODE_HEADER_LENGTH + node.data.length);
  header(out, node.type, node.subType);
  out.set(node.data, NODE_HEADER_LENGTH);
  return out;
}

/**
 * Strict decoder. Every node is at least 4 bytes and inside the buffer; a Hard Drive node is
 * exactly 42 bytes with known format and signature type; a File Path node has an even length and
 * exactly one NUL, at its end; End nodes are 4 bytes. The path ends with End-of-entire exactly at
 * the end of `bytes` (see the options for the two relaxations). Never throws.
 */
export function parseDevicePath(
  bytes: Uint8Array,
  options: ParseDevicePathOptions = {},
): Decoded<{ nodes: DevicePathNode[]; length: number }> {
  const view = dataView(bytes);
  const nodes: DevicePathNode[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + NODE_HEADER_LENGTH > bytes.length) {
      return decodeFailure(`device path node header at offset ${offset} is truncated (${bytes.length - offset} bytes)`);
    }
    const type = view.getUint8(offset);
    const subType = view.getUint8(offset + 1);
    const length = view.getUint16(offset + 2, true);
    if (length < NODE_HEADER_LENGTH) {
      return decodeFailure(`device path node at offset ${offset} has length ${length}, below 4`);
    }
    if (offset + length > bytes.length) {
      return decodeFailure(
        `device path node at offset ${offset} has length ${length}, past the end (${bytes.length - offset} bytes left)`,
      );
    }
    const body = bytes.subarray(offset + NODE_HEADER_LENGTH, offset + length);
    const node = parseNode(type, subType, length, body);
    if (typeof node === 'string') return decodeFailure(`device path node at offset ${offset}: ${node}`);
    offset += length;
    if (node.kind === 'end' && node.subType === END_SUBTYPE_ENTIRE) {
      if (offset === bytes.length) return { ok: true, nodes, length: offset };
      if (options.allowMultiple === true) {
        nodes.push(node);
        continue;
      }
      if (options.allowTrailing === true) return { ok: true, nodes, length: offset };
      return decodeFailure(`device path ends at offset ${offset} but ${bytes.length - offset} bytes follow`);
    }
    nodes.push(node);
  }
  return decodeFailure(
    bytes.length === 0 ? 'device path is empty' : `device path has no end node (${bytes.length} bytes walked)`,
  );
}

function parseNode(type: number, subType: number, length: number, body: Uint8Array): DevicePathNode | string {
  if (type === DEVICE_PATH_TYPE_END) {
    if (subType !== END_SUBTYPE_ENTIRE && subType !== END_SUBTYPE_INSTANCE)
      return `unknown end subtype ${hex(subType)}`;
    if (length !== NODE_HEADER_LENGTH) return `end node has length ${length}, not 4`;
    return { kind: 'end', subType };
  }
  if (type === DEVICE_PATH_TYPE_MEDIA && subType === MEDIA_SUBTYPE_HARD_DRIVE) return parseHardDrive(length, body);
  if (type === DEVICE_PATH_TYPE_MEDIA && subType === MEDIA_SUBTYPE_FILE_PATH) return parseFilePath(length, body);
  return { kind: 'raw', type, subType, data: body.slice() };
}

function parseHardDrive(length: number, body: Uint8Array): HardDriveNode | string {
  if (length !== HARD_DRIVE_NODE_LENGTH) return `hard drive node has length ${length}, not 42`;
  const view = dataView(body);
  const format = view.getUint8(36);
  const signatureType = view.getUint8(37);
  if (format !== PARTITION_FORMAT_MBR && format !== PARTITION_FORMAT_GPT) {
    return `hard drive node has partition format ${format}, not 1 (MBR) or 2 (GPT)`;
  }
  const common = {
    kind: 'hard-drive' as const,
    partitionNumber: view.getUint32(0, true),
    partitionStart: view.getBigUint64(4, true),
    partitionSize: view.getBigUint64(12, true),
    format: format as 1 | 2,
  };
  const signature = body.subarray(20, 36);
  switch (signatureType) {
    case SIGNATURE_TYPE_GUID:
      return { ...common, signatureType: 2, signature: parseGuidBytes(signature) };
    case SIGNATURE_TYPE_MBR:
      if (signature.subarray(4).some((b) => b !== 0)) return 'hard drive MBR signature has non-zero padding';
      return { ...common, signatureType: 1, signature: view.getUint32(20, true) };
    case SIGNATURE_TYPE_NONE:
      if (signature.some((b) => b !== 0)) return 'hard drive node has signature type 0 but a non-zero signature';
      return { ...common, signatureType: 0, signature: null };
    default:
      return `hard drive node has signature type ${signatureType}, not 0, 1 or 2`;
  }
}

function parseFilePath(length: number, body: Uint8Array): FilePathNode | string {
  if (length % 2 !== 0) return `file path node has odd length ${length}`;
  if (body.length < 2) return 'file path node has no room for its NUL terminator';
  const view = dataView(body);
  const units: number[] = [];
  for (let at = 0; at < body.length - 2; at += 2) {
    const unit = view.getUint16(at, true);
    if (unit === 0) return `file path node has a NUL at character ${at / 2}, before its end`;
    if (unit >= 0xd800 && unit <= 0xdfff) return `file path node has a surrogate at character ${at / 2}: not UCS-2`;
    units.push(unit);
  }
  if (view.getUint16(body.length - 2, true) !== 0) return 'file path node is not NUL-terminated';
  return { kind: 'file-path', path: unitsToString(units) };
}

/** The first File Path node's path, if any. */
export function findFilePath(nodes: readonly DevicePathNode[]): string | undefined {
  return nodes.find((node): node is FilePathNode => node.kind === 'file-path')?.path;
}

export function findHardDrive(nodes: readonly DevicePathNode[]): HardDriveNode | undefined {
  return nodes.find((node): node is HardDriveNode => node.kind === 'hard-drive');
}

/** UEFI text form, e.g. `HD(1,GPT,4d2f…,0x800,0x100000)/\EFI\debian\fwupdx64.efi`. */
export function formatDevicePathText(nodes: readonly DevicePathNode[]): string {
  return nodes
    .map((node) => {
      switch (node.kind) {
        case 'hard-drive': {
          const signature =
            node.signatureType === 2 ? node.signature : node.signatureType === 1 ? hex(node.signature, 8) : '0';
          const format = node.format === 2 ? 'GPT' : 'MBR';
          return `HD(${node.partitionNumber},${format},${signature},${hex(node.partitionStart)},${hex(node.partitionSize)})`;
        }
        case 'file-path':
          return node.path;
        case 'end':
          return node.subType === END_SUBTYPE_INSTANCE ? ',' : '|';
        case 'raw':
          return `Path(${node.type},${node.subType},${Array.from(node.data, (b) => b.toString(16).padStart(2, '0')).join('')})`;
        default:
          return '?';
      }
    })
    .join('/');
}

/**
 * A Microsoft Cabinet *writer for tests*: stored and MSZIP folders, several folders and files,
 * reserve fields, MSZIP blocks that reference the previous blocks' history, and knobs to produce
 * malformed cabinets (wrong checksums, odd compression types, header overrides). Not for production.
 */
import zlib from 'node:zlib';

export type BuildCompression = 'none' | 'mszip' | 'quantum' | 'lzx';

/** A CFDATA block given as is (data already compressed, without or with `CK` as the caller wants). */
export interface RawBlock {
  data: Uint8Array;
  uncompressed: number;
  csum?: number;
}

export interface BuildFolder {
  compression?: BuildCompression;
  /** Raw typeCompress, overriding `compression` (e.g. 0x1503 for LZX with a 2^21 window). */
  typeCompress?: number;
  /** Uncompressed size of each block: one size for all, or a list (the last repeats). Default 32768. */
  blockSizes?: number | number[];
  /**
   * MSZIP encoding: `independent` (gcab, fwupd: a fresh deflate per block), `dictionary` (each block
   * deflated with the previous 32 KiB of output as preset dictionary) or `stream` (one deflate stream
   * cut at Z_SYNC_FLUSH points, each piece closed with an empty final block; see deflateAsOneStream).
   * `stream` needs precomputed blocks, so it is only reachable through `blocks`.
   */
  mszip?: 'independent' | 'dictionary';
  /** deflate level for MSZIP, default 6 (gcab's default). */
  level?: number;
  /** Precomputed blocks, replacing the generated ones (the files still define the CFFILE table). */
  blocks?: RawBlock[];
  /** Overrides for the CFFOLDER fields. */
  coffCabStart?: number;
  cCFData?: number;
}

export interface BuildFile {
  /** Stored as given (`/` is not converted); a Uint8Array is written raw. */
  name: string | Uint8Array;
  data: Uint8Array;
  folder?: number;
  /** DOS date/time; default 2024-03-15 12:34:56 (0x586f / 0x645c). */
  date?: number;
  time?: number;
  /** Default 0x20, plus 0x80 when the name is not ASCII (as gcab does). */
  attribs?: number;
  /** Overrides for the CFFILE fields. */
  cbFile?: number;
  uoffFolderStart?: number;
  iFolder?: number;
}

export interface BuildCabOptions {
  files: BuildFile[];
  /** Default: one stored folder. */
  folders?: BuildFolder[];
  /** Sets RESERVE_PRESENT with these sizes; reserve bytes are filled with `fill` (default 0xA5). */
  reserve?: { header: number; folder: number; data: number; fill?: number };
  /** `compute` (default), `zero` (csum 0 = not checked) or a function returning the value to store. */
  checksum?: 'compute' | 'zero' | ((folder: number, block: number, correct: number) => number);
  /** Extra header flags (PREV/NEXT) and their strings. */
  flags?: number;
  prev?: { cabinet: string; disk: string };
  next?: { cabinet: string; disk: string };
  setId?: number;
  iCabinet?: number;
  versionMinor?: number;
  versionMajor?: number;
  /** Added to the real size in cbCabinet. */
  cbCabinetDelta?: number;
  /** Overrides cFolders / cFiles / coffFiles. */
  cFolders?: number;
  cFiles?: number;
  coffFiles?: number;
  /** Bytes appended after the last block (inside cbCabinet unless cbCabinetDelta says otherwise). */
  trailer?: Uint8Array;
}

const ENCODER = new TextEncoder();
const COMPRESSION_CODE: Record<BuildCompression, number> = { none: 0, mszip: 1, quantum: 2, lzx: 3 };
const WINDOW = 32768;

/** The checksum of reference §5, written independently of src/ so each checks the other. */
export function cabChecksum(data: Uint8Array, cbUncomp: number): number {
  let c = 0;
  const whole = data.length - (data.length % 4);
  for (let i = 0; i < whole; i += 4) {
    c ^= (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24);
  }
  let tail = 0;
  for (let i = whole; i < data.length; i++) tail = (tail << 8) | (data[i] ?? 0);
  c ^= tail;
  c ^= data.length | (cbUncomp << 16);
  return c >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function cutSizes(total: number, sizes: number | number[] | undefined): number[] {
  const list = sizes === undefined ? [WINDOW] : Array.isArray(sizes) ? sizes : [sizes];
  const out: number[] = [];
  let done = 0;
  let i = 0;
  while (done < total) {
    const wanted = list[Math.min(i, list.length - 1)] ?? WINDOW;
    // A 0 that would repeat forever as the last size stands for 32768 from then on.
    const size = Math.min(wanted === 0 && i >= list.length - 1 ? WINDOW : wanted, total - done);
    out.push(size);
    done += size;
    i++;
  }
  return out;
}

const CK = Uint8Array.of(0x43, 0x4b);

/** Makes the CFDATA payloads of one folder from its uncompressed stream. */
export function makeBlocks(stream: Uint8Array, folder: BuildFolder): RawBlock[] {
  const compression = folder.compression ?? 'none';
  const blocks: RawBlock[] = [];
  let offset = 0;
  for (const size of cutSizes(stream.length, folder.blockSizes)) {
    const chunk = stream.subarray(offset, offset + size);
    if (compression === 'mszip') {
      const options: zlib.ZlibOptions = { level: folder.level ?? 6 };
      if (folder.mszip === 'dictionary' && offset > 0) {
        options.dictionary = stream.subarray(Math.max(0, offset - WINDOW), offset);
      }
      blocks.push({ data: concat([CK, zlib.deflateRawSync(chunk, options)]), uncompressed: size });
    } else {
      blocks.push({ data: chunk.slice(), uncompressed: size });
    }
    offset += size;
  }
  return blocks;
}

/**
 * MSZIP blocks cut from ONE raw deflate stream: each chunk is written then flushed with Z_SYNC_FLUSH
 * (byte-aligned, history kept), and the piece is closed with `03 00`, an empty final fixed-Huffman
 * block, so every CFDATA ends with BFINAL=1 while later blocks reference earlier output.
 */
export async function deflateAsOneStream(chunks: Uint8Array[], level = 6): Promise<RawBlock[]> {
  const deflate = zlib.createDeflateRaw({ level });
  const pieces: RawBlock[] = [];
  let pending: Buffer[] = [];
  deflate.on('data', (data: Buffer) => pending.push(data));
  for (const chunk of chunks) {
    deflate.write(chunk);
    await new Promise<void>((resolve) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    pieces.push({ data: concat([CK, ...pending, Uint8Array.of(0x03, 0x00)]), uncompressed: chunk.length });
    pending = [];
  }
  deflate.end();
  return pieces;
}

export function encodeName(name: string | Uint8Array): Uint8Array {
  return typeof name === 'string' ? ENCODER.encode(name) : name;
}

/** Builds a cabinet; every field can be overridden to make malformed ones. */
export function buildCab(options: BuildCabOptions): Uint8Array {
  const folders = options.folders ?? [{}];
  const reserve = options.reserve;
  const fill = reserve?.fill ?? 0xa5;

  // Folder streams and CFFILE offsets.
  const streams: Uint8Array[][] = folders.map(() => []);
  const streamLengths = folders.map(() => 0);
  const fileEntries = options.files.map((file) => {
    const folder = file.folder ?? 0;
    const offset = streamLengths[folder] ?? 0;
    streams[folder]?.push(file.data);
    streamLengths[folder] = offset + file.data.length;
    const name = encodeName(file.name);
    const ascii = name.every((byte) => byte < 0x80);
    return {
      cbFile: file.cbFile ?? file.data.length,
      uoffFolderStart: file.uoffFolderStart ?? offset,
      iFolder: file.iFolder ?? folder,
      date: file.date ?? 0x586f,
      time: file.time ?? 0x645c,
      attribs: file.attribs ?? (ascii ? 0x20 : 0xa0),
      name,
    };
  });
  const blocksPerFolder = folders.map((folder, i) => folder.blocks ?? makeBlocks(concat(streams[i] ?? []), folder));

  const flags = (options.flags ?? 0) | (reserve ? 0x0004 : 0);
  const parts: Uint8Array[] = [];
  let headerSize = 36;
  if (reserve) headerSize += 4 + reserve.header;
  const strings: Uint8Array[] = [];
  if (options.prev) strings.push(encodeName(`${options.prev.cabinet}\0`), encodeName(`${options.prev.disk}\0`));
  if (options.next) strings.push(encodeName(`${options.next.cabinet}\0`), encodeName(`${options.next.disk}\0`));
  headerSize += strings.reduce((sum, s) => sum + s.length, 0);
  const folderEntrySize = 8 + (reserve?.folder ?? 0);
  const filesStart = headerSize + folders.length * folderEntrySize;
  const filesSize = fileEntries.reduce((sum, file) => sum + 16 + file.name.length + 1, 0);
  const dataEntrySize = 8 + (reserve?.data ?? 0);

  // Data area: folder by folder.
  let cursor = filesStart + filesSize;
  const folderStarts: number[] = [];
  const dataParts: Uint8Array[] = [];
  blocksPerFolder.forEach((blocks, folderIndex) => {
    folderStarts.push(cursor);
    blocks.forEach((block, blockIndex) => {
      const entry = new Uint8Array(dataEntrySize + block.data.length);
      const view = new DataView(entry.buffer);
      const correct = cabChecksum(block.data, block.uncompressed);
      let csum = block.csum ?? correct;
      if (options.checksum === 'zero') csum = 0;
      else if (typeof options.checksum === 'function') csum = options.checksum(folderIndex, blockIndex, correct);
      view.setUint32(0, csum >>> 0, true);
      view.setUint16(4, block.data.length, true);
      view.setUint16(6, block.uncompressed, true);
      entry.fill(fill, 8, dataEntrySize);
      entry.set(block.data, dataEntrySize);
      dataParts.push(entry);
      cursor += entry.length;
    });
  });
  const trailer = options.trailer ?? new Uint8Array(0);
  const total = cursor + trailer.length;

  const header = new Uint8Array(headerSize);
  const hv = new DataView(header.buffer);
  header.set([0x4d, 0x53, 0x43, 0x46]);
  hv.setUint32(0x08, total + (options.cbCabinetDelta ?? 0), true);
  hv.setUint32(0x10, options.coffFiles ?? filesStart, true);
  hv.setUint8(0x18, options.versionMinor ?? 3);
  hv.setUint8(0x19, options.versionMajor ?? 1);
  hv.setUint16(0x1a, options.cFolders ?? folders.length, true);
  hv.setUint16(0x1c, options.cFiles ?? fileEntries.length, true);
  hv.setUint16(0x1e, flags, true);
  hv.setUint16(0x20, options.setId ?? 0, true);
  hv.setUint16(0x22, options.iCabinet ?? 0, true);
  let h = 36;
  if (reserve) {
    hv.setUint16(h, reserve.header, true);
    hv.setUint8(h + 2, reserve.folder);
    hv.setUint8(h + 3, reserve.data);
    header.fill(fill, h + 4, h + 4 + reserve.header);
    h += 4 + reserve.header;
  }
  for (const s of strings) {
    header.set(s, h);
    h += s.length;
  }
  parts.push(header);

  folders.forEach((folder, i) => {
    const entry = new Uint8Array(folderEntrySize);
    const view = new DataView(entry.buffer);
    view.setUint32(0, folder.coffCabStart ?? folderStarts[i] ?? 0, true);
    view.setUint16(4, folder.cCFData ?? blocksPerFolder[i]?.length ?? 0, true);
    view.setUint16(6, folder.typeCompress ?? COMPRESSION_CODE[folder.compression ?? 'none'], true);
    entry.fill(fill, 8);
    parts.push(entry);
  });
  for (const file of fileEntries) {
    const entry = new Uint8Array(16 + file.name.length + 1);
    const view = new DataView(entry.buffer);
    view.setUint32(0, file.cbFile, true);
    view.setUint32(4, file.uoffFolderStart, true);
    view.setUint16(8, file.iFolder, true);
    view.setUint16(10, file.date, true);
    view.setUint16(12, file.time, true);
    view.setUint16(14, file.attribs, true);
    entry.set(file.name, 16);
    parts.push(entry);
  }
  parts.push(...dataParts, trailer);
  return concat(parts);
}

/** Deterministic pseudo-random bytes (xorshift32), compressible when `runs` is set. */
export function pseudoRandomBytes(length: number, seed: number, compressible = false): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  let i = 0;
  while (i < length) {
    const r = next();
    const run = Math.min(compressible ? 16 + (r % 512) : length, length - i);
    if (!compressible || r % 100 < 35) {
      for (let k = 0; k < run; k++) out[i + k] = next() & 0xff;
    } else {
      const pattern = next();
      for (let k = 0; k < run; k++) out[i + k] = (pattern >>> ((k & 3) * 8)) & 0xff;
    }
    i += run;
  }
  return out;
}

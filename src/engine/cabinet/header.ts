/** The on-disk structures of a Microsoft Cabinet (reference §1–4); all fields little-endian. */

export const CFHEADER_BYTES = 36;
export const CFHEADER_RESERVE_BYTES = 4;
export const CFFOLDER_BYTES = 8;
export const CFFILE_BYTES = 16;
export const CFDATA_BYTES = 8;

export const FLAG_PREV_CABINET = 0x0001;
export const FLAG_NEXT_CABINET = 0x0002;
export const FLAG_RESERVE_PRESENT = 0x0004;
export const KNOWN_FLAGS = FLAG_PREV_CABINET | FLAG_NEXT_CABINET | FLAG_RESERVE_PRESENT;

export const COMPRESSION_NONE = 0;
export const COMPRESSION_MSZIP = 1;
export const COMPRESSION_QUANTUM = 2;
export const COMPRESSION_LZX = 3;

/** cbCFHeader is at most 60000 (MS-CAB). */
export const MAX_HEADER_RESERVE = 60000;
/** cbUncomp of one CFDATA. */
export const MAX_BLOCK_UNCOMPRESSED = 32768;
/** cbData of one MSZIP CFDATA: 32 KiB + 12 (MS-MCI). */
export const MAX_MSZIP_BLOCK = 32768 + 12;
/** iFolder values of files continued across cabinets. */
export const IFOLDER_CONTINUED_FROM_PREV = 0xfffd;

export const SIGNATURE = 0x4643534d; // "MSCF"

export interface CfHeader {
  signature: number;
  cbCabinet: number;
  coffFiles: number;
  versionMinor: number;
  versionMajor: number;
  cFolders: number;
  cFiles: number;
  flags: number;
  setId: number;
  iCabinet: number;
}

export interface CfReserve {
  cbCFHeader: number;
  cbCFFolder: number;
  cbCFData: number;
}

export interface CfFolder {
  coffCabStart: number;
  cCFData: number;
  typeCompress: number;
}

export interface CfFile {
  cbFile: number;
  uoffFolderStart: number;
  iFolder: number;
  date: number;
  time: number;
  attribs: number;
}

export interface CfData {
  csum: number;
  cbData: number;
  cbUncomp: number;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The fixed 36 bytes of CFHEADER (reserved1–3 are ignored, as gcab and fwupd do). */
export function parseCfHeader(bytes: Uint8Array): CfHeader {
  const v = view(bytes);
  return {
    signature: v.getUint32(0x00, true),
    cbCabinet: v.getUint32(0x08, true),
    coffFiles: v.getUint32(0x10, true),
    versionMinor: v.getUint8(0x18),
    versionMajor: v.getUint8(0x19),
    cFolders: v.getUint16(0x1a, true),
    cFiles: v.getUint16(0x1c, true),
    flags: v.getUint16(0x1e, true),
    setId: v.getUint16(0x20, true),
    iCabinet: v.getUint16(0x22, true),
  };
}

/** The 4 bytes after CFHEADER when RESERVE_PRESENT is set. */
export function parseCfReserve(bytes: Uint8Array): CfReserve {
  const v = view(bytes);
  return { cbCFHeader: v.getUint16(0, true), cbCFFolder: v.getUint8(2), cbCFData: v.getUint8(3) };
}

export function parseCfFolder(bytes: Uint8Array): CfFolder {
  const v = view(bytes);
  return { coffCabStart: v.getUint32(0, true), cCFData: v.getUint16(4, true), typeCompress: v.getUint16(6, true) };
}

export function parseCfFile(bytes: Uint8Array): CfFile {
  const v = view(bytes);
  return {
    cbFile: v.getUint32(0, true),
    uoffFolderStart: v.getUint32(4, true),
    iFolder: v.getUint16(8, true),
    date: v.getUint16(10, true),
    time: v.getUint16(12, true),
    attribs: v.getUint16(14, true),
  };
}

/** Read once per block, so without a DataView. */
export function parseCfData(b: Uint8Array): CfData {
  return {
    csum: ((b[0] ?? 0) | ((b[1] ?? 0) << 8) | ((b[2] ?? 0) << 16) | ((b[3] ?? 0) << 24)) >>> 0,
    cbData: (b[4] ?? 0) | ((b[5] ?? 0) << 8),
    cbUncomp: (b[6] ?? 0) | ((b[7] ?? 0) << 8),
  };
}

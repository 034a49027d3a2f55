import { cabInvalid, cabLimitExceeded, cabUnsupported, HINT_METHOD, HINT_MULTI } from './cab-errors.js';
import { decodeDosDateTime } from './dos-date.js';
import {
  CFDATA_BYTES,
  CFFILE_BYTES,
  CFFOLDER_BYTES,
  CFHEADER_BYTES,
  CFHEADER_RESERVE_BYTES,
  type CfData,
  type CfFolder,
  COMPRESSION_LZX,
  COMPRESSION_MSZIP,
  COMPRESSION_NONE,
  COMPRESSION_QUANTUM,
  FLAG_NEXT_CABINET,
  FLAG_PREV_CABINET,
  FLAG_RESERVE_PRESENT,
  IFOLDER_CONTINUED_FROM_PREV,
  KNOWN_FLAGS,
  MAX_BLOCK_UNCOMPRESSED,
  MAX_HEADER_RESERVE,
  MAX_MSZIP_BLOCK,
  parseCfData,
  parseCfFile,
  parseCfFolder,
  parseCfHeader,
  parseCfReserve,
  SIGNATURE,
} from './header.js';
import { type CabinetLimits, resolveCabinetLimits } from './limits.js';
import { checkNameCollisions, MAX_NAME_BYTES, parseMemberName } from './names.js';
import { type ByteSource, type CabinetSource, openByteSource, truncated } from './source.js';
import type { CabinetIndex, CabinetMember } from './types.js';

/** A folder as the tables describe it, before its CFDATA blocks are walked. */
export interface PlannedFolder {
  index: number;
  compression: 'none' | 'mszip';
  /** cCFData. */
  blocks: number;
  /** coffCabStart. */
  dataOffset: number;
  /** Where the next folder's data (or the file) begins: this folder's blocks must end before. */
  dataLimit: number;
  /** Members sorted by offset; checked to tile [0, size) without gaps or overlaps. */
  members: CabinetMember[];
  /** Sum of the members' sizes: the folder's uncompressed stream must be exactly this long. */
  size: number;
}

/** Everything before the CFDATA blocks, validated (reference §8). */
export interface CabinetTables {
  size: number;
  setId: number;
  reserveHeaderBytes: number;
  /** cbCFData: reserve bytes after each CFDATA header. */
  dataReserveBytes: number;
  folders: PlannedFolder[];
  /** In CFFILE order. */
  members: CabinetMember[];
}

/** One CFDATA header, with where it and its data are. */
export interface BlockHeader extends CfData {
  block: number;
  offset: number;
  dataOffset: number;
}

/**
 * Parses headers, folder and file tables and walks every CFDATA *header* (not the data) to validate
 * bounds and sizes. Does not inflate.
 */
export async function readCabinetIndex(
  source: CabinetSource,
  limits: Partial<CabinetLimits> = {},
): Promise<CabinetIndex> {
  const resolved = resolveCabinetLimits(limits);
  const src = await openByteSource(source);
  try {
    const tables = await readCabinetTables(src, resolved);
    for (const folder of tables.folders) {
      const walk = new FolderWalk(src, tables, folder, resolved);
      while ((await walk.next()) !== undefined) {
        // Headers only: bounds, sizes and limits are checked by the walk.
      }
      walk.finish();
    }
    return indexOf(tables);
  } finally {
    await src.close();
  }
}

/** The public index; folder sizes are those the walk verified (equal to the members' total). */
export function indexOf(tables: CabinetTables): CabinetIndex {
  return {
    size: tables.size,
    folders: tables.folders.map((folder) => ({
      index: folder.index,
      compression: folder.compression,
      blocks: folder.blocks,
      dataOffset: folder.dataOffset,
      uncompressedSize: folder.size,
    })),
    members: tables.members,
    reserveHeaderBytes: tables.reserveHeaderBytes,
    setId: tables.setId,
  };
}

/** CFHEADER, CFFOLDER and CFFILE: everything but the blocks. */
export async function readCabinetTables(src: ByteSource, limits: CabinetLimits): Promise<CabinetTables> {
  const size = src.size;
  if (size < CFHEADER_BYTES) throw truncated('CFHEADER', 0, CFHEADER_BYTES, size);
  const header = parseCfHeader(await src.read(0, CFHEADER_BYTES, 'CFHEADER'));
  if (header.signature !== SIGNATURE) {
    throw cabInvalid(`not a cabinet: signature is 0x${header.signature.toString(16).padStart(8, '0')}`, {
      offset: 0,
    });
  }
  if (header.versionMajor !== 1 || header.versionMinor !== 3) {
    throw cabUnsupported(
      `cabinet format version ${header.versionMajor}.${header.versionMinor} is not supported, only 1.3`,
      HINT_METHOD,
      { offset: 0x18 },
    );
  }
  if (size > header.cbCabinet) {
    throw cabInvalid(`file is longer than the cabinet: cbCabinet is ${header.cbCabinet}, file has ${size} bytes`, {
      offset: 0x08,
      cbCabinet: header.cbCabinet,
      fileSize: size,
    });
  }
  if (size < header.cbCabinet) {
    throw cabInvalid(`truncated cabinet: cbCabinet is ${header.cbCabinet}, file has ${size} bytes`, {
      offset: 0x08,
      cbCabinet: header.cbCabinet,
      fileSize: size,
    });
  }
  if ((header.flags & (FLAG_PREV_CABINET | FLAG_NEXT_CABINET)) !== 0) {
    throw cabUnsupported(`multi-cabinet sets are not supported: header flags ${hex4(header.flags)}`, HINT_MULTI, {
      offset: 0x1e,
      flags: header.flags,
    });
  }
  if (header.iCabinet !== 0) {
    throw cabUnsupported(`multi-cabinet sets are not supported: iCabinet is ${header.iCabinet}`, HINT_MULTI, {
      offset: 0x22,
    });
  }
  if ((header.flags & ~KNOWN_FLAGS) !== 0) {
    throw cabInvalid(`unknown header flags: ${hex4(header.flags)}`, { offset: 0x1e });
  }
  if (header.cFolders === 0) throw cabInvalid('cabinet has no folder: cFolders is 0', { offset: 0x1a });
  if (header.cFiles === 0) throw cabInvalid('cabinet has no file: cFiles is 0', { offset: 0x1c });
  if (header.cFolders > limits.maxFolders) {
    throw cabLimitExceeded(`too many folders: ${header.cFolders}, the limit is ${limits.maxFolders}`, {
      limit: 'maxFolders',
    });
  }
  if (header.cFiles > limits.maxFiles) {
    throw cabLimitExceeded(`too many files: ${header.cFiles}, the limit is ${limits.maxFiles}`, {
      limit: 'maxFiles',
    });
  }

  // Optional reserve sizes; the reserved bytes themselves are skipped, never read.
  let cursor = CFHEADER_BYTES;
  let reserve = { cbCFHeader: 0, cbCFFolder: 0, cbCFData: 0 };
  if ((header.flags & FLAG_RESERVE_PRESENT) !== 0) {
    reserve = parseCfReserve(await src.read(cursor, CFHEADER_RESERVE_BYTES, 'CFHEADER reserve sizes'));
    if (reserve.cbCFHeader > MAX_HEADER_RESERVE) {
      throw cabInvalid(`header reserve is larger than ${MAX_HEADER_RESERVE} bytes: ${reserve.cbCFHeader}`, {
        offset: cursor,
      });
    }
    cursor += CFHEADER_RESERVE_BYTES + reserve.cbCFHeader;
  }

  // CFFOLDER table.
  const folderEntryBytes = CFFOLDER_BYTES + reserve.cbCFFolder;
  const rawFolders: CfFolder[] = [];
  for (let i = 0; i < header.cFolders; i++) {
    const at = cursor + i * folderEntryBytes;
    if (at + folderEntryBytes > size) throw truncated(`CFFOLDER ${i}`, at, folderEntryBytes, size - at);
    const folder = parseCfFolder(await src.read(at, CFFOLDER_BYTES, `CFFOLDER ${i}`));
    checkCompression(folder.typeCompress, i, at + 6);
    rawFolders.push(folder);
  }
  const foldersEnd = cursor + header.cFolders * folderEntryBytes;

  // CFFILE table.
  if (header.coffFiles < foldersEnd) {
    throw cabInvalid(`coffFiles points inside the header or folder table: ${header.coffFiles}`, { offset: 0x10 });
  }
  const members: CabinetMember[] = [];
  cursor = header.coffFiles;
  for (let i = 0; i < header.cFiles; i++) {
    const file = parseCfFile(await src.read(cursor, CFFILE_BYTES, `CFFILE ${i}`));
    const nameAt = cursor + CFFILE_BYTES;
    const window = await src.read(nameAt, Math.min(MAX_NAME_BYTES + 1, size - nameAt), `name of CFFILE ${i}`);
    const nul = window.indexOf(0);
    if (nul === -1) {
      if (window.byteLength <= MAX_NAME_BYTES) {
        throw truncated(`name of CFFILE ${i}`, nameAt, window.byteLength + 1, size - nameAt);
      }
      throw cabInvalid(`file ${i} has a name longer than ${MAX_NAME_BYTES} bytes`, { offset: nameAt, file: i });
    }
    const name = parseMemberName(window.subarray(0, nul), file.attribs, i);
    if (file.iFolder >= IFOLDER_CONTINUED_FROM_PREV) {
      throw cabUnsupported(
        `multi-cabinet sets are not supported: file ${i} continues across cabinets, iFolder ${hex4(file.iFolder)}`,
        HINT_MULTI,
        { offset: cursor + 8, file: i },
      );
    }
    if (file.iFolder >= header.cFolders) {
      throw cabInvalid(`file ${i} names folder ${file.iFolder}, the cabinet has ${header.cFolders}`, {
        offset: cursor + 8,
        file: i,
      });
    }
    if (file.cbFile > limits.maxFileSize) {
      throw cabLimitExceeded(
        `file ${JSON.stringify(name)} is too large: ${file.cbFile} bytes, the limit is ${limits.maxFileSize}`,
        { limit: 'maxFileSize', file: i },
      );
    }
    members.push({
      name,
      size: file.cbFile,
      folder: file.iFolder,
      offset: file.uoffFolderStart,
      modified: decodeDosDateTime(file.date, file.time),
      attributes: file.attribs,
    });
    cursor = nameAt + nul + 1;
  }
  const filesEnd = cursor;
  checkNameCollisions(members.map((member) => member.name));

  // Folder data: after the tables, inside the file, no two folders starting at the same place.
  const folders = rawFolders.map((raw, index): PlannedFolder => {
    if (raw.coffCabStart < filesEnd) {
      throw cabInvalid(`folder ${index} data starts inside the header or file table: offset ${raw.coffCabStart}`, {
        folder: index,
        offset: raw.coffCabStart,
      });
    }
    if (raw.coffCabStart > size || (raw.cCFData > 0 && raw.coffCabStart === size)) {
      throw truncated(`CFDATA 0 of folder ${index}`, raw.coffCabStart, CFDATA_BYTES, size - raw.coffCabStart);
    }
    const own = members.filter((member) => member.folder === index);
    return {
      index,
      compression: (raw.typeCompress & 0x0f) === COMPRESSION_MSZIP ? 'mszip' : 'none',
      blocks: raw.cCFData,
      dataOffset: raw.coffCabStart,
      dataLimit: size,
      members: own,
      size: checkTiling(index, own),
    };
  });
  for (const folder of folders) {
    if (folder.blocks === 0) continue;
    for (const other of folders) {
      if (other === folder || other.blocks === 0) continue;
      if (other.dataOffset === folder.dataOffset && other.index > folder.index) {
        throw cabInvalid(
          `folders ${folder.index} and ${other.index} share their data: both start at ${folder.dataOffset}`,
          {
            folder: other.index,
            offset: other.dataOffset,
          },
        );
      }
      if (other.dataOffset > folder.dataOffset) folder.dataLimit = Math.min(folder.dataLimit, other.dataOffset);
    }
  }
  const total = folders.reduce((sum, folder) => sum + folder.size, 0);
  if (total > limits.maxTotalUncompressed) {
    throw cabLimitExceeded(`cabinet expands to more than the limit of ${limits.maxTotalUncompressed} bytes: ${total}`, {
      limit: 'maxTotalUncompressed',
    });
  }

  return {
    size,
    setId: header.setId,
    reserveHeaderBytes: reserve.cbCFHeader,
    dataReserveBytes: reserve.cbCFData,
    folders,
    members,
  };
}

/**
 * Walks one folder's CFDATA headers in order, checking each against the file, the next folder's
 * data, the block size rules, the folder's declared size and the compression ratio; `finish`
 * checks the total. readCabinetIndex and extraction share it, so they refuse the same things.
 */
export class FolderWalk {
  private block = 0;
  private at: number;
  private uncompressed = 0;
  private compressed = 0;
  private readonly entryBytes: number;

  constructor(
    private readonly src: ByteSource,
    tables: CabinetTables,
    private readonly folder: PlannedFolder,
    private readonly limits: CabinetLimits,
  ) {
    this.at = folder.dataOffset;
    this.entryBytes = CFDATA_BYTES + tables.dataReserveBytes;
  }

  async next(): Promise<BlockHeader | undefined> {
    const { folder, at, block } = this;
    if (block >= folder.blocks) return undefined;
    const what = (): string => `CFDATA ${block} of folder ${folder.index}`;
    this.checkInside(what, at, this.entryBytes);
    const { csum, cbData, cbUncomp } = parseCfData(await this.src.read(at, CFDATA_BYTES, what));
    checkBlockSizes(cbData, cbUncomp, folder.compression, folder.index, block, at, block + 1 === folder.blocks);
    const dataOffset = at + this.entryBytes;
    this.checkInside(() => `data of ${what()}`, dataOffset, cbData);
    this.uncompressed += cbUncomp;
    this.compressed += cbData;
    if (this.uncompressed > folder.size) {
      throw cabInvalid(
        `folder ${folder.index} has more data than its files hold: ${this.uncompressed} bytes by block ${block}, the files hold ${folder.size}`,
        { folder: folder.index, block, offset: at },
      );
    }
    // Checked at every block, before anything is inflated: a bomb is refused early. Deflate tops out
    // near 1032:1 and gcab's blocks of a constant byte reach ~680:1, so a prefix never trips the
    // default limit where the whole folder would not.
    if (this.uncompressed > this.limits.maxCompressionRatio * this.compressed) {
      throw cabLimitExceeded(
        `folder ${folder.index} has a suspicious compression ratio: ${this.uncompressed} bytes from ${this.compressed} by block ${block}, the limit is ${this.limits.maxCompressionRatio}:1`,
        { limit: 'maxCompressionRatio', folder: folder.index, block },
      );
    }
    this.block++;
    this.at = dataOffset + cbData;
    return { csum, cbData, cbUncomp, block, offset: at, dataOffset };
  }

  finish(): void {
    const { folder, uncompressed } = this;
    if (uncompressed !== folder.size) {
      throw cabInvalid(
        `folder ${folder.index} has less data than its files hold: ${uncompressed} bytes, the files hold ${folder.size}`,
        { folder: folder.index },
      );
    }
  }

  private checkInside(what: () => string, offset: number, length: number): void {
    const { folder } = this;
    if (offset + length <= folder.dataLimit) return;
    if (offset + length > this.src.size) throw truncated(what, offset, length, this.src.size - offset);
    throw cabInvalid(`${what()} at offset ${offset} runs into the data of another folder at ${folder.dataLimit}`, {
      folder: folder.index,
      offset,
    });
  }
}

/**
 * The members of a folder must cover its uncompressed stream from 0, in offset order, without gaps
 * or overlaps (gcab, fwupd and makecab write them that way). No byte of the stream is then left
 * unaccounted for, and a corrupted CFFILE offset or size is caught. Sorts `members`; returns the size.
 */
function checkTiling(folder: number, members: CabinetMember[]): number {
  if (members.length === 0) throw cabInvalid(`folder ${folder} holds no file`, { folder });
  members.sort((a, b) => a.offset - b.offset || a.size - b.size);
  let expected = 0;
  let previous: CabinetMember | undefined;
  for (const member of members) {
    if (member.offset < expected) {
      throw cabInvalid(
        `files ${JSON.stringify(previous?.name)} and ${JSON.stringify(member.name)} overlap in folder ${folder} at offset ${member.offset}`,
        { folder, offset: member.offset },
      );
    }
    if (member.offset > expected) {
      throw cabInvalid(
        `folder ${folder} has ${member.offset - expected} bytes that belong to no file at offset ${expected}`,
        {
          folder,
          offset: expected,
        },
      );
    }
    expected += member.size;
    previous = member;
  }
  return expected;
}

const hex4 = (value: number): string => `0x${value.toString(16).padStart(4, '0')}`;

/** typeCompress: NONE and MSZIP take no parameters; Quantum and LZX are refused by name. */
function checkCompression(typeCompress: number, folder: number, offset: number): void {
  const type = typeCompress & 0x0f;
  const details = { folder, offset, typeCompress };
  if (type === COMPRESSION_QUANTUM) {
    const level = (typeCompress >>> 4) & 0x0f;
    const memory = (typeCompress >>> 8) & 0x1f;
    throw cabUnsupported(
      `folder ${folder} is compressed with an unsupported method: Quantum (level ${level}, memory 2^${memory})`,
      HINT_METHOD,
      details,
    );
  }
  if (type === COMPRESSION_LZX) {
    const window = (typeCompress >>> 8) & 0x1f;
    throw cabUnsupported(
      `folder ${folder} is compressed with an unsupported method: LZX (window 2^${window})`,
      HINT_METHOD,
      details,
    );
  }
  if (type !== COMPRESSION_NONE && type !== COMPRESSION_MSZIP) {
    throw cabInvalid(`folder ${folder} has an unknown compression type: typeCompress ${hex4(typeCompress)}`, details);
  }
  if (typeCompress !== type) {
    throw cabInvalid(
      `folder ${folder} has parameters on a method that takes none: typeCompress ${hex4(typeCompress)}`,
      details,
    );
  }
}

/**
 * Sizes one CFDATA header may declare (reference §8). Stored blocks may be short anywhere (gcab,
 * cabextract and fwupd agree); MSZIP blocks only at the end of a folder; none may be empty.
 */
export function checkBlockSizes(
  cbData: number,
  cbUncomp: number,
  compression: 'none' | 'mszip',
  folder: number,
  block: number,
  offset: number,
  last: boolean,
): void {
  const fail = (fact: string): Error =>
    cabInvalid(`CFDATA ${block} of folder ${folder} at offset ${offset} ${fact}`, {
      folder,
      block,
      offset,
      cbData,
      cbUncomp,
    });
  if (cbUncomp === 0) {
    // MS-CAB: a block whose cbUncomp is 0 continues in the next cabinet (cabextract reads it so).
    throw cabUnsupported(
      `multi-cabinet sets are not supported: CFDATA ${block} of folder ${folder} at offset ${offset} continues in the next cabinet (cbUncomp 0)`,
      HINT_MULTI,
      { folder, block, offset },
    );
  }
  if (cbUncomp > MAX_BLOCK_UNCOMPRESSED) {
    throw fail(`expands to more than ${MAX_BLOCK_UNCOMPRESSED} bytes: cbUncomp ${cbUncomp}`);
  }
  if (compression === 'none') {
    if (cbData !== cbUncomp) throw fail(`is stored but its sizes differ: cbData ${cbData}, cbUncomp ${cbUncomp}`);
  } else if (cbData > MAX_MSZIP_BLOCK) {
    throw fail(`is larger than an MSZIP block can be: cbData ${cbData}`);
  } else if (cbData < 4) {
    throw fail(`is too short for MSZIP data: cbData ${cbData}`);
  } else if (!last && cbUncomp < MAX_BLOCK_UNCOMPRESSED) {
    // Peers disagree on the history after a short block (gcab and fwupd keep only that block,
    // cabextract 1.9 silently extracts other bytes): refuse what no producer writes.
    throw fail(`is a short MSZIP block before the folder's last: cbUncomp ${cbUncomp}, not ${MAX_BLOCK_UNCOMPRESSED}`);
  }
}

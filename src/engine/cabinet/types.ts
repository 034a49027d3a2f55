/** One CFFILE entry, validated. */
export interface CabinetMember {
  /** Normalised relative path: `\` turned into `/`, no `..`, no empty segment, unique in the cabinet. */
  name: string;
  /** cbFile: uncompressed size in bytes. */
  size: number;
  /** iFolder. */
  folder: number;
  /** uoffFolderStart: offset in the folder's uncompressed stream. */
  offset: number;
  /** DOS date and time taken as UTC; null when both are 0 or the value is impossible. */
  modified: Date | null;
  /** attribs (0x01 read-only, 0x02 hidden, 0x04 system, 0x20 archive, 0x40 exec, 0x80 UTF-8 name). */
  attributes: number;
}

export interface CabinetFolderInfo {
  index: number;
  compression: 'none' | 'mszip';
  /** cCFData. */
  blocks: number;
  /** coffCabStart: file offset of the folder's first CFDATA. */
  dataOffset: number;
  /** Sum of the blocks' cbUncomp. */
  uncompressedSize: number;
}

export interface CabinetIndex {
  /** File size (equal to cbCabinet). */
  size: number;
  folders: CabinetFolderInfo[];
  /** In CFFILE order. */
  members: CabinetMember[];
  /** cbCFHeader (0 without RESERVE_PRESENT). */
  reserveHeaderBytes: number;
  setId: number;
}

/** Receives the members of a cabinet during extraction. */
export interface MemberSink {
  /** Called once per member, in folder order then offset order; return undefined to skip it (it is still verified). */
  open(member: CabinetMember): MemberWriter | undefined | Promise<MemberWriter | undefined>;
}

export interface MemberWriter {
  /** Receives the member's bytes in order; each chunk is a fresh buffer the writer may keep but must not modify. */
  write(chunk: Uint8Array): void | Promise<void>;
  /** All bytes were written and verified. */
  close(): void | Promise<void>;
  /** Extraction failed while this member was open; `close` will not be called. */
  abort?(reason: unknown): void | Promise<void>;
}

/**
 * Where each field of a *valid* cabinet lies, for field-targeted corruption in tests. Written from the
 * reference independently of src/engine/cabinet so that the two check each other.
 */

/** `structural` fields decide what is extracted; the others may change without changing any byte. */
export type FieldKind = 'structural' | 'ignored' | 'name' | 'metadata' | 'checksum' | 'data';

export interface CabField {
  name: string;
  offset: number;
  size: number;
  kind: FieldKind;
}

export function describeCabLayout(bytes: Uint8Array): CabField[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: CabField[] = [];
  const add = (name: string, offset: number, size: number, kind: FieldKind): void => {
    if (size > 0) fields.push({ name, offset, size, kind });
  };
  add('signature', 0, 4, 'structural');
  add('reserved1', 4, 4, 'ignored');
  add('cbCabinet', 8, 4, 'structural');
  add('reserved2', 12, 4, 'ignored');
  add('coffFiles', 16, 4, 'structural');
  add('reserved3', 20, 4, 'ignored');
  add('version', 24, 2, 'structural');
  add('cFolders', 26, 2, 'structural');
  add('cFiles', 28, 2, 'structural');
  add('flags', 30, 2, 'structural');
  add('setID', 32, 2, 'ignored');
  add('iCabinet', 34, 2, 'structural');
  const flags = v.getUint16(30, true);
  const cFolders = v.getUint16(26, true);
  const cFiles = v.getUint16(28, true);
  let at = 36;
  let folderReserve = 0;
  let dataReserve = 0;
  if (flags & 4) {
    add('cbCFHeader', 36, 2, 'structural');
    add('cbCFFolder', 38, 1, 'structural');
    add('cbCFData', 39, 1, 'structural');
    const headerReserve = v.getUint16(36, true);
    folderReserve = v.getUint8(38);
    dataReserve = v.getUint8(39);
    add('abReserve(header)', 40, headerReserve, 'ignored');
    at = 40 + headerReserve;
  }
  const folders: { start: number; blocks: number }[] = [];
  for (let i = 0; i < cFolders; i++) {
    add(`folder${i}.coffCabStart`, at, 4, 'structural');
    add(`folder${i}.cCFData`, at + 4, 2, 'structural');
    add(`folder${i}.typeCompress`, at + 6, 2, 'structural');
    add(`folder${i}.abReserve`, at + 8, folderReserve, 'ignored');
    folders.push({ start: v.getUint32(at, true), blocks: v.getUint16(at + 4, true) });
    at += 8 + folderReserve;
  }
  at = v.getUint32(16, true);
  for (let i = 0; i < cFiles; i++) {
    add(`file${i}.cbFile`, at, 4, 'structural');
    add(`file${i}.uoffFolderStart`, at + 4, 4, 'structural');
    add(`file${i}.iFolder`, at + 8, 2, 'structural');
    add(`file${i}.date`, at + 10, 2, 'metadata');
    add(`file${i}.time`, at + 12, 2, 'metadata');
    add(`file${i}.attribs`, at + 14, 2, 'metadata');
    let end = at + 16;
    while (bytes[end] !== 0) end++;
    add(`file${i}.name`, at + 16, end - at - 16, 'name');
    add(`file${i}.nameNul`, end, 1, 'structural');
    at = end + 1;
  }
  folders.forEach((folder, f) => {
    let block = folder.start;
    for (let b = 0; b < folder.blocks; b++) {
      const cbData = v.getUint16(block + 4, true);
      add(`folder${f}.block${b}.csum`, block, 4, 'checksum');
      add(`folder${f}.block${b}.cbData`, block + 4, 2, 'structural');
      add(`folder${f}.block${b}.cbUncomp`, block + 6, 2, 'structural');
      add(`folder${f}.block${b}.abReserve`, block + 8, dataReserve, 'ignored');
      add(`folder${f}.block${b}.data`, block + 8 + dataReserve, cbData, 'data');
      block += 8 + dataReserve + cbData;
    }
  });
  return fields.sort((a, b) => a.offset - b.offset);
}

/** capstan's own Microsoft Cabinet reader: stored and MSZIP folders, strict, streaming. */

export { computeCabChecksum } from './checksum.js';
export { extractCabinetToDirectory } from './directory.js';
export { decodeDosDateTime } from './dos-date.js';
export { type ExtractOptions, extractCabinet } from './extract.js';
export { type CabinetLimits, DEFAULT_CABINET_LIMITS } from './limits.js';
export { type CabinetHashAlgorithm, hashCabinetMembers, readCabinetMembers } from './members.js';
export { parseMemberName } from './names.js';
export { readCabinetIndex } from './reader.js';
export type { CabinetSource } from './source.js';
export type { CabinetFolderInfo, CabinetIndex, CabinetMember, MemberSink, MemberWriter } from './types.js';

export { crc32 } from './crc32.js';
export { ESP_ERROR_CODES, type EspErrorCode, espError, isEspError } from './errors.js';
export { type CopyResult, Esp, type EspInit, type EspIo, nodeEspIo } from './esp.js';
export {
  formatEspGeometry,
  type PartitionIdentity,
  type ReadGeometryOptions,
  readPartitionGeometry,
  readPartitionIdentity,
} from './geometry.js';
export {
  type GptEntry,
  type GptHeader,
  type GptPartition,
  parseGptEntry,
  parseGptHeader,
  parseMbrTypes,
  readGptPartition,
} from './gpt.js';
export { ESP_CANDIDATE_PATHS, ESP_NOT_FOUND_HINT, listEspCandidates, locateEsp } from './locate.js';
export { describePartitionType, ESP_MBR_PARTITION_TYPE, ESP_PARTITION_TYPE } from './partition-types.js';
export { tryRealpathInRoot } from './root-path.js';
export { readSysfsPartition, type SysfsPartition } from './sysfs.js';
export type { EspCandidate, EspGeometry } from './types.js';
export { parseUdevRecord, tryReadUdevRecord, type UdevRecord } from './udev.js';

import { createHash, type Hash } from 'node:crypto';
import { cabLimitExceeded } from './cab-errors.js';
import { extractCabinet } from './extract.js';
import type { CabinetLimits } from './limits.js';
import { RELEASES_CHUNKS, releaseChunk } from './pool.js';
import type { CabinetSource } from './source.js';
import type { CabinetMember } from './types.js';

export type CabinetHashAlgorithm = 'sha256' | 'sha512' | 'sha1';

/**
 * Reads the small members that `names` selects (metainfo.xml, firmware.jcat) into memory; the whole
 * cabinet is still verified. A selected member larger than `maxBytesEach` is `cab-limit-exceeded`.
 */
export async function readCabinetMembers(
  source: CabinetSource,
  names: (member: CabinetMember) => boolean,
  maxBytesEach: number,
  limits: Partial<CabinetLimits> = {},
): Promise<Map<string, Uint8Array>> {
  const result = new Map<string, Uint8Array>();
  await extractCabinet(
    source,
    {
      open(member) {
        if (member.size > maxBytesEach) {
          throw cabLimitExceeded(
            `file ${JSON.stringify(member.name)} is too large to read into memory: ${member.size} bytes, the limit is ${maxBytesEach}`,
            { limit: 'maxBytesEach', name: member.name },
          );
        }
        const bytes = new Uint8Array(member.size);
        let filled = 0;
        return {
          // Copied at once: the chunk's buffer can be reused (pool.ts).
          [RELEASES_CHUNKS]: true,
          write(chunk) {
            bytes.set(chunk, filled);
            filled += chunk.byteLength;
            releaseChunk(chunk);
          },
          close() {
            result.set(member.name, bytes);
          },
        };
      },
    },
    { limits, only: names },
  );
  return result;
}

/** Hex digests of every member, streaming: name → { algorithm: hex }. */
export async function hashCabinetMembers(
  source: CabinetSource,
  algorithms: readonly CabinetHashAlgorithm[],
  limits: Partial<CabinetLimits> = {},
): Promise<Map<string, Record<string, string>>> {
  const result = new Map<string, Record<string, string>>();
  await extractCabinet(
    source,
    {
      open(member) {
        const hashes: [CabinetHashAlgorithm, Hash][] = algorithms.map((algorithm) => [
          algorithm,
          createHash(algorithm),
        ]);
        return {
          // Hashed at once: the chunk's buffer can be reused (pool.ts).
          [RELEASES_CHUNKS]: true,
          write(chunk) {
            for (const [, hash] of hashes) hash.update(chunk);
            releaseChunk(chunk);
          },
          close() {
            result.set(
              member.name,
              Object.fromEntries(hashes.map(([algorithm, hash]) => [algorithm, hash.digest('hex')])),
            );
          },
        };
      },
    },
    { limits },
  );
  return result;
}

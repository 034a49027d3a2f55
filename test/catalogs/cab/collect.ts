/** Extraction into memory for tests: every member's bytes, in the order the sink saw them. */
import {
  type CabinetIndex,
  type CabinetLimits,
  type CabinetMember,
  type CabinetSource,
  extractCabinet,
} from '../../../src/engine/cabinet/index.js';

export interface Collected {
  index: CabinetIndex;
  /** name → bytes. */
  files: Map<string, Buffer>;
  /** Names in the order the sink opened them. */
  order: string[];
  /** Largest chunk handed to a writer. */
  largestChunk: number;
}

export async function collectCabinet(
  source: CabinetSource,
  limits: Partial<CabinetLimits> = {},
  only?: (member: CabinetMember) => boolean,
): Promise<Collected> {
  const files = new Map<string, Buffer>();
  const order: string[] = [];
  let largestChunk = 0;
  const index = await extractCabinet(
    source,
    {
      open(member) {
        order.push(member.name);
        const chunks: Uint8Array[] = [];
        return {
          write(chunk) {
            largestChunk = Math.max(largestChunk, chunk.byteLength);
            chunks.push(chunk);
          },
          close() {
            files.set(member.name, Buffer.concat(chunks));
          },
        };
      },
    },
    only === undefined ? { limits } : { limits, only },
  );
  return { index, files, order, largestChunk };
}

export const bytesSource = (bytes: Uint8Array): CabinetSource => ({ kind: 'bytes', bytes });

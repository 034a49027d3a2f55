/**
 * Seeded, reproducible corruption of valid cabinets. For every case the reader must either refuse
 * with a cab-* CapstanError or extract exactly the original members (possible when the corruption
 * hits a reserved, ignored or metadata byte) — never another exception, never a hang, and memory
 * must stay bounded over the whole run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCab, deflateAsOneStream, pseudoRandomBytes } from '../../../test/catalogs/cab/build-cab.js';
import { type CabField, describeCabLayout } from '../../../test/catalogs/cab/cab-layout.js';
import { bytesSource, collectCabinet } from '../../../test/catalogs/cab/collect.js';
import { CapstanError } from '../../core/errors.js';
import { readCabinetIndex } from './index.js';

const SEED = 0xcab5eed;
const CASES = 20000;
const CASE_TIME_LIMIT_MS = 1000;
const RSS_GROWTH_LIMIT = 64 * 1024 * 1024;
const CAB_CODES = new Set(['cab-invalid', 'cab-unsupported', 'cab-limit-exceeded']);
const SAMPLES = path.resolve(import.meta.dirname, '../../../test/catalogs/cab');

/** mulberry32: small, fast, good enough to pick corruptions reproducibly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Base {
  name: string;
  bytes: Uint8Array;
  fields: CabField[];
  names: string[];
  contents: Buffer[];
  scratch: Uint8Array;
  extra: Uint8Array;
}

interface Mutation {
  bytes: Uint8Array;
  what: string;
  /** What the mutation touched; undefined when it moved bytes around. */
  touched: Touched | undefined;
}

interface Touched {
  /** Kinds of the fields hit (see cab-layout.ts), plus `beyond` and `unchanged`. */
  kinds: Set<string>;
  /** Names of the fields hit, such as `file2.uoffFolderStart`. */
  fields: string[];
}

async function makeBases(): Promise<Base[]> {
  const repetitive = Buffer.concat(Array.from({ length: 3 }, () => pseudoRandomBytes(15_000, 61)));
  const stream = Buffer.concat([repetitive, pseudoRandomBytes(2_000, 62)]);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += 32768) chunks.push(stream.subarray(at, at + 32768));
  const cabs: [string, Uint8Array][] = [
    ['example-stored.cab', fs.readFileSync(path.join(SAMPLES, 'example-stored.cab'))],
    ['example-mszip.cab', fs.readFileSync(path.join(SAMPLES, 'example-mszip.cab'))],
    ['gcab-utf8-mszip.cab', fs.readFileSync(path.join(SAMPLES, 'gcab-utf8-mszip.cab'))],
    [
      'stored, 3 files',
      buildCab({
        files: [
          { name: 'a.bin', data: pseudoRandomBytes(5_000, 63) },
          { name: 'empty', data: new Uint8Array(0) },
          { name: 'dir\\b.txt', data: pseudoRandomBytes(3_000, 64) },
        ],
        folders: [{ blockSizes: 2048 }],
      }),
    ],
    [
      'MSZIP, independent blocks',
      buildCab({
        files: [
          { name: 'firmware.bin', data: pseudoRandomBytes(40_000, 65, true) },
          { name: 'firmware.metainfo.xml', data: pseudoRandomBytes(900, 66, true) },
        ],
        folders: [{ compression: 'mszip' }],
      }),
    ],
    [
      'two folders with reserve fields',
      buildCab({
        files: [
          { name: 'a', data: repetitive, folder: 0 },
          { name: 'b', data: pseudoRandomBytes(4_000, 67), folder: 1 },
          { name: 'c', data: pseudoRandomBytes(1_000, 68), folder: 1 },
        ],
        folders: [{ compression: 'mszip', mszip: 'dictionary' }, { blockSizes: 1500 }],
        reserve: { header: 20, folder: 7, data: 3 },
      }),
    ],
    [
      'MSZIP cut from one deflate stream',
      buildCab({
        files: [
          { name: 'a', data: repetitive },
          { name: 'b', data: stream.subarray(repetitive.length) },
        ],
        folders: [{ compression: 'mszip', blocks: await deflateAsOneStream(chunks) }],
      }),
    ],
  ];
  const bases: Base[] = [];
  for (const [name, bytes] of cabs) {
    const { index, files } = await collectCabinet(bytesSource(bytes));
    bases.push({
      name,
      bytes,
      fields: describeCabLayout(bytes),
      names: index.members.map((m) => m.name),
      contents: index.members.map((m) => files.get(m.name) ?? Buffer.alloc(0)),
      scratch: new Uint8Array(bytes.length + 16),
      extra: new Uint8Array(16),
    });
  }
  return bases;
}

function mutate(base: Base, next: () => number): Mutation {
  const { bytes, fields } = base;
  const int = (n: number): number => Math.floor(next() * n);
  // One scratch buffer per base, reused by every case: the run allocates no input buffers, so RSS
  // measures the reader, not the test's garbage.
  const scratch = base.scratch;
  const copy = (): Uint8Array => {
    scratch.set(bytes);
    return scratch.subarray(0, bytes.length);
  };
  const end = (fields.at(-1)?.offset ?? 0) + (fields.at(-1)?.size ?? 0);
  const hit = (start: number, stop: number): Touched => {
    const touched = fields.filter((f) => f.offset < stop && f.offset + f.size > start);
    const kinds = new Set<string>(touched.map((f) => f.kind));
    if (start >= end) kinds.add('beyond');
    return { kinds, fields: touched.map((f) => f.name) };
  };
  const choice = next();
  if (choice < 0.3) {
    const out = copy();
    const at = int(out.length);
    out[at] = (out[at] ?? 0) ^ (1 + int(255));
    return { bytes: out, what: `flip byte ${at}`, touched: hit(at, at + 1) };
  }
  if (choice < 0.65) {
    const field = fields[int(fields.length)] as CabField;
    const out = copy();
    const view = new DataView(out.buffer);
    const size = Math.min(field.size, 4);
    const original =
      size === 4
        ? view.getUint32(field.offset, true)
        : size === 2
          ? view.getUint16(field.offset, true)
          : view.getUint8(field.offset);
    const max = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    const candidates = [
      0,
      1,
      max,
      original + 1,
      original - 1,
      original * 2,
      int(max + 1),
      bytes.length,
      bytes.length + 1,
      0x8000,
      0x8001,
      0xfffd,
    ];
    const value = ((candidates[int(candidates.length)] ?? 0) & max) >>> 0;
    if (size === 4) view.setUint32(field.offset, value, true);
    else if (size === 2) view.setUint16(field.offset, value, true);
    else view.setUint8(field.offset, value);
    const touched =
      value === original ? { kinds: new Set(['unchanged']), fields: [] } : hit(field.offset, field.offset + size);
    return { bytes: out, what: `set ${field.name} to ${value}`, touched };
  }
  if (choice < 0.8) {
    const length = int(bytes.length);
    return { bytes: bytes.subarray(0, length), what: `truncate to ${length}`, touched: undefined };
  }
  if (choice < 0.9) {
    const at = int(bytes.length + 1);
    const extra = base.extra.subarray(0, 1 + int(16));
    for (let k = 0; k < extra.length; k++) extra[k] = int(256);
    const out = scratch.subarray(0, bytes.length + extra.length);
    out.set(bytes.subarray(0, at));
    out.set(extra, at);
    out.set(bytes.subarray(at), at + extra.length);
    return { bytes: out, what: `insert ${extra.length} bytes at ${at}`, touched: undefined };
  }
  const at = int(bytes.length);
  const count = Math.min(1 + int(16), bytes.length - at);
  const out = scratch.subarray(0, bytes.length - count);
  out.set(bytes.subarray(0, at));
  out.set(bytes.subarray(at + count), at);
  return { bytes: out, what: `delete ${count} bytes at ${at}`, touched: undefined };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what()} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('corrupted cabinets', () => {
  let bases: Base[] = [];
  beforeAll(async () => {
    bases = await makeBases();
  });

  it(`applies ${CASES} seeded corruptions (seed 0x${SEED.toString(16)}): refused with a cab-* error or extracted unchanged, bounded time and memory`, async () => {
    const next = random(SEED);
    const stats = { refused: new Map<string, number>(), unchanged: 0, renamed: 0 };
    const rssStart = process.memoryUsage().rss;
    let rssMax = rssStart;
    let slowest = 0;
    // Plain checks rather than one expect() per case: the harness then adds little garbage of its
    // own, and the RSS growth measures the reader.
    const check = (ok: boolean, message: () => string): void => {
      if (!ok) throw new Error(message());
    };
    const harmless = new Set(['ignored', 'metadata', 'name', 'checksum', 'beyond', 'unchanged']);
    for (let i = 0; i < CASES; i++) {
      if (i % 100 === 0) {
        // Bytes sources run in microtasks only; let the event loop release freed buffers.
        await new Promise((resolve) => setImmediate(resolve));
        rssMax = Math.max(rssMax, process.memoryUsage().rss);
      }
      const base = bases[i % bases.length] as Base;
      const mutation = mutate(base, next);
      const label = (): string => `case ${i} (${base.name}: ${mutation.what})`;
      const started = performance.now();
      let outcome: Awaited<ReturnType<typeof collectCabinet>> | CapstanError;
      try {
        outcome = await withTimeout(collectCabinet(bytesSource(mutation.bytes)), CASE_TIME_LIMIT_MS, label);
      } catch (error) {
        check(
          error instanceof CapstanError && CAB_CODES.has(error.code),
          () => `${label()}: unexpected ${error instanceof Error ? error.stack : String(error)}`,
        );
        const refusal = error as CapstanError;
        check(/^(?![A-Z][a-z]).*[^.]$/s.test(refusal.message), () => `${label()}: message style: ${refusal.message}`);
        check(/^[^\n]+$/.test(refusal.hint ?? ''), () => `${label()}: hint: ${refusal.hint}`);
        outcome = refusal;
      }
      const elapsed = performance.now() - started;
      slowest = Math.max(slowest, elapsed);
      check(elapsed < CASE_TIME_LIMIT_MS, () => `${label()} took ${elapsed} ms`);

      // The index agrees: it accepts whatever extraction accepts, and refuses whatever extraction
      // refuses, except what only the data itself can show (checksum, deflate).
      const index = await withTimeout(
        readCabinetIndex(bytesSource(mutation.bytes)).then(
          (result) => result,
          (error: unknown) => error,
        ),
        CASE_TIME_LIMIT_MS,
        label,
      );
      if (outcome instanceof CapstanError) {
        stats.refused.set(outcome.code, (stats.refused.get(outcome.code) ?? 0) + 1);
        const message = outcome.message;
        check(
          index instanceof CapstanError || /fails its checksum|MSZIP|deflate|cbUncomp/.test(message),
          () => `${label()}: the index accepts what extraction refuses: ${message}`,
        );
        continue;
      }
      const extracted = outcome;
      check(isDeepStrictEqual(index, extracted.index), () => `${label()}: the index differs from extraction's`);
      const members = extracted.index.members;
      check(members.length === base.contents.length, () => `${label()}: ${members.length} members`);
      members.forEach((member, m) => {
        const content = extracted.files.get(member.name) ?? Buffer.alloc(0);
        check(Buffer.compare(content, base.contents[m] as Buffer) === 0, () => `${label()}: member ${m} changed`);
      });
      const touched = mutation.touched ?? { kinds: new Set(['moved']), fields: [] };
      if (members.some((member, m) => member.name !== base.names[m])) {
        // Names carry no checksum: a changed name is acceptable only when a name byte was hit.
        check(touched.kinds.has('name'), () => `${label()}: names changed`);
        stats.renamed++;
      } else {
        // Anything else that may change without changing an extracted byte is ignored data, or
        // where an empty member sits (any member boundary will do, in any folder).
        const emptyMember = (field: string): boolean => {
          const match = /^file(\d+)\.(uoffFolderStart|iFolder)$/.exec(field);
          return match !== null && base.contents[Number(match[1])]?.length === 0;
        };
        check(
          [...touched.kinds].every((kind) => harmless.has(kind)) || touched.fields.every(emptyMember),
          () => `${label()}: accepted a change to ${[...touched.kinds].join(', ')}`,
        );
        stats.unchanged++;
      }
    }
    rssMax = Math.max(rssMax, process.memoryUsage().rss);

    expect(rssMax - rssStart, 'RSS growth over the run').toBeLessThan(RSS_GROWTH_LIMIT);
    expect(slowest).toBeLessThan(CASE_TIME_LIMIT_MS);
    // The run exercised all outcomes.
    expect(stats.refused.get('cab-invalid') ?? 0).toBeGreaterThan(CASES / 2);
    expect(stats.refused.get('cab-unsupported') ?? 0).toBeGreaterThan(10);
    expect(stats.unchanged).toBeGreaterThan(100);
    expect(stats.renamed).toBeGreaterThan(10);
  });
});

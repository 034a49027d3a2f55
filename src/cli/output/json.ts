import type { OutStream } from '../io.js';

/** Version of every `--json` document; bumped only for breaking changes (docs/json-output.md). */
export const SCHEMA_VERSION = 1;

export function writeJson(out: OutStream, document: Record<string, unknown>): void {
  out.write(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...document }, null, 2)}\n`);
}

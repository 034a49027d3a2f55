import fs from 'node:fs';
import type { Context } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import type { EfiVarStore } from '../efi/store.js';
import type { Esp } from '../esp/esp.js';
import type { PayloadSource, PlannedWrite } from '../plugin-api.js';
import { readCabinetMembers } from './cabinet/index.js';
import { Journal, type JournalTargets } from './journal.js';

/** The payload of a capsule file: bytes in memory, or the member of a cabinet (read once, bounded). */
async function readPayload(source: PayloadSource, size: number): Promise<Uint8Array> {
  if (source.kind === 'bytes') return source.bytes;
  const members = await readCabinetMembers({ kind: 'file', path: source.cab }, (m) => m.name === source.member, size);
  const bytes = members.get(source.member);
  if (bytes === undefined) {
    throw new CapstanError('cab-invalid', `${source.cab}: member ${source.member} disappeared`, {
      hint: 'the cabinet changed while staging; download it again',
    });
  }
  return bytes;
}

/** Journal targets for an ESP and a variable store (what rollback touches). */
export function journalTargets(esp: Esp, variables: EfiVarStore): JournalTargets {
  return {
    variables,
    esp: {
      writeFile: (rel, bytes) => esp.writeFileAtomic(rel, bytes),
      removeFile: (rel) => {
        esp.remove(rel);
      },
      removeEmptyDir: (rel) => {
        try {
          fs.rmdirSync(esp.resolve(rel));
        } catch {
          // not empty (someone else's files) or already gone: leave it
        }
      },
    },
  };
}

/**
 * Makes a plugin's write set real, in order, each effect journaled before it is made. Any failure
 * rolls every effect back (newest first) and rethrows, so the machine is either fully staged or as
 * it was; the caller commits the journal only after verifying the staged state.
 */
export async function applyWrites(
  ctx: Context,
  writes: readonly PlannedWrite[],
  esp: Esp,
  variables: EfiVarStore,
  meta: Record<string, unknown>,
): Promise<Journal> {
  const journal = Journal.begin(ctx, { ...meta, espMountPoint: esp.mountPoint });
  try {
    for (const write of writes) {
      switch (write.kind) {
        case 'esp-mkdir':
          if (!esp.exists(write.path)) {
            journal.recordEspDir(write.path);
            fs.mkdirSync(esp.resolve(write.path), { mode: 0o755 });
          }
          break;
        case 'esp-file': {
          const previous = esp.exists(write.path) ? fs.readFileSync(esp.resolve(write.path)) : null;
          journal.recordEspFile(write.path, previous);
          if (write.content.kind === 'copy') {
            esp.copyFileAtomic(write.path, write.content.systemPath, { mode: 0o644 });
          } else {
            const payload = await readPayload(write.content.payload, write.content.size);
            const header = write.content.header ?? new Uint8Array();
            if (header.length + payload.length !== write.content.size) {
              throw new CapstanError(
                'capsule-invalid',
                `${write.path}: ${header.length + payload.length} bytes, the plan said ${write.content.size}`,
                {
                  hint: 'the payload changed since it was planned; plan again',
                },
              );
            }
            esp.writeFileAtomic(write.path, Buffer.concat([header, payload]));
          }
          break;
        }
        case 'efivar':
          journal.recordVariable(variables, write.guid, write.name);
          variables.set(write.guid, write.name, write.attributes, write.data);
          break;
        case 'efivar-delete':
          if (variables.get(write.guid, write.name) !== undefined) {
            journal.recordVariable(variables, write.guid, write.name);
            variables.delete(write.guid, write.name);
          }
          break;
      }
    }
  } catch (error) {
    try {
      journal.rollback(journalTargets(esp, variables));
    } catch (rollbackError) {
      throw new CapstanError(
        'staging-incomplete',
        `staging failed and rolling back failed too: ${describe(rollbackError)}`,
        {
          hint: 'run capstan again: it finishes the rollback from its journal before doing anything else',
          cause: error,
          details: { firstError: describe(error) },
        },
      );
    }
    if (error instanceof CapstanError) {
      throw new CapstanError(error.code, `staging: ${error.message}; everything written was rolled back`, {
        ...(error.hint === undefined ? {} : { hint: error.hint }),
        cause: error,
      });
    }
    throw error;
  }
  return journal;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { computeHardwareIds, readSmbios } from '../../hwids/index.js';
import { writeJson } from '../output/json.js';
import type { CommandInvocation } from '../program.js';

/** `hwids`: the SMBIOS keys and the hardware ids (CHIDs) computed from them, as `fwupdtool hwids`. */
export function run({ ctx, io, global }: CommandInvocation): number {
  const smbios = readSmbios(ctx);
  const result = computeHardwareIds(smbios);
  if (global.json) {
    writeJson(io.stdout, {
      found: smbios.found,
      smbiosVersion: smbios.entryPoint === undefined ? null : `${smbios.entryPoint.major}.${smbios.entryPoint.minor}`,
      keys: result.keys,
      ids: result.ids,
      omitted: result.omitted,
      problems: smbios.problems,
    });
    return 0;
  }
  const lines: string[] = [];
  if (!smbios.found) {
    lines.push(`no SMBIOS tables in ${ctx.paths.display('/sys/firmware/dmi/tables')}: no hardware ids`);
  }
  for (const problem of smbios.problems) lines.push(`warning: ${problem}`);
  for (const [key, value] of Object.entries(result.keys)) lines.push(`${key}: ${value}`);
  if (lines.length > 0) lines.push('');
  for (const id of result.ids) lines.push(`${id.name.padEnd(14)} ${id.guid}  <- ${id.keys.join(' + ')}`);
  for (const omitted of result.omitted) lines.push(`${omitted.name.padEnd(14)} (none: ${omitted.reason})`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

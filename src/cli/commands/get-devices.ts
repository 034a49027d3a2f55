import type { Device } from '../../devices/device.js';
import { requireUsableEsrt } from '../../esrt/index.js';
import { writeJson } from '../output/json.js';
import { chooseStyle, formatProblem, formatTable } from '../output/text.js';
import type { CommandInvocation } from '../program.js';
import { esrtView, platformView, readInventory } from './inventory.js';

export function run({ ctx, io, global }: CommandInvocation): number {
  const inventory = readInventory(ctx);
  requireUsableEsrt(inventory.esrt);
  if (global.json) {
    writeJson(io.stdout, {
      platform: platformView(ctx, inventory.platform),
      esrt: esrtView(inventory.esrt),
      devices: inventory.devices,
    });
    return 0;
  }
  const style = chooseStyle(io, 'stdout');
  const platform = platformView(ctx, inventory.platform);
  const lines = [
    `${style.bold('Platform:')} ${String(platform.description)}`,
    `${style.bold('ESRT:')} ${inventory.esrt.status}, ${inventory.devices.length} entries (${inventory.esrt.source?.path ?? ''})`,
  ];
  for (const p of inventory.esrt.problems) lines.push(formatProblem(p, style));
  lines.push('');
  lines.push(
    formatTable(
      ['GUID', 'TYPE', 'VERSION', 'LOWEST', 'FLAGS', 'LAST ATTEMPT', 'UPDATABLE'],
      inventory.devices.map(deviceRow),
      style,
    ),
  );
  for (const device of inventory.devices) {
    if (device.problems.length === 0) continue;
    lines.push('', `${device.esrtEntry} ${device.guid}:`);
    for (const p of device.problems) lines.push(formatProblem(p, style));
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function deviceRow(device: Device): string[] {
  const unknown = '?';
  return [
    device.guid,
    device.fwType,
    device.version ?? unknown,
    device.lowestSupportedVersion ?? unknown,
    device.capsuleFlags === null ? unknown : `0x${device.capsuleFlags.toString(16)}`,
    device.lastAttemptStatus === null
      ? unknown
      : (device.lastAttemptStatusText ?? `invalid (${device.lastAttemptStatus})`),
    device.updatable ? 'yes' : 'no',
  ];
}

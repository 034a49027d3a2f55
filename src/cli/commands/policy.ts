import { CapstanError } from '../../core/errors.js';
import type { MethodId } from '../../engine/method.js';
import type { Policy } from '../../planner/types.js';

export const POLICY_OPTIONS = [
  { flags: '--allow-older', description: 'allow downgrades (with --version, or capstan downgrade)' },
  { flags: '--allow-reinstall', description: 'allow reinstalling the installed version' },
  { flags: '--version <version>', description: 'plan exactly this release version' },
  { flags: '--force', description: 'relax the lowest-supported-version check (never checksums or signatures)' },
  { flags: '--method <method>', description: 'uefi-capsule or capsule-on-disk (default: as fwupd chooses)' },
] as const;

export function readPolicy(
  options: Record<string, unknown>,
  args: readonly string[],
  mode: Policy['mode'] = 'update',
): Policy {
  for (const guid of args) {
    if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(guid)) {
      throw new CapstanError('usage', `${JSON.stringify(guid)} is not a device GUID`, {
        hint: 'pass ESRT GUIDs as shown by capstan get-devices',
      });
    }
  }
  return {
    guids: args.map((g) => g.toLowerCase()),
    ...(typeof options.version === 'string' ? { version: options.version } : {}),
    allowOlder: options.allowOlder === true,
    allowReinstall: options.allowReinstall === true,
    mode,
    force: options.force === true,
  };
}

export function readMethod(options: Record<string, unknown>): MethodId | undefined {
  const method = options.method;
  if (method === undefined) return undefined;
  if (method !== 'uefi-capsule' && method !== 'capsule-on-disk') {
    throw new CapstanError('usage', `--method ${JSON.stringify(method)} is not a method`, {
      hint: 'use --method uefi-capsule or --method capsule-on-disk',
    });
  }
  return method;
}

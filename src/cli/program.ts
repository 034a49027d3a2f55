import type { Context } from '../core/context.js';
import { POLICY_OPTIONS } from './commands/policy.js';
import type { Io } from './io.js';

/** Options every command accepts (declared once, on the program). */
export interface GlobalOptions {
  root?: string;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  esrtFile?: string;
  xenEsrtFixed?: boolean;
}

export interface CommandInvocation {
  ctx: Context;
  /** capstan's version (package.json), for documents that record it. */
  version: string;
  io: Io;
  global: GlobalOptions;
  args: string[];
  options: Record<string, unknown>;
}

/** A command module: a plain function that writes its result and returns the exit status. */
export interface CommandModule {
  run(invocation: CommandInvocation): Promise<number> | number;
}

export interface CommandSpec {
  name: string;
  summary: string;
  arguments?: string;
  options?: ReadonlyArray<{ flags: string; description: string }>;
  examples: readonly string[];
  /** Loaded only when the command runs, to keep start-up small. */
  load(): Promise<CommandModule>;
}

/** The command table: every verb, its help and examples. docs/cli/capstan.1.md follows it. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'get-devices',
    summary: 'list the firmware the ESRT says can be updated, with trust findings',
    examples: ['capstan get-devices', 'capstan get-devices --json', 'capstan get-devices --esrt-file esrt.bin'],
    load: () => import('./commands/get-devices.js'),
  },
  {
    name: 'doctor',
    summary: 'check the platform, kernel, Xen, ESRT, EFI variables and Secure Boot, with a fix for each problem',
    examples: ['capstan doctor', 'capstan --root /srv/images/host1 doctor --json'],
    load: () => import('./commands/doctor.js'),
  },
  {
    name: 'get-remotes',
    summary: 'list the firmware remotes in /etc/capstan/remotes.d, highest priority first',
    examples: ['capstan get-remotes', 'capstan get-remotes --json'],
    load: async () => ({ run: (await import('./commands/remotes.js')).run }),
  },
  {
    name: 'enable-remote',
    summary: 'enable a remote (rewrites only its Enabled= line)',
    arguments: '<id>',
    examples: ['capstan enable-remote lvfs-testing'],
    load: async () => ({ run: (await import('./commands/remotes.js')).runEnable }),
  },
  {
    name: 'disable-remote',
    summary: 'disable a remote (rewrites only its Enabled= line)',
    arguments: '<id>',
    examples: ['capstan disable-remote lvfs-testing'],
    load: async () => ({ run: (await import('./commands/remotes.js')).runDisable }),
  },
  {
    name: 'refresh',
    summary: 'download and verify the metadata of enabled remotes (signature checked before parsing)',
    arguments: '[remote...]',
    options: [{ flags: '--force', description: 'download even if the metadata is younger than RefreshInterval' }],
    examples: ['capstan refresh', 'capstan refresh lvfs --force', 'HTTPS_PROXY=http://proxy:3128 capstan refresh'],
    load: () => import('./commands/refresh.js'),
  },
  {
    name: 'get-updates',
    summary: 'list the devices that have an eligible release, with every release explained',
    arguments: '[guid...]',
    options: POLICY_OPTIONS,
    examples: ['capstan get-updates', 'capstan get-updates --json'],
    load: async () => ({ run: (await import('./commands/plan.js')).runGetUpdates }),
  },
  {
    name: 'plan',
    summary: 'say exactly what update would do, with pre-checks; --output saves the plan for apply',
    arguments: '[guid...]',
    options: [
      ...POLICY_OPTIONS,
      { flags: '--output <file>', description: 'write the plan document to FILE' },
      { flags: '--cab <file>', description: 'plan installing this local cabinet instead of the catalog' },
      {
        flags: '--allow-unsigned',
        description: 'with --cab: accept a cabinet without a signature from a trust anchor',
      },
    ],
    examples: [
      'capstan plan',
      'capstan plan --json > plan.json',
      'capstan plan ddc0ee61-e7f0-4e7d-acc5-c070a398838e --version 0.1.0.48 --allow-older --output downgrade.json',
      'capstan plan --cab ./firmware.cab --allow-unsigned',
    ],
    load: () => import('./commands/plan.js'),
  },
  {
    name: 'get-details',
    summary: 'show what a firmware cabinet contains, whether it is signed, and which device it fits',
    arguments: '<file>',
    examples: ['capstan get-details firmware.cab', 'capstan get-details firmware.cab --json'],
    load: async () => ({ run: (await import('./commands/cabinet.js')).runGetDetails }),
  },
  {
    name: 'cab',
    summary: 'list or extract a cabinet archive with capstan\u2019s strict reader (for admins and support)',
    arguments: '<action> <file> [directory]',
    examples: ['capstan cab list firmware.cab', 'capstan cab extract firmware.cab /tmp/fw'],
    load: () => import('./commands/cab.js'),
  },
  {
    name: 'hwids',
    summary: 'print the SMBIOS keys and the hardware ids (CHIDs) that <hardware> requirements match',
    examples: ['capstan hwids', 'capstan hwids --json'],
    load: () => import('./commands/hwids.js'),
  },
  {
    name: 'export-esrt',
    summary: 'write this machine\u2019s ESRT as a raw table (16-byte header + 40-byte entries) for --esrt-file',
    arguments: '<file>',
    examples: ['capstan export-esrt host1-esrt.bin', 'capstan get-devices --esrt-file host1-esrt.bin'],
    load: () => import('./commands/export-esrt.js'),
  },
];

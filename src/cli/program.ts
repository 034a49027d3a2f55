import type { Context } from '../core/context.js';
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

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { type Context, createContext } from '../core/context.js';
import { CapstanError } from '../core/errors.js';
import { ERROR_SUMMARY, type ErrorCode, EXIT_STATUS } from '../core/exit-codes.js';
import { createLogger } from '../core/log.js';
import type { Io } from './io.js';
import { writeJson } from './output/json.js';
import { chooseStyle, formatProblem } from './output/text.js';
import { COMMANDS, type CommandSpec, type GlobalOptions } from './program.js';

/**
 * The CLI's only entry: parses arguments, builds the Context, runs one command and turns every
 * error into output plus an exit status. The only place that knows about exit statuses; bin/
 * sets process.exitCode from the return value.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const wantsJson = argv.includes('--json');
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  let status = 0;
  const program = buildProgram(io, async (spec, command, args) => {
    const global = command.optsWithGlobals() as GlobalOptions;
    const ctx = buildContext(io, global);
    const module = await spec.load();
    status = await module.run({ ctx, io, global, args, options: command.opts(), version: readVersion() });
  });
  try {
    if (argv.length === 0) {
      io.stderr.write(program.helpInformation());
      return EXIT_STATUS.usage;
    }
    // Only in front of a command: after one, `--version <v>` is the policy option of plan/update.
    if (argv[0] === '--version' || argv[0] === '-V') {
      io.stdout.write(`${readVersion()}\n`);
      return 0;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (error) {
    return reportError(error, io, wantsJson, verbose);
  }
}

function buildProgram(io: Io, run: (spec: CommandSpec, command: Command, args: string[]) => Promise<void>): Command {
  const program = new Command('capstan')
    .description('UEFI capsule firmware updates for bare metal and Xen dom0, done carefully')
    .helpOption('-h, --help', 'show help')
    .option('--root <dir>', 'resolve every system path under DIR (env CAPSTAN_ROOT; default /)')
    .option('--json', 'print one JSON document (schemaVersion 1) on stdout; never prompts')
    .option('-v, --verbose', 'log debug details on stderr')
    .option('-q, --quiet', 'only warnings and errors on stderr')
    .option('--esrt-file <file>', 'use a raw ESRT dump (from export-esrt) instead of this machine\u2019s ESRT')
    .addOption(
      new Option(
        '--xen-esrt-fixed',
        'trust the last ESRT entry on Xen 4.17.1-4.21.0 (build carries commit 3ea44aa78c)',
      ),
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Usage errors are rendered by reportError (human or JSON), not by commander.
      outputError: () => {},
    })
    .addHelpText(
      'after',
      `\ncapstan --version (or -V) prints the version.\nExit status: 0 success; 4 usage; 5 unsupported machine or ESRT; 8 permission; see docs/exit-codes.md.\nEnvironment: CAPSTAN_ROOT (like --root), NO_COLOR.`,
    );

  for (const spec of COMMANDS) {
    const command = program
      .command(spec.arguments === undefined ? spec.name : `${spec.name} ${spec.arguments}`)
      .description(spec.summary)
      .addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}`)
      .exitOverride()
      .configureOutput({
        writeOut: (text) => io.stdout.write(text),
        writeErr: (text) => io.stderr.write(text),
        outputError: () => {},
      });
    for (const option of spec.options ?? []) command.option(option.flags, option.description);
    command.action(async (...params: unknown[]) => {
      const self = params.at(-1) as Command;
      await run(spec, self, self.args);
    });
  }
  return program;
}

function buildContext(io: Io, global: GlobalOptions): Context {
  const root = global.root ?? io.env.CAPSTAN_ROOT ?? '/';
  if (root === '' || !fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new CapstanError('usage', `--root ${JSON.stringify(root)} is not a directory`, {
      hint: 'give the directory that holds the machine\u2019s sys/, proc/ and etc/ (or / for this machine)',
    });
  }
  const threshold = global.verbose ? 'debug' : global.quiet ? 'error' : 'warn';
  const esrtFile = global.esrtFile === undefined ? undefined : path.resolve(io.cwd ?? process.cwd(), global.esrtFile);
  return createContext({
    root,
    env: io.env,
    log: createLogger(io.stderr, threshold),
    options: { xenEsrtFixed: global.xenEsrtFixed === true, ...(esrtFile === undefined ? {} : { esrtFile }) },
  });
}

function reportError(error: unknown, io: Io, json: boolean, verbose: boolean): number {
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    ) {
      return 0;
    }
    return reportError(
      new CapstanError('usage', error.message.replace(/^error: /, ''), {
        hint: 'run `capstan --help` for the commands and options',
      }),
      io,
      json,
      verbose,
    );
  }
  const known =
    error instanceof CapstanError
      ? error
      : new CapstanError('internal', `internal error: ${error instanceof Error ? error.message : String(error)}`, {
          hint: `this is a bug in capstan ${readVersion()} (node ${process.version}); please report it to the capstan maintainers with the output of the same command run with --verbose`,
          cause: error,
        });
  if (json) {
    writeJson(io.stdout, {
      error: {
        code: known.code,
        message: known.message,
        hint: known.hint ?? '',
        ...(known.details === undefined ? {} : { details: known.details }),
      },
    });
  } else {
    const style = chooseStyle(io, 'stderr');
    io.stderr.write(`capstan: ${style.red('error')}: ${known.message}\n`);
    if (known.hint !== undefined) io.stderr.write(`  ${style.dim('fix:')} ${known.hint}\n`);
    const problems = known.details?.problems;
    if (Array.isArray(problems) && problems.length > 1) {
      io.stderr.write('  all findings:\n');
      for (const p of problems) io.stderr.write(`${formatProblem(p, style, '    ')}\n`);
    }
    io.stderr.write(`  (${known.code}: ${ERROR_SUMMARY[known.code as ErrorCode] ?? ''})\n`);
  }
  if (verbose && known.code === 'internal' && known.cause instanceof Error && known.cause.stack !== undefined) {
    io.stderr.write(`${known.cause.stack}\n`);
  }
  return known.exitStatus;
}

let cachedVersion: string | undefined;
function readVersion(): string {
  if (cachedVersion === undefined) {
    // src/cli/main.ts (tests) and dist/src/cli/main.js sit at different depths below package.json.
    let dir = path.dirname(fileURLToPath(import.meta.url));
    while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    cachedVersion = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string })
      .version;
  }
  return cachedVersion;
}

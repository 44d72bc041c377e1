// The command line: commander parses, the commands run, and every way out becomes one of the
// documented exit codes. `runCli` never touches `process`: main.ts wires it to the real one.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { redactString } from '@campaigns/redact';
import { exportCommand, type ExportOptions } from './export.js';
import { SIM_ENV, TOKEN_ENV } from './connection.js';
import { DEFAULT_JOB_SIZE, GATEWAY_AUTHS, GATEWAY_TOKEN_ENV } from './gateway-options.js';
import { count, EXIT, StoppedError, UsageError, type CliIo, type ExitCode } from './io.js';
import { updateCommand, DEFAULT_BATCH_ROWS, type UpdateOptions } from './update.js';
import { RESET_MARKER } from './rows.js';
import { heldSecrets, holdSecret } from './secrets.js';
import { CLI_VERSION } from './version.js';

const NAME = 'hubspot-campaigns';

/** Connection options, accepted before or after the command name. */
function connectionOptions(command: Command): Command {
  return command
    .option('--token-file <file>', `read the HubSpot token from a file (else ${TOKEN_ENV})`)
    .option('--api-version <version>', 'v3 (default) or a date version such as 2026-03')
    .option('--sim', `use an embedded HubSpot simulator, no account needed (or ${SIM_ENV}=1)`)
    .addOption(
      new Option('--sim-campaigns <n>', 'campaigns the embedded simulator starts with').hideHelp(),
    )
    .option('--base-url <url>', 'HubSpot API host (e.g. a simulator started elsewhere)')
    .option(
      '--gateway <url>',
      'send the work through the campaigns gateway (its job API) instead of to HubSpot: it holds the HubSpot credential',
    )
    .option(
      '--gateway-token-file <file>',
      `read the gateway's API key or JWT from a file (else ${GATEWAY_TOKEN_ENV})`,
    )
    .addOption(
      new Option('--gateway-auth <kind>', 'how the gateway credential is sent').choices(
        GATEWAY_AUTHS,
      ),
    )
    .option('-q, --quiet', 'no progress display (the summary is still printed)')
    .addOption(
      new Option('--progress-interval <ms>', 'ms between two plain progress lines (not a terminal)')
        .argParser((value) => {
          const ms = Number(value);
          if (!Number.isInteger(ms) || ms < 10)
            throw new InvalidArgumentError('a whole number of ms, at least 10');
          return ms;
        })
        .hideHelp(),
    );
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.OK;
  const program = connectionOptions(new Command(NAME))
    .description('Export HubSpot marketing campaigns to a file, and apply bulk edits from one.')
    .version(CLI_VERSION)
    .exitOverride()
    .showHelpAfterError('(run hubspot-campaigns --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  connectionOptions(program.command('export'))
    .description('write every campaign (paged through HubSpot) to CSV or JSONL')
    .option('--properties <names>', 'comma-separated properties to export (columns)')
    .option('--name <text>', 'only campaigns whose name contains this text')
    .option('--format <format>', 'csv or jsonl (default: from -o, else csv)')
    .option('-o, --output <file>', 'write here instead of standard output')
    .option('--bom', 'start a CSV with a byte-order mark (lets Excel read UTF-8)')
    .action(async (_options: unknown, command: Command) => {
      code = await exportCommand(command.optsWithGlobals<ExportOptions>(), io);
    });

  connectionOptions(program.command('update'))
    .description(
      `apply the changes in a CSV (id,<property>,…; empty cell = leave alone, ${RESET_MARKER} = reset) or JSONL file`,
    )
    .requiredOption(
      '-f, --file <file>',
      'the changes: a CSV or JSONL file, or - for standard input',
    )
    .option('--format <format>', 'csv or jsonl (default: from the file name, else csv)')
    .option('--dry-run', 'check the whole file and print what would change; send nothing')
    .option('--report <file>', 'write a JSONL report, one line per campaign, as results arrive')
    .option('--resume <report>', 'skip the campaigns an earlier report marked ok')
    .option('--ignore-columns <names>', 'comma-separated CSV columns to leave out')
    .option(
      '--batch-rows <n>',
      `rows held and handed to the engine at a time (default ${DEFAULT_BATCH_ROWS})`,
    )
    .option(
      '--job-size <n>',
      `with --gateway: campaigns per gateway job (default ${count(DEFAULT_JOB_SIZE)})`,
    )
    .action(async (_options: unknown, command: Command) => {
      code = await updateCommand(command.optsWithGlobals<UpdateOptions>(), io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, successfully; commander already printed the rest.
      if (error.exitCode === 0) return EXIT.OK;
      return EXIT.BAD_INPUT;
    }
    if (error instanceof UsageError || error instanceof StoppedError) {
      io.stderr.write(`${NAME}: ${error.message}\n`);
      return error.exitCode;
    }
    // Not expected: say what happened (with every credential taken out: those of the
    // environment, and those the command read from a file) and fail.
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    for (const name of [TOKEN_ENV, GATEWAY_TOKEN_ENV]) holdSecret(io, io.env[name] ?? '');
    io.stderr.write(`${NAME}: unexpected error: ${redactString(text, heldSecrets(io))}\n`);
    return EXIT.SOME_FAILED;
  }
}

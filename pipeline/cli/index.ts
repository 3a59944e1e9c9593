/**
 * The one boundary of the command-line interface: parses argv against the command specs, prints
 * `--help` generated from them, holds the results lock for commands that write results, and is
 * the single place where errors are caught: a PipelineError, a schema error or a bad environment
 * variable prints its message and hint and exits with status 1 (2 for usage errors); anything
 * else is a bug and prints its stack.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { EnvironmentVariableError, parseEnvironment } from '../../schemas/environment.ts';
import { SchemaValidationError } from '../../schemas/friendly-errors.ts';
import { InterruptedError, PipelineError, UsageError } from '../errors.ts';
import { describeFileSystemError } from '../io/fs-errors.ts';
import { withResultsLock } from '../io/results-lock.ts';
import { createLogger, LOG_FORMATS, type LogFormat } from '../log.ts';
import {
  exitCodeOf,
  installInterruptHandlers,
  requestInterrupt,
  watchOutputs,
} from '../util/interrupt.ts';
import { buildCommand } from './build.ts';
import { checkCommand } from './check.ts';
import { dataCommand } from './data.ts';
import { evaluateCommand } from './evaluate.ts';
import { examplesCommand } from './examples.ts';
import { guardCommand } from './guard.ts';
import { commandHelpText, commandUsage, helpText } from './help.ts';
import { mergeCommand } from './merge.ts';
import { resultsDir, type CommandSpec } from './options.ts';
import { planCommand } from './plan.ts';
import { prCommentCommand } from './pr-comment.ts';
import { prReportCommand } from './pr-report.ts';
import { rehearseCommand } from './rehearse.ts';
import { schemasCommand } from './schemas.ts';
import { scoreCommand } from './score.ts';

export { parseShard } from './options.ts';

/** Every command, in the order help and the README list them. */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  evaluate: evaluateCommand,
  build: buildCommand,
  plan: planCommand,
  check: checkCommand,
  score: scoreCommand,
  guard: guardCommand,
  'pr-report': prReportCommand,
  'pr-comment': prCommentCommand,
  merge: mergeCommand,
  data: dataCommand,
  rehearse: rehearseCommand,
  examples: examplesCommand,
  schemas: schemasCommand,
};

function parseArgsConfig(command: CommandSpec): ParseArgsOptionsConfig {
  return Object.fromEntries(command.options.map((option) => [option.name, { type: option.type }]));
}

function parseCommandLine(name: string, command: CommandSpec, args: readonly string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: parseArgsConfig(command),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(
      error instanceof Error ? error.message : String(error),
      `usage: ${commandUsage(name, command)}`,
    );
  }
  const [stray] = parsed.positionals;
  if (command.positionals === undefined && stray !== undefined) {
    const guess = command.options.some((option) => option.name === 'submission')
      ? `; did you mean --submission ${stray} or --task ${stray}?`
      : '';
    throw new UsageError(
      `${name} takes no positional arguments (got "${stray}")${guess}`,
      `usage: ${commandUsage(name, command)}`,
    );
  }
  return parsed;
}

/**
 * Every log format asked for, in order, read before the options are parsed so that errors use
 * it. Each is checked; the last one counts, as for every other repeated option.
 */
function requestedLogFormats(args: readonly string[]): string[] {
  const formats: string[] = [];
  args.forEach((arg, index) => {
    if (arg === '--log-format') {
      formats.push(args[index + 1] ?? '');
    } else if (arg.startsWith('--log-format=')) {
      formats.push(arg.slice('--log-format='.length));
    }
  });
  return formats;
}

function isLogFormat(format: string | undefined): format is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(format ?? '');
}

export async function main(argv: readonly string[]): Promise<number> {
  // For the whole command, its last words included: a closed output stops evaluate as a signal
  // would (the board rebuilt, the lock released), and the short commands finish their work
  // without a terminal to write to.
  const stopsAtSafePoints = COMMANDS[argv[0] ?? '']?.stopsAtSafePoints === true;
  watchOutputs((signal) => {
    if (stopsAtSafePoints) {
      requestInterrupt(
        signal,
        signal === 'SIGPIPE' ? 'its output was closed' : 'its terminal was closed',
      );
    }
  });
  return runCommand(argv);
}

async function runCommand(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(helpText(COMMANDS) + '\n');
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (command !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(commandHelpText(name, command) + '\n');
    return 0;
  }
  const formats = requestedLogFormats(rest);
  const format = formats.at(-1);
  const logger = createLogger({
    quiet: rest.includes('--quiet'),
    format: isLogFormat(format) ? format : undefined,
  });
  try {
    const unknownFormat = formats.find((requested) => !isLogFormat(requested));
    if (unknownFormat !== undefined) {
      throw new UsageError(
        `--log-format must be one of ${LOG_FORMATS.join(', ')} (got "${unknownFormat}")`,
      );
    }
    if (command === undefined) {
      throw new UsageError(
        `unknown command "${name}"`,
        `commands: ${Object.keys(COMMANDS).join(', ')}`,
      );
    }
    const parsed = parseCommandLine(name, command, rest);
    let environment;
    try {
      environment = parseEnvironment(process.env);
    } catch (error) {
      if (error instanceof EnvironmentVariableError) {
        throw new UsageError(error.message, error.hint);
      }
      throw error;
    }
    const context = {
      values: parsed.values,
      positionals: parsed.positionals,
      logger,
      environment,
    };
    // Only evaluate stops at safe points; the other commands are short and end on the signal.
    const removeHandlers =
      command.stopsAtSafePoints === true
        ? installInterruptHandlers((message) => {
            logger.warn(message);
          })
        : () => undefined;

    try {
      if (command.writesResults === true) {
        await withResultsLock(
          resultsDir(parsed.values, environment),
          {
            command: ['pipeline', name, ...rest].join(' '),
            logger,
            waitSeconds: environment.lockWaitSeconds,
          },
          () => command.run(context),
        );
      } else {
        await command.run(context);
      }
    } finally {
      removeHandlers();
    }
    return 0;
  } catch (error) {
    if (error instanceof InterruptedError) {
      logger.error(
        `${error.message}: stopped; run the same command again to finish (finished work is reused)`,
      );
      return exitCodeOf(error.signal);
    }
    if (error instanceof PipelineError) {
      logger.error(
        `${error.message}${error.hint ? `\n  ${error.hint.replaceAll('\n', '\n  ')}` : ''}`,
      );
      return error.code === 'USAGE' ? 2 : 1;
    }
    if (error instanceof SchemaValidationError) {
      logger.error(error.message);
      return 1;
    }
    // The file system's own failures are the machine's, not bugs: said in words, with the path.
    const described = describeFileSystemError(error);
    if (described) {
      logger.error(`${described.message}\n  ${described.hint ?? ''}`);
      return 1;
    }
    throw error;
  }
}

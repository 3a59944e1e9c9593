/**
 * Options as data: every option of every command is an OptionSpec, from which the boundary
 * (pipeline/cli/index.ts) builds node:util's parseArgs config, the usage lines, `--help` and the
 * README's tables. The value parsers below turn parsed strings into typed values with the
 * messages users see.
 */
import { resolve } from 'node:path';
import { DEFAULT_PROTOCOL, ProtocolName } from '../../schemas/protocols.ts';
import {
  DEFAULT_SUITE,
  resultsDirFor,
  type EnvironmentVariableName,
  type LeaderboardEnvironment,
} from '../../schemas/environment.ts';
import { DEFAULT_CHECK_TIMEOUT_SECONDS } from '../check/check-model.ts';
import { EmbeddingPrecision } from '../encode/cache.ts';
import { DEFAULT_ENCODE_LIMITS, type EncodeLimits } from '../encode/supervisor.ts';
import { UsageError } from '../errors.ts';
import type { WorkShard } from '../run/options.ts';
import { LOG_FORMATS, type Logger } from '../log.ts';
import { DEVICE_REQUESTS } from '../runtime/ort.ts';
import { SUITE_IDS } from '../suites/index.ts';

export const REPOSITORY_ROOT = resolve(import.meta.dirname, '..', '..');

export interface OptionSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** How a string option's value is shown in usage lines when it has no fixed choices. */
  readonly value?: string;
  readonly choices?: readonly string[];
  /** Shown without brackets in the usage line; the command itself says what is missing. */
  readonly required?: true;
  /** The default, in words. */
  readonly default?: string;
  /** The environment variable that supplies the default (schemas/environment.ts). */
  readonly env?: EnvironmentVariableName;
  readonly description: string;
}

export type OptionValues = Readonly<
  Record<string, string | boolean | (string | boolean)[] | undefined>
>;

export interface CommandContext {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly logger: Logger;
  readonly environment: LeaderboardEnvironment;
}

export interface CommandSpec {
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  /** The usage of the command's positional arguments (folders, paths, an action), if it takes any. */
  readonly positionals?: string;
  /** Usage lines say "[the options of <command>]" instead of repeating that command's options. */
  readonly optionsOf?: string;
  /** Whether the command writes the results folder: it then holds the folder's lock. */
  readonly writesResults?: true;
  /** Whether SIGINT/SIGTERM stop the command at its next safe point rather than at once. */
  readonly stopsAtSafePoints?: true;
  run(context: CommandContext): Promise<void>;
}

// Options shared by several commands are defined once, so their help and README rows agree.

export const SUITE_OPTION: OptionSpec = {
  name: 'suite',
  type: 'string',
  choices: SUITE_IDS,
  default: DEFAULT_SUITE,
  env: 'LEADERBOARD_SUITE',
  description: 'the suite of tasks',
};
export const RESULTS_DIR_OPTION: OptionSpec = {
  name: 'results-dir',
  type: 'string',
  value: '<dir>',
  default: 'results/<suite>',
  env: 'LEADERBOARD_RESULTS_DIR',
  description: 'the results folder',
};
export const ALLOW_EMPTY_OPTION: OptionSpec = {
  name: 'allow-empty',
  type: 'boolean',
  description:
    'build a leaderboard without entries when the submissions folder holds none (without it, an empty folder is an error: it would empty the board)',
};
export const QUIET_OPTION: OptionSpec = {
  name: 'quiet',
  type: 'boolean',
  description: 'log only warnings and errors',
};
export const LOG_FORMAT_OPTION: OptionSpec = {
  name: 'log-format',
  type: 'string',
  choices: LOG_FORMATS,
  description:
    'progress bars on a terminal (default there), plain lines, GitHub Actions annotations and groups (default under Actions), or JSON lines',
};
export const PROTOCOL_OPTION: OptionSpec = {
  name: 'protocol',
  type: 'string',
  choices: [...ProtocolName.options, 'all'],
  default: DEFAULT_PROTOCOL,
  description:
    'the protocol, or all of them (`npm run build` uses `all`); each protocol has its own results folder',
};
export const SUBMISSION_OPTION: OptionSpec = {
  name: 'submission',
  type: 'string',
  value: '<slug>',
  description: 'only this submission',
};
export const TASK_OPTION: OptionSpec = {
  name: 'task',
  type: 'string',
  value: '<id>',
  description: 'only this task',
};
export const EMBEDDING_PRECISION_OPTION: OptionSpec = {
  name: 'embedding-precision',
  type: 'string',
  choices: EmbeddingPrecision.options,
  default: 'float32',
  description:
    'storage of frame-level embeddings in the cache (float16 halves it; recorded in each result)',
};
export const DEVICE_OPTION: OptionSpec = {
  name: 'device',
  type: 'string',
  choices: DEVICE_REQUESTS,
  default: 'cpu',
  description:
    'execution provider of the encoder and the heads; an explicit GPU provider that cannot start is an error saying why, `auto` falls back to the CPU and logs the reasons',
};
export const THREADS_OPTION: OptionSpec = {
  name: 'threads',
  type: 'string',
  value: '<n>',
  default: 'every core',
  description: 'threads per onnxruntime operator',
};
export const MEMORY_LIMIT_OPTION: OptionSpec = {
  name: 'memory-limit',
  type: 'string',
  value: '<MiB>',
  description: 'memory limit of the encoder process',
};
export const JSON_OPTION: OptionSpec = {
  name: 'json',
  type: 'boolean',
  description: 'print the outcome as JSON on stdout',
};

/** Where the results, caches and submissions are, and which suite: every run command's options. */
export const LOCATION_OPTIONS = [SUITE_OPTION, RESULTS_DIR_OPTION] as const;
export const LOGGING_OPTIONS = [QUIET_OPTION, LOG_FORMAT_OPTION] as const;
/** Options that choose which (protocol, submission, task) results a run covers. */
export const SELECTION_OPTIONS = [
  SUITE_OPTION,
  PROTOCOL_OPTION,
  SUBMISSION_OPTION,
  TASK_OPTION,
  EMBEDDING_PRECISION_OPTION,
] as const;

export const ENCODE_LIMIT_OPTIONS: readonly OptionSpec[] = [
  MEMORY_LIMIT_OPTION,
  {
    name: 'load-timeout',
    type: 'string',
    value: '<s>',
    default: String(DEFAULT_ENCODE_LIMITS.loadSeconds),
    description: 'seconds the encoder process may take to load the model',
  },
  {
    name: 'idle-timeout',
    type: 'string',
    value: '<s>',
    default: String(DEFAULT_ENCODE_LIMITS.idleSeconds),
    description: 'seconds the encoder process may go without progress',
  },
  {
    name: 'task-timeout',
    type: 'string',
    value: '<s>',
    description:
      'seconds the encoder process may take for one task; a model that breaks a limit fails only its own (submission, task)',
  },
];

export const CHECK_TIMEOUT_OPTION: OptionSpec = {
  name: 'timeout',
  type: 'string',
  value: '<seconds>',
  default: String(DEFAULT_CHECK_TIMEOUT_SECONDS),
  description: "seconds the checker's child process may take",
};

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function suiteOption(values: OptionValues, environment: LeaderboardEnvironment): string {
  return stringOption(values, 'suite') ?? environment.suite;
}

export function resultsDir(values: OptionValues, environment: LeaderboardEnvironment): string {
  const configured =
    stringOption(values, 'results-dir') ??
    resultsDirFor(environment, suiteOption(values, environment));
  return resolve(REPOSITORY_ROOT, configured);
}

export function cacheDir(environment: LeaderboardEnvironment): string {
  return resolve(REPOSITORY_ROOT, environment.cacheDir);
}

export function submissionsDir(environment: LeaderboardEnvironment): string {
  return resolve(REPOSITORY_ROOT, environment.submissionsDir);
}

/** Which suite, and where its results, caches and submissions live. */
export function runLocation(values: OptionValues, environment: LeaderboardEnvironment) {
  return {
    suiteId: suiteOption(values, environment),
    resultsDir: resultsDir(values, environment),
    cacheDir: cacheDir(environment),
    submissionsDir: submissionsDir(environment),
  };
}

/** The (submission, task) pairs a run is limited to by --submission and --task. */
export function selection(values: OptionValues) {
  return { submission: stringOption(values, 'submission'), task: stringOption(values, 'task') };
}

export function choice<T extends string>(
  value: string | undefined,
  name: string,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

/**
 * `--protocol <name>|all`: the protocols a command covers, the default protocol when absent.
 * Each protocol's results live in their own folder (schemas/results-layout.ts).
 */
export function protocolsOption(values: OptionValues): ProtocolName[] {
  const value = stringOption(values, 'protocol');
  if (value === 'all') {
    return [...ProtocolName.options];
  }
  return [
    choice(value, 'protocol', [...ProtocolName.options, 'all']) ?? DEFAULT_PROTOCOL,
  ] as ProtocolName[];
}

/** `--shard i/n`, 1 <= i <= n. */
export function parseShard(value: string | undefined): WorkShard | undefined {
  if (value === undefined) {
    return undefined;
  }
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(
      `--shard must be i/n with 1 <= i <= n (got "${value}")`,
      'for example --shard 2/4 runs the second of four equal shares of the missing work',
    );
  }
  return { index, count };
}

export function precisionOption(values: OptionValues): EmbeddingPrecision | undefined {
  return choice(
    stringOption(values, 'embedding-precision'),
    'embedding-precision',
    EmbeddingPrecision.options,
  );
}

/** Most threads any option may ask for: more than any machine has, fewer than would hang one. */
export const MAX_THREADS = 1024;

export function positiveInteger(
  value: string | undefined,
  name: string,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  // Number() would take "0x2", "1e1" and " 2 ": only plain decimal digits are a count.
  if (!/^\d+$/.test(value)) {
    throw new UsageError(`--${name} must be a decimal whole number (got "${value}")`);
  }
  const parsed = Number(value);
  if (parsed < 1) {
    throw new UsageError(`--${name} must be a positive integer (got "${value}")`);
  }
  if (parsed > max) {
    throw new UsageError(`--${name} must be at most ${max} (got "${value}")`);
  }
  return parsed;
}

export function limitsFrom(values: OptionValues): EncodeLimits {
  const seconds = (name: string) => positiveInteger(stringOption(values, name), name);
  const memory = seconds('memory-limit');
  return {
    loadSeconds: seconds('load-timeout') ?? DEFAULT_ENCODE_LIMITS.loadSeconds,
    idleSeconds: seconds('idle-timeout') ?? DEFAULT_ENCODE_LIMITS.idleSeconds,
    totalSeconds: seconds('task-timeout'),
    memoryBytes: memory === undefined ? undefined : memory * 2 ** 20,
  };
}

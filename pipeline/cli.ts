/**
 * Command-line entry point: `node pipeline/cli.ts <command> [options]` (or `npm run pipeline --`).
 * This is the single place where errors are caught: a PipelineError or a schema error prints
 * its message and hint and exits with status 1; anything else is a bug and prints its stack.
 */
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { z } from 'zod';
import { ArchiveEdition } from '../schemas/archive.ts';
import { SchemaValidationError } from '../schemas/friendly-errors.ts';
import { SubmissionManifest } from '../schemas/manifest.ts';
import type { TaskDefinition } from '../schemas/task.ts';
import { DEFAULT_PROTOCOL, PROTOCOLS, ProtocolName } from '../schemas/protocols.ts';
import {
  protocolResultsDir,
  resultsDirFromEnvironment,
  suiteFromEnvironment,
} from '../schemas/results-layout.ts';
import { checkSubmission, formatCheckReport } from './check/check-submission.ts';
import { fetchRecordFiles, discoverSplits } from './data/discover.ts';
import { DEFAULT_ZENODO_URL, PRIVATE_DATA_URL_VARIABLE, prepareTaskData } from './data/prepare.ts';
import { lockFilePath, readShardLock, writeShardLock, type ShardLock } from './data/shard-lock.ts';
import { writeExampleSubmissions } from './encoders/examples.ts';
import { InterruptedError, PipelineError, UsageError } from './errors.ts';
import { EmbeddingPrecision } from './encode/cache.ts';
import { DEFAULT_ENCODE_LIMITS, type EncodeLimits } from './encode/supervisor.ts';
import type { WorkShard } from './run/options.ts';
import { evaluate } from './run/loop.ts';
import { pendingWork, shardOf } from './run/plan.ts';
import { prepareAndPlan } from './run/prepare.ts';
import { readJsonFile, writeFileAtomic } from './io/files.ts';
import { describeFileSystemError } from './io/fs-errors.ts';
import { withResultsLock } from './io/results-lock.ts';
import {
  exitCodeOf,
  installInterruptHandlers,
  interruption,
  throwIfInterrupted,
} from './util/interrupt.ts';
import { createLogger, formatDuration, LOG_FORMATS, type LogFormat, type Logger } from './log.ts';
import { chooseExecutionProvider, DEVICE_REQUESTS, type DeviceRequest } from './runtime/ort.ts';
import { rebuildLeaderboard } from './scoring/aggregate.ts';
import { formatRecomputed, recomputeArchive } from './scoring/archive.ts';
import { mergeResults } from './scoring/merge.ts';
import { changedPaths, guardChangedPaths } from './github/path-guard.ts';
import { buildPrReport, renderPrComment } from './github/pr-report.ts';
import { CheckReport } from '../schemas/check-report.ts';
import { Leaderboard } from '../schemas/leaderboard.ts';
import { PrReport } from '../schemas/pr-report.ts';
import { getSuite, suiteTasks } from './suites/index.ts';
import { demoShardGenerator } from './suites/demo/generate.ts';
import { scanSubmissionFolders } from './submissions/scan.ts';

const REPOSITORY_ROOT = resolve(import.meta.dirname, '..');

interface CommandContext {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: readonly string[];
  readonly logger: Logger;
}

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: ParseArgsOptionsConfig;
  /** Whether the command takes positional arguments (folders, paths, an action). */
  readonly positionals?: true;
  /** Whether the command writes the results folder: it then holds the folder's lock. */
  readonly writesResults?: true;
  run(context: CommandContext): Promise<void>;
}

const COMMON_OPTIONS = {
  suite: { type: 'string', default: suiteFromEnvironment(process.env) },
  'results-dir': { type: 'string' },
  quiet: { type: 'boolean', default: false },
  'log-format': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** Options that choose which (protocol, submission, task) results a run covers. */
const SELECTION_OPTIONS = {
  ...COMMON_OPTIONS,
  protocol: { type: 'string' },
  submission: { type: 'string' },
  task: { type: 'string' },
  'embedding-precision': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

function stringOption(values: CommandContext['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function resultsDir(values: CommandContext['values']): string {
  const suite = stringOption(values, 'suite');
  const configured =
    stringOption(values, 'results-dir') ??
    resultsDirFromEnvironment({ ...process.env, LEADERBOARD_SUITE: suite });
  return resolve(REPOSITORY_ROOT, configured);
}

function cacheDir(): string {
  return resolve(REPOSITORY_ROOT, process.env['LEADERBOARD_CACHE_DIR'] ?? '.cache');
}

function submissionsDir(): string {
  return resolve(REPOSITORY_ROOT, process.env['LEADERBOARD_SUBMISSIONS_DIR'] ?? 'submissions');
}

/** Which suite, and where its results, caches and submissions live. */
/** LEADERBOARD_LOCK_WAIT_SECONDS: how long to wait for another writer of the results folder. */
function lockWaitSeconds(): number | undefined {
  const value = process.env['LEADERBOARD_LOCK_WAIT_SECONDS'];
  if (value === undefined || value === '') {
    return undefined;
  }
  if (!/^\d+$/.test(value)) {
    throw new UsageError(
      `LEADERBOARD_LOCK_WAIT_SECONDS must be a decimal whole number of seconds (got "${value}")`,
    );
  }
  return Number(value);
}

function runLocation(values: CommandContext['values']) {
  return {
    suiteId: stringOption(values, 'suite') ?? 'demo',
    resultsDir: resultsDir(values),
    cacheDir: cacheDir(),
    submissionsDir: submissionsDir(),
  };
}

/** The (submission, task) pairs a run is limited to by --submission and --task. */
function selection(values: CommandContext['values']) {
  return { submission: stringOption(values, 'submission'), task: stringOption(values, 'task') };
}

function choice<T extends string>(
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
export function protocolsOption(values: CommandContext['values']): ProtocolName[] {
  const value = stringOption(values, 'protocol');
  if (value === 'all') {
    return [...ProtocolName.options];
  }
  return [
    choice(value, 'protocol', [...ProtocolName.options, 'all']) ?? 'leaderboard',
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

function precisionOption(values: CommandContext['values']): EmbeddingPrecision | undefined {
  return choice(
    stringOption(values, 'embedding-precision'),
    'embedding-precision',
    EmbeddingPrecision.options,
  );
}

function limitsFrom(values: CommandContext['values']): EncodeLimits {
  const seconds = (name: string) => positiveInteger(stringOption(values, name), name);
  const memory = seconds('memory-limit');
  return {
    loadSeconds: seconds('load-timeout') ?? DEFAULT_ENCODE_LIMITS.loadSeconds,
    idleSeconds: seconds('idle-timeout') ?? DEFAULT_ENCODE_LIMITS.idleSeconds,
    totalSeconds: seconds('task-timeout'),
    memoryBytes: memory === undefined ? undefined : memory * 2 ** 20,
  };
}

/** Most threads any option may ask for: more than any machine has, fewer than would hang one. */
const MAX_THREADS = 1024;
/** Reader threads per encoder process: one per shard in flight, never more than this. */
const MAX_READERS = 64;

function positiveInteger(
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

const COMMANDS: Record<string, Command> = {
  evaluate: {
    writesResults: true,
    summary:
      'Evaluate every submission on every task of a suite whose result is missing or stale, then rebuild the leaderboard.',
    usage:
      'evaluate [--suite demo|xares] [--protocol leaderboard|xares-0.1.3|all] [--submission <slug>] [--task <id>] [--device cpu|cuda|webgpu|auto] [--threads <n>] [--shard <i>/<n>] [--encode-batch-size <n>] [--readers <n>] [--embedding-precision float32|float16] [--memory-limit <MiB>] [--load-timeout <s>] [--idle-timeout <s>] [--task-timeout <s>] [--allow-empty] [--results-dir <dir>] [--log-format tty|plain|github|json]',
    options: {
      ...SELECTION_OPTIONS,
      device: { type: 'string' },
      threads: { type: 'string' },
      shard: { type: 'string' },
      'encode-batch-size': { type: 'string' },
      readers: { type: 'string' },
      'memory-limit': { type: 'string' },
      'load-timeout': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'task-timeout': { type: 'string' },
      'allow-empty': { type: 'boolean', default: false },
    },
    async run({ values, logger }) {
      const started = performance.now();
      const options = {
        ...runLocation(values),
        ...selection(values),
        allowEmpty: values['allow-empty'] === true,
        threads: positiveInteger(stringOption(values, 'threads'), 'threads', MAX_THREADS),
        device: choice<DeviceRequest>(stringOption(values, 'device'), 'device', DEVICE_REQUESTS),
        shard: parseShard(stringOption(values, 'shard')),
        encodeBatchSize: positiveInteger(
          stringOption(values, 'encode-batch-size'),
          'encode-batch-size',
        ),
        readers: positiveInteger(stringOption(values, 'readers'), 'readers', MAX_READERS),
        embeddingPrecision: precisionOption(values),
        limits: limitsFrom(values),
        logger,
      };
      // Every protocol runs even when an earlier one had failures; the first failure is the
      // command's outcome.
      let firstFailure: PipelineError | undefined;
      for (const protocol of protocolsOption(values)) {
        try {
          await evaluate({ ...options, protocol });
        } catch (error) {
          if (
            !(error instanceof PipelineError) ||
            error.code === 'USAGE' ||
            error.code === 'INTERRUPTED'
          ) {
            throw error;
          }
          firstFailure ??= error;
        }
      }
      logger.info(`evaluate finished in ${formatDuration((performance.now() - started) / 1000)}`);
      if (firstFailure !== undefined) {
        throw firstFailure;
      }
    },
  },
  build: {
    writesResults: true,
    summary:
      "`npm run build`: evaluate (every protocol unless --protocol says otherwise), then build the site with astro, holding the results folder's lock throughout: a second build waits instead of writing .astro/ and dist/ beside the first, and no evaluate writes the results while the site reads them.",
    usage: 'build [the options of evaluate]',
    get options() {
      return (COMMANDS['evaluate'] as Command).options;
    },
    async run(context) {
      const values = {
        ...context.values,
        protocol: stringOption(context.values, 'protocol') ?? 'all',
      };
      await (COMMANDS['evaluate'] as Command).run({ ...context, values });
      throwIfInterrupted();
      const astro = join(
        dirname(createRequire(import.meta.url).resolve('astro/package.json')),
        'bin',
        'astro.mjs',
      );
      const child = spawn(process.execPath, [astro, 'build'], { stdio: 'inherit' });
      const stopAstro = () => child.kill('SIGTERM');
      interruption.addEventListener('abort', stopAstro, { once: true });
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', (exitCode) => {
          resolve(exitCode);
        });
      });
      interruption.removeEventListener('abort', stopAstro);
      throwIfInterrupted();
      if (code !== 0) {
        throw new PipelineError(
          'RESULT_INVALID',
          `astro build failed (exit code ${String(code)})`,
          {
            hint: 'the messages above name the file and the field; results that disagree with the leaderboard are fixed by `npm run evaluate`',
          },
        );
      }
    },
  },
  plan: {
    summary:
      'Print the missing work of a suite as a GitHub Actions matrix ({"include":[{"shard":"1/n"},...]}) on stdout; each entry runs `evaluate --shard i/n`.',
    usage:
      'plan [--suite demo|xares] [--protocol leaderboard|xares-0.1.3|all] [--submission <slug>] [--task <id>] [--max-jobs <n>] [--embedding-precision float32|float16]',
    options: { ...SELECTION_OPTIONS, 'max-jobs': { type: 'string' } },
    async run({ values, logger }) {
      const plans = [];
      for (const protocol of protocolsOption(values)) {
        plans.push(
          await prepareAndPlan({
            ...runLocation(values),
            ...selection(values),
            protocol,
            embeddingPrecision: precisionOption(values),
            logger,
          }),
        );
      }
      const pending = plans.map(pendingWork);
      const total = pending.reduce((sum, work) => sum + work.length, 0);
      const maxJobs = positiveInteger(stringOption(values, 'max-jobs'), 'max-jobs') ?? 16;
      const jobs = Math.min(maxJobs, Math.max(0, ...pending.map((work) => work.length)));
      const include = Array.from({ length: jobs }, (_, i) => {
        const shard = { index: i + 1, count: jobs };
        const pairs = pending.reduce((sum, work) => sum + shardOf(work, shard).length, 0);
        return { shard: `${shard.index}/${shard.count}`, pairs };
      });
      const [first] = plans;
      for (const item of first?.items.filter((entry) => entry.unsupported !== undefined) ?? []) {
        logger.warn(`${item.id}: not run: ${item.unsupported ?? ''}`);
      }
      const items = plans.reduce((sum, plan) => sum + plan.items.length, 0);
      logger.info(
        `${total} of ${items} (submission, task) pairs need work${plans.length > 1 ? ` over ${plans.length} protocols` : ''}; ${jobs} job${jobs === 1 ? '' : 's'}`,
      );
      process.stdout.write(JSON.stringify({ include }) + '\n');
    },
  },
  check: {
    positionals: true,
    summary:
      'Check submissions before evaluation: manifest, model file, a static ONNX scan, then the X-ARES probe, frame rate, batch invariance, determinism and speed in a child process.',
    usage:
      'check <submission folder>... [--json] [--device cpu|cuda|webgpu|auto] [--timeout <seconds>] [--threads <n>] [--memory-limit <MiB>]',
    options: {
      json: { type: 'boolean', default: false },
      device: { type: 'string' },
      timeout: { type: 'string' },
      threads: { type: 'string' },
      'memory-limit': { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    async run({ values, positionals, logger }) {
      if (positionals.length === 0) {
        throw new UsageError(
          'check needs at least one submission folder',
          'for example: npm run check -- submissions/my-team-encoder',
        );
      }
      const timeout = positiveInteger(stringOption(values, 'timeout'), 'timeout');
      const threads = positiveInteger(stringOption(values, 'threads'), 'threads', MAX_THREADS);
      const memory = positiveInteger(stringOption(values, 'memory-limit'), 'memory-limit');
      const device =
        choice<DeviceRequest>(stringOption(values, 'device'), 'device', DEVICE_REQUESTS) ?? 'cpu';
      const { provider, notes } = await chooseExecutionProvider(device);
      if (device !== 'cpu') {
        logger.info(
          `execution provider: ${provider}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
        );
      }
      const reports = [];
      for (const folder of positionals) {
        const dir = resolve(process.cwd(), folder);
        if (!existsSync(dir)) {
          throw new UsageError(
            `${folder} does not exist`,
            'give the path of a submission folder, e.g. submissions/my-team-encoder',
          );
        }
        const report = await checkSubmission(folder, {
          cacheDir: cacheDir(),
          ...(timeout === undefined ? {} : { timeoutSeconds: timeout }),
          ...(threads === undefined ? {} : { threads }),
          ...(memory === undefined ? {} : { memoryBytes: memory * 2 ** 20 }),
          provider,
        });
        reports.push({ ...report, submission: folder });
        if (values['json'] !== true) {
          process.stdout.write(formatCheckReport({ ...report, submission: folder }) + '\n');
        }
      }
      if (values['json'] === true) {
        process.stdout.write(
          JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n',
        );
      }
      const failed = reports.filter((report) => !report.passed).length;
      if (failed > 0) {
        throw new PipelineError(
          'SUBMISSION_INVALID',
          `${failed} of ${reports.length} submission${reports.length === 1 ? '' : 's'} failed the checks`,
        );
      }
      logger.info(
        `${reports.length} submission${reports.length === 1 ? '' : 's'} passed every check`,
      );
    },
  },
  score: {
    writesResults: true,
    summary:
      'Rebuild leaderboard.json and efficiency.json from the stored per-task results, without evaluating anything; or, with --from, recompute the weighted averages of an archived edition and compare them with the printed ones.',
    usage:
      'score [--suite demo|xares] [--protocol leaderboard|xares-0.1.3|all] [--results-dir <dir>] | score --from <edition.json> [--json]',
    options: {
      ...COMMON_OPTIONS,
      protocol: { type: 'string' },
      from: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    async run({ values, logger }) {
      const from = stringOption(values, 'from');
      if (from !== undefined) {
        const path = resolve(process.cwd(), from);
        if (!existsSync(path)) {
          throw new UsageError(
            `${from} does not exist`,
            'for example: --from results/archive/icme2025.json',
          );
        }
        const rows = recomputeArchive(await readJsonFile(path, ArchiveEdition, 'archived edition'));
        process.stdout.write(
          (values['json'] === true ? JSON.stringify(rows, null, 2) : formatRecomputed(rows)) + '\n',
        );
        const exact = rows.filter((row) => row.reproduces).length;
        const rounding = rows.filter((row) => !row.reproduces && row.consistentWithRounding).length;
        logger.info(
          `${exact} of ${rows.length} printed averages reproduce to 3 decimals; ${rounding} more within the rounding of the task scores`,
        );
        return;
      }
      const suite = getSuite(stringOption(values, 'suite') ?? 'demo');
      const tasks = suiteTasks(suite);
      const { submissions, broken } = await scanSubmissionFolders(submissionsDir(), cacheDir());
      for (const folder of broken) {
        logger.error(`${folder.message}${folder.hint ? `\n  ${folder.hint}` : ''}`);
      }
      for (const protocol of protocolsOption(values)) {
        const dir = protocolResultsDir(resultsDir(values), protocol);
        await rebuildLeaderboard(dir, suite, PROTOCOLS[protocol], tasks, submissions, cacheDir());
        logger.info(`leaderboard written to ${dir}/leaderboard.json`);
      }
      if (broken.length > 0) {
        throw new PipelineError(
          'SUBMISSION_INVALID',
          `${broken.length} submission folder${broken.length === 1 ? ' is' : 's are'} left out of the leaderboard: ${broken.map((folder) => folder.dir).join(', ')}`,
          { hint: 'fix the folders named above (`npm run check` says how), then run score again' },
        );
      }
    },
  },
  guard: {
    summary:
      'The pull-request path guard: fail unless the changes from --base to --head stay inside one submissions/<slug>/ folder as regular files. Maintainers (PR_AUTHOR_ASSOCIATION OWNER, MEMBER or COLLABORATOR) pass with a report. --json prints the verdict.',
    usage: 'guard --base <rev> --head <rev> [--json]',
    options: {
      base: { type: 'string' },
      head: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'log-format': { type: 'string' },
    },
    async run({ values, logger }) {
      const base = stringOption(values, 'base');
      const head = stringOption(values, 'head');
      if (base === undefined || head === undefined) {
        throw new UsageError(
          'guard needs --base and --head',
          'for example: guard --base origin/main --head HEAD',
        );
      }
      const verdict = guardChangedPaths(
        await changedPaths(base, head, process.cwd()),
        process.env['PR_AUTHOR_ASSOCIATION'] ?? 'NONE',
      );
      if (values['json'] === true) {
        process.stdout.write(JSON.stringify(verdict) + '\n');
      }
      if (verdict.maintainer) {
        logger.info(
          `maintainer pull request: the submission path guard does not apply${verdict.problems.length > 0 ? ` (a team could not: ${verdict.problems.join('; ')})` : ''}`,
        );
      }
      if (!verdict.ok) {
        throw new PipelineError(
          'SUBMISSION_INVALID',
          `this pull request changes files a submission may not change:\n  - ${verdict.problems.join('\n  - ')}`,
          {
            hint: 'keep every change inside submissions/<your-slug>/, as regular files, one submission per pull request',
          },
        );
      }
      if (verdict.submission !== null) {
        logger.info(`the pull request changes only submissions/${verdict.submission}/`);
      }
    },
  },
  'pr-report': {
    summary:
      "Write the preliminary report of a submission pull request (checker failures and the smoke evaluation's demo scores) for the comment workflow.",
    usage:
      'pr-report --submission <slug> --check <check.json> --pull-request <n> --head-sha <sha> --out <report.json> [--results-dir <dir>]',
    options: {
      ...COMMON_OPTIONS,
      submission: { type: 'string' },
      check: { type: 'string' },
      'pull-request': { type: 'string' },
      'head-sha': { type: 'string' },
      out: { type: 'string' },
    },
    async run({ values, logger }) {
      const required = (name: string) => {
        const value = stringOption(values, name);
        if (value === undefined) {
          throw new UsageError(`pr-report needs --${name}`);
        }
        return value;
      };
      const dir = resultsDir(values);
      const leaderboardPath = `${dir}/leaderboard.json`;
      const report = buildPrReport({
        pullRequest: positiveInteger(required('pull-request'), 'pull-request') ?? 0,
        headSha: required('head-sha'),
        submission: required('submission'),
        check: await readJsonFile(
          resolve(process.cwd(), required('check')),
          CheckReport,
          'check report',
        ),
        leaderboard: existsSync(leaderboardPath)
          ? await readJsonFile(leaderboardPath, Leaderboard, 'leaderboard')
          : undefined,
      });
      await writeFileAtomic(
        resolve(process.cwd(), required('out')),
        JSON.stringify(report, null, 2) + '\n',
      );
      logger.info(`report for pull request #${report.pullRequest} written`);
    },
  },
  'pr-comment': {
    positionals: true,
    summary:
      'Validate a pull-request report (untrusted: made by pull-request code) and print the comment that shows it, as markdown.',
    usage: 'pr-comment <report.json>',
    options: { quiet: { type: 'boolean', default: false }, 'log-format': { type: 'string' } },
    async run({ positionals }) {
      const [path] = positionals;
      if (path === undefined) {
        throw new UsageError('pr-comment needs the report file');
      }
      const report = await readJsonFile(
        resolve(process.cwd(), path),
        PrReport,
        'pull-request report',
      );
      process.stdout.write(renderPrComment(report));
    },
  },
  merge: {
    positionals: true,
    writesResults: true,
    summary:
      'Validate the results folders of sharded `evaluate --shard` jobs (schema, location, current fingerprint, identical duplicates) and copy them into the results folder, then rebuild the leaderboard. Writes nothing if any file is refused.',
    usage:
      'merge <folder>... [--suite demo|xares] [--protocol leaderboard|xares-0.1.3|all] [--results-dir <dir>]',
    options: { ...COMMON_OPTIONS, protocol: { type: 'string' } },
    async run({ values, positionals, logger }) {
      if (positionals.length === 0) {
        throw new UsageError(
          'merge needs at least one folder',
          'for example: merge artifacts/results-0 artifacts/results-1',
        );
      }
      for (const protocol of protocolsOption(values)) {
        const folders = positionals.map((folder) =>
          protocolResultsDir(resolve(process.cwd(), folder), protocol),
        );
        await mergeResults({
          ...runLocation(values),
          protocol,
          // A shard job may have had no work under another protocol: its folder has no part for
          // it. The default protocol's part is the folder itself and must exist.
          from: protocol === DEFAULT_PROTOCOL ? folders : folders.filter((dir) => existsSync(dir)),
          logger,
        });
      }
    },
  },
  data: {
    positionals: true,
    summary:
      'Fetch or generate the shards of a suite and check them against its lock file, recording first-seen hashes ("data verify"); record the hashes of the current shards ("data lock"); or print explicit shard lists from the Zenodo records ("data discover"). Exits non-zero when a task it was asked about could not be checked; --public-only leaves out the private tasks.',
    usage: 'data <verify|lock|discover> [--suite demo] [--task <id>] [--public-only]',
    options: {
      ...COMMON_OPTIONS,
      task: { type: 'string' },
      'public-only': { type: 'boolean', default: false },
    },
    async run({ values, positionals, logger }) {
      const action = positionals[0];
      if (action !== 'verify' && action !== 'lock' && action !== 'discover') {
        throw new UsageError('data needs an action: "verify", "lock" or "discover"');
      }
      const suite = getSuite(stringOption(values, 'suite') ?? 'demo');
      const only = stringOption(values, 'task');
      const tasks = suiteTasks(suite).filter((task) => only === undefined || task.id === only);
      if (tasks.length === 0) {
        throw new UsageError(`suite ${suite.id} has no task "${only ?? ''}"`);
      }
      if (action === 'discover') {
        await discoverCommand(tasks, logger);
        return;
      }
      const existing = await readShardLock(suite.id);
      const lock = action === 'lock' ? { shards: {} } : existing;
      const recorded: ShardLock = { shards: {} };
      const problems: string[] = [];
      const skipped: string[] = [];
      let verified = 0;
      const wanted = tasks.filter(
        (task) =>
          !task.disabled && !(values['public-only'] === true && task.source.kind === 'private'),
      );
      for (const task of wanted) {
        let data;
        try {
          data = await prepareTaskData(task, {
            cacheDir: cacheDir(),
            suiteId: suite.id,
            lock,
            logger,
            generator: demoShardGenerator,
            environment: process.env,
          });
        } catch (error) {
          if (!(error instanceof PipelineError)) {
            throw error;
          }
          problems.push(`${error.message}${error.hint ? ` (${error.hint})` : ''}`);
          continue;
        }
        if (data.status === 'skipped') {
          logger.warn(`${task.id}: not checked: ${data.reason}`);
          skipped.push(`${task.id} (${data.reason})`);
          continue;
        }
        verified++;
        for (const [name, hash] of Object.entries(data.shards)) {
          recorded.shards[`${task.id}/${name}`] = hash;
        }
      }
      const shardCount = Object.keys(recorded.shards).length;
      if (action === 'lock') {
        // Only the tasks checked now are re-recorded; every other task keeps its hashes.
        const checked = new Set(wanted.map((task) => `${task.id}/`));
        const kept = Object.entries(existing.shards).filter(
          ([key]) => ![...checked].some((prefix) => key.startsWith(prefix)),
        );
        await writeShardLock(suite.id, {
          shards: { ...Object.fromEntries(kept), ...recorded.shards },
        });
        logger.info(
          `recorded ${shardCount} shard hashes of ${verified} tasks for suite ${suite.id}`,
        );
      } else {
        const added = Object.keys(recorded.shards).filter((key) => lock.shards[key] === undefined);
        if (added.length > 0) {
          await writeShardLock(suite.id, { shards: { ...lock.shards, ...recorded.shards } });
          logger.info(
            `recorded ${added.length} first-seen shard hashes in ${lockFilePath(suite.id)}; commit it`,
          );
        }
      }
      const failures = [...problems, ...skipped.map((entry) => `${entry}: not checked`)];
      if (failures.length > 0) {
        throw new PipelineError(
          'DATA_INVALID',
          `suite ${suite.id}: ${verified} of ${wanted.length} tasks checked (${shardCount} shards); ${failures.length} could not be:\n  - ${failures.join('\n  - ')}`,
          {
            hint:
              skipped.length > 0
                ? `set ${PRIVATE_DATA_URL_VARIABLE} to where the private shards are, or leave the private tasks out with --public-only`
                : 'fix the data named above: the shard files, their location or the lock file',
          },
        );
      }
      logger.info(
        `suite ${suite.id}: ${verified} tasks, ${shardCount} shards: every shard is present and matches the lock file`,
      );
    },
  },
  examples: {
    summary: 'Regenerate the example encoders and their manifests under submissions/.',
    usage: 'examples',
    options: { quiet: { type: 'boolean', default: false } },
    async run({ logger }) {
      for (const dir of await writeExampleSubmissions(submissionsDir())) {
        logger.info(`wrote ${dir}`);
      }
    },
  },
  schemas: {
    summary:
      'Write the JSON Schema of the submission manifest (schemas/manifest.schema.json) for editors.',
    usage: 'schemas',
    options: { quiet: { type: 'boolean', default: false } },
    async run({ logger }) {
      const path = resolve(REPOSITORY_ROOT, 'schemas', 'manifest.schema.json');
      await writeFileAtomic(path, manifestJsonSchema());
      logger.info(`wrote ${path}`);
    },
  },
};

/** Print explicit shard lists for each Zenodo task, from the record listings. */
async function discoverCommand(tasks: readonly TaskDefinition[], logger: Logger): Promise<void> {
  const zenodo = process.env['ZENODO_URL'] ?? DEFAULT_ZENODO_URL;
  for (const task of tasks) {
    if (task.source.kind !== 'zenodo') {
      logger.info(`${task.id}: not a Zenodo task; skipped`);
      continue;
    }
    const discovery = discoverSplits(task, await fetchRecordFiles(zenodo, task.source.record));
    for (const warning of discovery.warnings) {
      logger.warn(warning);
    }
    process.stdout.write(
      `// ${task.id} (record ${task.source.record}): set "splits" to this and "filesVerified" to true\n`,
    );
    process.stdout.write(`${JSON.stringify(discovery.splits, null, 2)}\n`);
  }
}

export function manifestJsonSchema(): string {
  return (
    JSON.stringify(
      z.toJSONSchema(SubmissionManifest, { io: 'input', unrepresentable: 'any' }),
      null,
      2,
    ) + '\n'
  );
}

function helpText(): string {
  const lines = ['usage: npm run pipeline -- <command> [options]', '', 'commands:'];
  for (const command of Object.values(COMMANDS)) {
    lines.push(`  ${command.usage}`, `      ${command.summary}`, '');
  }
  lines.push(
    'environment: LEADERBOARD_SUITE, LEADERBOARD_RESULTS_DIR, LEADERBOARD_CACHE_DIR, LEADERBOARD_SUBMISSIONS_DIR, LEADERBOARD_PRIVATE_DATA_URL, LEADERBOARD_PRIVATE_DATA_TOKEN',
  );
  return lines.join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(helpText() + '\n');
    return name === undefined ? 1 : 0;
  }
  const formatIndex = rest.indexOf('--log-format');
  const format =
    rest.find((arg) => arg.startsWith('--log-format='))?.split('=')[1] ??
    (formatIndex >= 0 ? rest[formatIndex + 1] : undefined);
  const logger = createLogger({
    quiet: rest.includes('--quiet'),
    format: (LOG_FORMATS as readonly string[]).includes(format ?? '')
      ? (format as LogFormat)
      : undefined,
  });
  try {
    if (format !== undefined && !(LOG_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(
        `--log-format must be one of ${LOG_FORMATS.join(', ')} (got "${format}")`,
      );
    }
    const command = COMMANDS[name];
    if (!command) {
      throw new UsageError(
        `unknown command "${name}"`,
        `commands: ${Object.keys(COMMANDS).join(', ')}`,
      );
    }
    let parsed;
    try {
      parsed = parseArgs({
        args: [...rest],
        options: command.options,
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError(
        error instanceof Error ? error.message : String(error),
        `usage: ${command.usage}`,
      );
    }
    const [stray] = parsed.positionals;
    if (command.positionals !== true && stray !== undefined) {
      const guess =
        'submission' in command.options
          ? `; did you mean --submission ${stray} or --task ${stray}?`
          : '';
      throw new UsageError(
        `${name} takes no positional arguments (got "${stray}")${guess}`,
        `usage: ${command.usage}`,
      );
    }
    const context = { values: parsed.values, positionals: parsed.positionals, logger };
    // Only evaluate stops at safe points; the other commands are short and end on the signal.
    const removeHandlers =
      name === 'evaluate' || name === 'build'
        ? installInterruptHandlers((message) => {
            logger.warn(message);
          })
        : () => undefined;
    try {
      if (command.writesResults === true) {
        await withResultsLock(
          resultsDir(parsed.values),
          {
            command: ['pipeline', name, ...rest].join(' '),
            logger,
            waitSeconds: lockWaitSeconds(),
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

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}

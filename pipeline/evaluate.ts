/**
 * `evaluate`: every (submission, task) of a suite whose stored result is missing or stale is
 * computed (data prepared, audio encoded in a supervised child process, Track A and Track B
 * scored) and written to `results/<suite>/runs/`; then the leaderboard is rebuilt from all
 * stored results.
 *
 * A stored result is reused when its fingerprint (model hash, task definition, shard hashes,
 * protocol and engine version, seed, embedding precision) equals the one the current inputs
 * give. A broken model fails its own (submission, task) and the run goes on with the rest; the
 * command exits non-zero at the end if anything failed.
 */
import { readFile, rm } from 'node:fs/promises';
import {
  DEFAULT_PROTOCOL,
  PROTOCOLS,
  type ProtocolInfo,
  type ProtocolName,
} from '../schemas/protocols.ts';
import { withDigest } from '../schemas/result-digest.ts';
import {
  MEASUREMENTS_SCHEMA_VERSION,
  RESULT_SCHEMA_VERSION,
  TaskMeasurementsFile,
  TaskResultFile,
  type TaskResultContent,
} from '../schemas/result.ts';
import {
  failureFile,
  measurementsFile,
  protocolResultsDir,
  resultFile,
} from '../schemas/results-layout.ts';
import { FailureRecord, STATUS_SCHEMA_VERSION, type FailureCause } from '../schemas/status.ts';
import type { TaskDefinition } from '../schemas/task.ts';
import {
  lockFilePath,
  prepareTaskData,
  readShardLock,
  writeShardLock,
  type PreparedTaskData,
  type ReadyTaskData,
  type ShardLock,
} from './data/prepare.ts';
import type { EmbeddingPrecision } from './encode/cache.ts';
import { encodeTask } from './encode/stage.ts';
import { DEFAULT_ENCODE_LIMITS, type EncodeLimits } from './encode/supervisor.ts';
import { dynamicChecks, refusalMessage } from './check/gate.ts';
import { scanOnnxModel } from './check/onnx-scan.ts';
import { ensureExampleModels } from './example-encoders/examples.ts';
import {
  DataError,
  EncoderError,
  EnvironmentError,
  InterruptedError,
  PipelineError,
  UsageError,
} from './errors.ts';
import { Engine } from './heads/engine.ts';
import { scoreTask } from './heads/score-task.ts';
import { lockedShards, resultFingerprint, storedPrecision } from './fingerprints.ts';
import { removeStaleTemporaryFiles, writeJsonAtomic } from './io/files.ts';
import type { Logger } from './log.ts';
import { BOOTSTRAP_REPLICATES } from './metrics/bootstrap.ts';
import { ENGINE_VERSION, SEED } from './protocol.ts';
import {
  chooseExecutionProvider,
  ONNXRUNTIME_VERSION,
  type DeviceRequest,
  type ExecutionProvider,
} from './runtime/ort.ts';
import { rebuildLeaderboard } from './scoring/aggregate.ts';
import { readStoredResult } from './scoring/stored-result.ts';
import { getSuite, suiteTasks, type SuiteDefinition } from './suites/index.ts';
import {
  scanSubmissionFolders,
  type BrokenSubmission,
  type Submission,
} from './submissions/scan.ts';
import type { TokenizerOptions } from './text/tokenizers.ts';
import { unsupportedReason } from './tasks/availability.ts';
import { throwIfInterrupted } from './util/interrupt.ts';
import { closestMatch } from './tasks/registry.ts';
import {
  ciRunUrl,
  gpuDescription,
  hostDescription,
  pipelineCommit,
  type GpuDescription,
} from './util/environment.ts';

/** `--shard i/n`: this run takes the i-th of n equal shares of the missing work (1-based). */
export interface WorkShard {
  readonly index: number;
  readonly count: number;
}

export interface EvaluateOptions {
  readonly suiteId: string;
  /** The suite's results folder; each protocol's results sit in its own part of it. */
  readonly resultsDir: string;
  /** The evaluation protocol (default: this leaderboard's). */
  readonly protocol?: ProtocolName | undefined;
  readonly cacheDir: string;
  readonly submissionsDir: string;
  /** Build a leaderboard without entries when the submissions folder holds none (else an error). */
  readonly allowEmpty?: boolean | undefined;
  /** Only this submission (slug). */
  readonly submission?: string | undefined;
  /** Only this task (id). */
  readonly task?: string | undefined;
  /** Threads per onnxruntime operator; defaults to every core. */
  readonly threads?: number | undefined;
  readonly device?: DeviceRequest | undefined;
  readonly shard?: WorkShard | undefined;
  /** Crops per encoder call instead of each task's X-ARES batch_size_encode. */
  readonly encodeBatchSize?: number | undefined;
  /** Reader threads decoding audio for the encoder (default: see defaultReaders). */
  readonly readers?: number | undefined;
  readonly embeddingPrecision?: EmbeddingPrecision | undefined;
  readonly limits?: EncodeLimits | undefined;
  /** Bootstrap replicates per task (tests use fewer). */
  readonly replicates?: number | undefined;
  /** Replaces the pinned WordPiece source (tests). */
  readonly tokenizerSource?: TokenizerOptions['source'];
  readonly logger: Logger;
}

/** A (submission, task) that could not be evaluated, and whose fault it was. */
export interface FailedPair {
  readonly id: string;
  readonly message: string;
  /**
   * "data": the task's shards or their location; "submission": the model; "environment": the
   * machine (a process killed from outside, a full disk), for the next run to retry.
   */
  readonly cause: FailureCause;
}

/** The error that ends a run with failures: what failed, grouped by cause, and what to do. */
export function failureSummary(failed: readonly FailedPair[]): PipelineError {
  const data = failed.filter((pair) => pair.cause === 'data');
  const submissions = failed.filter((pair) => pair.cause === 'submission');
  const machine = failed.filter((pair) => pair.cause === 'environment');
  const plural = (count: number) => `${count} (submission, task) pair${count === 1 ? '' : 's'}`;
  const ids = (pairs: readonly FailedPair[]) => pairs.map((pair) => pair.id).join(', ');
  const parts = [
    data.length > 0
      ? `${plural(data.length)} failed on ${data.length === 1 ? 'its' : 'their'} data: ${ids(data)}`
      : '',
    submissions.length > 0
      ? `${plural(submissions.length)} failed in the submission's model: ${ids(submissions)}`
      : '',
    machine.length > 0
      ? `${plural(machine.length)} failed on this machine (a process killed from outside, the disk): ${ids(machine)}`
      : '',
  ].filter((part) => part !== '');
  const fixes = [
    data.length > 0 ? 'fix the data named above (shard files, their location, the lock file)' : '',
    submissions.length > 0 ? 'fix the submissions named above (`npm run check` says how)' : '',
    machine.length > 0
      ? 'for the pairs that failed on this machine, nothing needs fixing in the submissions or the data: see the reason given with each (memory, disk space)'
      : '',
  ].filter((fix) => fix !== '');
  return new PipelineError(
    submissions.length > 0 ? 'ENCODER_FAILED' : data.length > 0 ? 'DATA_INVALID' : 'ENVIRONMENT',
    parts.join('; '),
    {
      hint: `every other result was written; ${fixes.join(' and ')}, then run evaluate again (finished work is reused)`,
    },
  );
}

export interface EvaluateSummary {
  readonly evaluated: readonly string[];
  readonly reused: readonly string[];
  readonly failed: readonly FailedPair[];
  /** Work left to other shards. */
  readonly deferred: readonly string[];
}

function pick<T extends { readonly id: string } | { readonly slug: string }>(
  items: readonly T[],
  wanted: string | undefined,
  what: string,
): T[] {
  if (wanted === undefined) {
    return [...items];
  }
  const idOf = (item: T) => ('id' in item ? item.id : item.slug);
  const found = items.filter((item) => idOf(item) === wanted);
  if (found.length > 0) {
    return found;
  }
  const suggestion = closestMatch(wanted, items.map(idOf));
  throw new UsageError(
    `no ${what} "${wanted}" in this run`,
    suggestion ? `did you mean "${suggestion}"?` : `available: ${items.map(idOf).join(', ')}`,
  );
}

/** Add the hashes of shards downloaded for the first time to the suite's lock file. */
async function recordNewShardHashes(
  suiteId: string,
  lock: ShardLock,
  prepared: ReadonlyMap<string, PreparedTaskData>,
  logger: Logger,
): Promise<void> {
  const added = Object.assign(
    {},
    ...[...prepared.values()].map((data) => (data.status === 'ready' ? data.newlyLocked : {})),
  ) as Record<string, string>;
  const count = Object.keys(added).length;
  if (count === 0) {
    return;
  }
  await writeShardLock(suiteId, { shards: { ...lock.shards, ...added } });
  logger.info(
    `recorded ${count} new shard hashes in ${lockFilePath(suiteId)}; commit it so later runs enforce them`,
  );
}

/** One (submission, task) and what is known about it before any data is touched. */
export interface WorkItem {
  readonly submission: Submission;
  readonly task: TaskDefinition;
  readonly id: string;
  /** Whether the stored result already matches the lock file's shard hashes. */
  readonly current: boolean;
  readonly unsupported: string | undefined;
}

export interface EvaluationPlan {
  readonly suite: SuiteDefinition;
  readonly protocol: ProtocolInfo;
  /** Where this protocol's results of the suite live. */
  readonly protocolDir: string;
  readonly allTasks: readonly TaskDefinition[];
  readonly allSubmissions: readonly Submission[];
  /** Submission folders that cannot be evaluated: each fails alone, the run goes on. */
  readonly broken: readonly BrokenSubmission[];
  readonly items: readonly WorkItem[];
  readonly lock: ShardLock;
}

/** Every (submission, task) of the run and whether it needs work, from the lock file alone. */
export async function planEvaluation(
  options: Pick<
    EvaluateOptions,
    | 'suiteId'
    | 'resultsDir'
    | 'protocol'
    | 'cacheDir'
    | 'submissionsDir'
    | 'allowEmpty'
    | 'submission'
    | 'task'
    | 'embeddingPrecision'
    | 'replicates'
    | 'logger'
  >,
): Promise<EvaluationPlan> {
  const suite = getSuite(options.suiteId);
  const protocol = PROTOCOLS[options.protocol ?? DEFAULT_PROTOCOL];
  const protocolDir = protocolResultsDir(options.resultsDir, protocol.name);
  const allTasks = suiteTasks(suite);
  const tasks = pick(allTasks, options.task, 'task').filter((task) => !task.disabled);
  await ensureExampleModels(options.submissionsDir, options.logger);
  const { submissions: allSubmissions, broken: allBroken } = await scanSubmissionFolders(
    options.submissionsDir,
    options.cacheDir,
  );
  const broken = allBroken.filter(
    (folder) => options.submission === undefined || folder.folder === options.submission,
  );
  const [wantedBroken] = broken;
  if (options.submission !== undefined && wantedBroken) {
    throw new PipelineError('SUBMISSION_INVALID', wantedBroken.message, {
      ...(wantedBroken.hint === undefined ? {} : { hint: wantedBroken.hint }),
    });
  }
  if (allSubmissions.length === 0 && allBroken.length === 0 && options.allowEmpty !== true) {
    // Almost always a wrong folder or a checkout without submissions, not a wish for an empty board.
    throw new UsageError(
      `${options.submissionsDir} holds no submission folders, so the leaderboard would be emptied`,
      'add submissions/<slug>/ with a manifest.json (see submissions/_template/), point LEADERBOARD_SUBMISSIONS_DIR at the right folder, or pass --allow-empty to build a leaderboard without entries',
    );
  }
  const submissions = pick(allSubmissions, options.submission, 'submission');
  const lock = await readShardLock(suite.id);
  const precision = options.embeddingPrecision ?? 'float32';
  const replicates = options.replicates ?? BOOTSTRAP_REPLICATES;
  const items: WorkItem[] = [];
  for (const submission of submissions) {
    for (const task of tasks) {
      const stored = await readStoredResult(resultFile(protocolDir, submission.slug, task.id));
      const locked = lockedShards(task, lock);
      items.push({
        submission,
        task,
        id: `${submission.slug} x ${task.id}`,
        current:
          stored.status === 'ok' &&
          locked !== undefined &&
          stored.result.fingerprint ===
            resultFingerprint(protocol, submission, task, locked, precision, replicates),
        unsupported: unsupportedReason(task),
      });
    }
  }
  return { suite, protocol, protocolDir, allTasks, allSubmissions, broken, items, lock };
}

/** The items that need work, in plan order, dealt round-robin to `count` shards. */
export function shardOf<T>(work: readonly T[], shard: WorkShard | undefined): T[] {
  if (!shard) {
    return [...work];
  }
  return work.filter((_, index) => index % shard.count === shard.index - 1);
}

export function pendingWork(plan: EvaluationPlan): WorkItem[] {
  return plan.items.filter((item) => !item.current && item.unsupported === undefined);
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateSummary> {
  const { logger } = options;
  const precision = options.embeddingPrecision ?? 'float32';
  const replicates = options.replicates ?? BOOTSTRAP_REPLICATES;
  const leftovers = await removeStaleTemporaryFiles([options.resultsDir, options.cacheDir]);
  if (leftovers.length > 0) {
    logger.info(
      `removed ${leftovers.length} temporary file${leftovers.length === 1 ? '' : 's'} that an interrupted run left (${leftovers.slice(0, 3).join(', ')}${leftovers.length > 3 ? ', …' : ''})`,
    );
  }
  const plan = await planEvaluation(options);
  const { suite, lock, protocol, protocolDir } = plan;
  if (protocol.batching === 'padded' && options.encodeBatchSize !== undefined) {
    throw new UsageError(
      `--encode-batch-size changes the scores under --protocol ${protocol.name}: its batches are zero-padded to their longest crop, so every embedding depends on its batch`,
      "drop --encode-batch-size; this protocol uses each task's X-ARES batch_size_encode",
    );
  }
  logger.info(`protocol ${protocol.name} (${protocol.id}): results in ${protocolDir}`);

  const reused = plan.items.filter((item) => item.current).map((item) => item.id);
  for (const id of reused) {
    logger.info(`${id}: reusing stored result (inputs unchanged)`);
  }
  const skippedTasks = new Map<string, string>();
  const skip = (task: TaskDefinition, reason: string) => {
    if (!skippedTasks.has(task.id)) {
      skippedTasks.set(task.id, reason);
      logger.warn(`${task.id}: not run: ${reason}`);
    }
  };
  for (const item of plan.items) {
    if (item.unsupported !== undefined) {
      skip(item.task, item.unsupported);
    }
  }
  const pending = pendingWork(plan);
  const mine = shardOf(pending, options.shard);
  const deferred = pending.filter((item) => !mine.includes(item)).map((item) => item.id);
  if (options.shard) {
    logger.info(
      `shard ${options.shard.index}/${options.shard.count}: ${mine.length} of ${pending.length} pending (submission, task) pairs`,
    );
  }

  let provider: ExecutionProvider = 'cpu';
  let gpu: GpuDescription | undefined;
  if (mine.length > 0) {
    const choice = await chooseExecutionProvider(options.device ?? 'cpu');
    provider = choice.provider;
    gpu = provider === 'cpu' ? undefined : gpuDescription();
    const on = gpu === undefined ? '' : ` on ${gpu.name} (${gpu.driver})`;
    const why = choice.notes.length > 0 ? ` (${choice.notes.join('; ')})` : '';
    logger.info(`execution provider: ${provider}${on}${why}`);
  }
  const engine = new Engine({
    provider,
    ...(options.threads === undefined ? {} : { intraOpThreads: options.threads }),
  });
  const prepared = new Map<string, PreparedTaskData>();
  const prepare = async (task: TaskDefinition): Promise<ReadyTaskData | undefined> => {
    let data = prepared.get(task.id);
    if (!data) {
      data = await prepareTaskData(task, {
        cacheDir: options.cacheDir,
        suiteId: suite.id,
        lock,
        logger,
        environment: process.env,
      });
      prepared.set(task.id, data);
    }
    if (data.status === 'skipped') {
      skip(task, data.reason);
      return undefined;
    }
    return data;
  };

  const evaluated: string[] = [];
  const failed: FailedPair[] = [];
  // A broken folder fails its own pairs, named with its fix; every other submission runs.
  // (Only the first shard reports it, so a sharded run lists it once.)
  if ((options.shard?.index ?? 1) === 1) {
    for (const folder of plan.broken) {
      const pair = {
        id: `${folder.folder} (every task)`,
        message: folder.message,
        cause: 'submission' as const,
      };
      failed.push(pair);
      logger.error(`${pair.message}${folder.hint ? `\n  ${folder.hint}` : ''}`);
    }
  }
  /** Record a failed pair, in the log and (for the status page) beside its result. */
  const fail = async (item: WorkItem, pair: FailedPair, hint: string | undefined) => {
    failed.push(pair);
    logger.error(`${pair.id}: ${pair.message}${hint ? `\n  ${hint}` : ''}`);
    await writeJsonAtomic(
      failureFile(protocolDir, item.submission.slug, item.task.id),
      FailureRecord,
      {
        schemaVersion: STATUS_SCHEMA_VERSION,
        submission: item.submission.slug,
        task: item.task.id,
        modelSha256: item.submission.modelSha256,
        failedAt: new Date().toISOString(),
        cause: pair.cause,
        message: pair.message.slice(0, 4000),
      },
    );
  };
  // The checker scans models in the pull request, but evaluation must not trust that it ran on
  // these bytes: every model is scanned again here, once, before onnxruntime ever loads it.
  // Nor must it score what the checker's dynamic probes reject (a wrong hop, batch-wide
  // normalisation, NaN on silence): they run after the scan passes, once per model (gate.ts).
  const modelRefusal = async (submission: Submission): Promise<string | undefined> => {
    const scan = scanOnnxModel(await readFile(submission.modelPath), submission.modelPath);
    if (!scan.ok) {
      const reasons = scan.items
        .filter((item) => item.status === 'fail')
        .map((item) => item.message);
      return `model refused by the static ONNX scan, not loaded: ${reasons.join('; ')}`;
    }
    const checks = await dynamicChecks(submission, {
      cacheDir: options.cacheDir,
      threads: options.threads,
      logger,
    });
    return refusalMessage(submission.dir, checks);
  };
  const refusals = new Map<string, Promise<string | undefined>>();
  const refusalOf = (submission: Submission): Promise<string | undefined> => {
    let refusal = refusals.get(submission.slug);
    if (!refusal) {
      refusal = modelRefusal(submission);
      refusals.set(submission.slug, refusal);
    }
    return refusal;
  };
  async function runItem(item: WorkItem): Promise<void> {
    const { submission, task, id } = item;
    const path = resultFile(protocolDir, submission.slug, task.id);
    let data: ReadyTaskData | undefined;
    try {
      data = await prepare(task);
    } catch (error) {
      if (!(error instanceof DataError)) {
        throw error;
      }
      await fail(item, { id, message: error.message, cause: 'data' }, error.hint);
      return;
    }
    if (!data) {
      return;
    }
    const expected = resultFingerprint(
      protocol,
      submission,
      task,
      data.shards,
      precision,
      replicates,
    );
    const stored = await readStoredResult(path);
    if (stored.status === 'ok' && stored.result.fingerprint === expected) {
      reused.push(id);
      logger.info(`${id}: reusing stored result (inputs unchanged)`);
      return;
    }
    if (stored.status === 'invalid') {
      // A damaged or edited result is worth nothing; recomputing it is the fix the message gives.
      logger.warn(`${stored.problem}
  ${id}: evaluating it again`);
    }
    const refusal = await refusalOf(submission);
    if (refusal !== undefined) {
      await fail(item, { id, message: refusal, cause: 'submission' }, undefined);
      return;
    }
    logger.info(`${id}: evaluating${stored.status === 'ok' ? ' (stored result is stale)' : ''}`);
    try {
      await evaluateItem({
        options,
        protocol,
        protocolDir,
        submission,
        task,
        data,
        engine,
        provider,
        gpu,
        precision,
        replicates,
        fingerprint: expected,
        id,
      });
      evaluated.push(id);
      await rm(failureFile(protocolDir, submission.slug, task.id), { force: true });
    } catch (error) {
      if (!(
        error instanceof EncoderError ||
        error instanceof DataError ||
        error instanceof EnvironmentError
      )) {
        throw error;
      }
      await fail(
        item,
        {
          id,
          message: error.message,
          cause:
            error instanceof DataError
              ? 'data'
              : error instanceof EnvironmentError
                ? 'environment'
                : 'submission',
        },
        error.hint,
      );
    }
  }

  let interrupted: InterruptedError | undefined;
  let finished = 0;
  try {
    for (const item of mine) {
      throwIfInterrupted();
      const endGroup = logger.group(item.id);
      try {
        await runItem(item);
        finished += 1;
      } finally {
        endGroup();
      }
    }
  } catch (error) {
    if (!(error instanceof InterruptedError)) {
      throw error;
    }
    interrupted = error;
  } finally {
    await engine.release();
    await recordNewShardHashes(suite.id, lock, prepared, logger);
  }

  // Every way out of a run that got this far rebuilds the leaderboard from what is stored, an
  // interrupted run included: a stale leaderboard beside newer results is never left behind.
  await rebuildLeaderboard(protocolDir, suite, protocol, plan.allTasks, plan.allSubmissions);
  if (interrupted) {
    const unfinished = mine.length - finished;
    logger.info(
      `${interrupted.message}: kept ${evaluated.length} result${evaluated.length === 1 ? '' : 's'} evaluated in this run` +
        (evaluated.length > 0 ? ` (${evaluated.join(', ')})` : '') +
        ` and ${reused.length} reused; ${unfinished} pair${unfinished === 1 ? '' : 's'} not finished (encoded shards of them are cached); leaderboard rebuilt in ${protocolDir}/leaderboard.json`,
    );
    throw interrupted;
  }
  logger.info(
    `${evaluated.length} evaluated, ${reused.length} reused` +
      (failed.length > 0 ? `, ${failed.length} failed` : '') +
      (deferred.length > 0 ? `, ${deferred.length} left to other shards` : '') +
      `; leaderboard written to ${protocolDir}/leaderboard.json`,
  );
  if (failed.length > 0) {
    throw failureSummary(failed);
  }
  return { evaluated, reused, failed, deferred };
}

interface ItemContext {
  readonly options: EvaluateOptions;
  readonly protocol: ProtocolInfo;
  readonly protocolDir: string;
  readonly submission: Submission;
  readonly task: TaskDefinition;
  readonly data: ReadyTaskData;
  readonly engine: Engine;
  readonly provider: ExecutionProvider;
  /** The GPU behind a cuda or webgpu provider. */
  readonly gpu: GpuDescription | undefined;
  readonly precision: EmbeddingPrecision;
  readonly replicates: number;
  readonly fingerprint: string;
  readonly id: string;
}

async function evaluateItem(context: ItemContext): Promise<void> {
  const { options, submission, task, data, engine, provider, id } = context;
  const encoded = await encodeTask({
    submission,
    task,
    data,
    cacheDir: options.cacheDir,
    protocol: context.protocol,
    provider,
    threads: options.threads,
    batchSize: options.encodeBatchSize,
    readers: options.readers,
    precision: context.precision,
    limits: options.limits ?? DEFAULT_ENCODE_LIMITS,
    logger: options.logger,
    label: id,
  });
  const headsStarted = performance.now();
  const scores = await scoreTask({
    engine,
    task,
    manifest: submission.manifest,
    splits: encoded.splits,
    tokenizer: {
      cacheDir: options.cacheDir,
      ...(options.tokenizerSource ? { source: options.tokenizerSource } : {}),
    },
    replicates: context.replicates,
  });
  const headSeconds = (performance.now() - headsStarted) / 1000;
  const content: TaskResultContent = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    suite: options.suiteId,
    submission: submission.slug,
    task: task.id,
    metric: task.metric,
    fingerprint: context.fingerprint,
    trackA: scores.trackA,
    trackB: scores.trackB,
    samples: scores.samples,
    audioSeconds: encoded.audioSeconds,
    notes: scores.notes,
    provenance: {
      protocol: context.protocol.id,
      engineVersion: ENGINE_VERSION,
      pipelineCommit: pipelineCommit(),
      modelSha256: submission.modelSha256,
      taskVersion: task.version,
      shards: { ...data.shards },
      seed: SEED,
      onnxruntime: ONNXRUNTIME_VERSION,
      executionProvider: provider,
      ...(context.gpu === undefined ? {} : { gpu: context.gpu }),
      embeddingPrecision: storedPrecision(task, context.precision),
      ...(scores.tokenizer ? { tokenizer: scores.tokenizer } : {}),
      bootstrap: { replicates: context.replicates, seed: SEED },
    },
  };
  const result = await withDigest(content);
  const runUrl = ciRunUrl();
  const gpu = context.gpu === undefined ? undefined : `${context.gpu.name}, ${context.gpu.driver}`;
  await writeJsonAtomic(
    measurementsFile(context.protocolDir, submission.slug, task.id),
    TaskMeasurementsFile,
    {
      schemaVersion: MEASUREMENTS_SCHEMA_VERSION,
      submission: submission.slug,
      task: task.id,
      fingerprint: context.fingerprint,
      evaluatedAt: new Date().toISOString(),
      encodeSeconds: encoded.encodeSeconds,
      encodedSeconds: encoded.encodedSeconds,
      realTimeFactor:
        encoded.encodeSeconds > 0 ? encoded.encodedSeconds / encoded.encodeSeconds : 0,
      headSeconds,
      peakRssBytes: encoded.peakRssBytes,
      executionProvider: provider,
      host: { ...hostDescription(), ...(gpu === undefined ? {} : { gpu }) },
      ...(runUrl === undefined ? {} : { ciRunUrl: runUrl }),
    },
  );
  // The result goes last: a result on disk always has its measurements beside it.
  await writeJsonAtomic(
    resultFile(context.protocolDir, submission.slug, task.id),
    TaskResultFile,
    result,
  );
  const format = (outcome: { score: number; interval: { low: number; high: number } | null }) =>
    `${outcome.score.toFixed(3)}${outcome.interval ? ` [${outcome.interval.low.toFixed(3)}, ${outcome.interval.high.toFixed(3)}]` : ''}`;
  options.logger.info(
    `${id}: Track A ${format(result.trackA)}${result.trackB ? `, Track B ${format(result.trackB)}` : ''}`,
  );
}

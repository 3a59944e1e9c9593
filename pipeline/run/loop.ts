/**
 * `evaluate`: every (submission, task) of a suite whose stored result is missing or stale is
 * computed (data prepared, audio encoded in a supervised child process, Track A and Track B
 * scored) and written to `results/<suite>/runs/`; then the leaderboard is rebuilt from all
 * stored results.
 *
 * A stored result is reused when its fingerprint (model hash, task definition, shard hashes,
 * protocol and engine version, seed, embedding precision) equals the one the current inputs
 * give (scoring/stored-result.ts decides). A broken model fails its own (submission, task) and the
 * run goes on with the rest; the command exits non-zero at the end if anything failed.
 *
 * This file owns what spans the pairs: temporary-file cleanup, the execution provider and its
 * engine, the task data shared by every submission, the interruption, the lock file's first-seen
 * hashes and the rebuild. One pair's work is run/pair.ts.
 */
import { join } from 'node:path';
import type { TaskDefinition } from '../../schemas/task.ts';
import { prepareTaskData, type PreparedTaskData, type ReadyTaskData } from '../data/prepare.ts';
import { recordFirstSeenShardHashes } from '../data/shard-lock.ts';
import { DiskFullError, InterruptedError, UsageError } from '../errors.ts';
import { Engine } from '../heads/engine.ts';
import { removeStaleTemporaryFiles, type OwnedFolder } from '../io/files.ts';
import { ProtocolName } from '../../schemas/protocols.ts';
import { protocolResultsDir, runsDir } from '../../schemas/results-layout.ts';
import { chooseExecutionProvider, type ExecutionProvider } from '../runtime/ort.ts';
import { demoShardGenerator } from '../suites/demo/generate.ts';
import { throwIfInterrupted } from '../util/interrupt.ts';
import { gpuDescription, type GpuDescription } from '../util/environment.ts';
import { failureSummary, RunFailures, type FailedPair } from './failures.ts';
import type { EvaluateOptions } from './options.ts';
import { modelGate, runPair } from './pair.ts';
import {
  pendingWork,
  rebuildPlannedLeaderboard,
  shardOf,
  type EvaluationPlan,
  type WorkItem,
} from './plan.ts';
import { prepareAndPlan } from './prepare.ts';

export interface EvaluateSummary {
  readonly evaluated: readonly string[];
  readonly reused: readonly string[];
  readonly failed: readonly FailedPair[];
  /** Work left to other shards. */
  readonly deferred: readonly string[];
}

/**
 * The cache's folders, each written by one module (encode/cache.ts, data/prepare.ts,
 * check/gate.ts, check/scan-cache.ts, submissions/model-file.ts, text/tokenizers.ts).
 */
const CACHE_FOLDERS = ['checks', 'data', 'embeddings', 'models', 'scans', 'tokenizers'];

/**
 * The folders a run writes into: each protocol's folder (its own files) and `runs/`, and the
 * cache's folders. A user's files beside them are never looked at.
 */
function ownedFolders(options: EvaluateOptions): OwnedFolder[] {
  return [
    ...ProtocolName.options.flatMap((protocol) => {
      const dir = protocolResultsDir(options.resultsDir, protocol);
      return [
        { dir, recursive: false },
        { dir: runsDir(dir), recursive: true },
      ];
    }),
    ...CACHE_FOLDERS.map((name) => ({ dir: join(options.cacheDir, name), recursive: true })),
  ];
}

async function removeLeftovers(options: EvaluateOptions): Promise<void> {
  const leftovers = await removeStaleTemporaryFiles(ownedFolders(options));
  if (leftovers.length > 0) {
    options.logger.info(
      `removed ${leftovers.length} temporary file${leftovers.length === 1 ? '' : 's'} that an interrupted run left (${leftovers.slice(0, 3).join(', ')}${leftovers.length > 3 ? ', …' : ''})`,
    );
  }
}

/** The provider the pairs run on; none is probed when this run has nothing to encode. */
async function executionProvider(
  options: EvaluateOptions,
  work: readonly WorkItem[],
): Promise<{ provider: ExecutionProvider; gpu: GpuDescription | undefined }> {
  if (work.length === 0) {
    return { provider: 'cpu', gpu: undefined };
  }
  const choice = await chooseExecutionProvider(options.device ?? 'cpu');
  const gpu = choice.provider === 'cpu' ? undefined : gpuDescription();
  const on = gpu === undefined ? '' : ` on ${gpu.name} (${gpu.driver})`;
  const why = choice.notes.length > 0 ? ` (${choice.notes.join('; ')})` : '';
  options.logger.info(`execution provider: ${choice.provider}${on}${why}`);
  return { provider: choice.provider, gpu };
}

/** Each task's shards prepared once per run, and each task skipped with one warning. */
class TaskDataOfRun {
  readonly prepared = new Map<string, PreparedTaskData>();
  readonly #skipped = new Set<string>();
  readonly #plan: EvaluationPlan;
  readonly #options: EvaluateOptions;

  constructor(plan: EvaluationPlan, options: EvaluateOptions) {
    this.#plan = plan;
    this.#options = options;
  }

  skip(task: TaskDefinition, reason: string): void {
    if (!this.#skipped.has(task.id)) {
      this.#skipped.add(task.id);
      this.#options.logger.warn(`${task.id}: not run: ${reason}`);
    }
  }

  async ready(task: TaskDefinition): Promise<ReadyTaskData | undefined> {
    let data = this.prepared.get(task.id);
    if (!data) {
      data = await prepareTaskData(task, {
        cacheDir: this.#options.cacheDir,
        suiteId: this.#plan.suite.id,
        lock: this.#plan.lock,
        lockFile: this.#plan.data.lockFile,
        ...(this.#plan.data.localZenodoUrl === undefined
          ? {}
          : { zenodoUrl: this.#plan.data.localZenodoUrl, allowLoopbackHttp: true }),
        logger: this.#options.logger,
        generator: demoShardGenerator,
        environment: process.env,
      });
      this.prepared.set(task.id, data);
    }
    if (data.status === 'skipped') {
      this.skip(task, data.reason);
      return undefined;
    }
    return data;
  }

  /** Hashes of shards this run saw first, for the lock file. */
  firstSeen(): Record<string, string> {
    return Object.assign(
      {},
      ...[...this.prepared.values()].map((data) =>
        data.status === 'ready' ? data.newlyLocked : {},
      ),
    ) as Record<string, string>;
  }
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateSummary> {
  const { logger } = options;
  await removeLeftovers(options);
  const plan = await prepareAndPlan(options);
  const { protocol, protocolDir } = plan;
  if (protocol.batching === 'padded' && options.encodeBatchSize !== undefined) {
    throw new UsageError(
      `--encode-batch-size changes the scores under --protocol ${protocol.name}: its batches are zero-padded to their longest crop, so every embedding depends on its batch`,
      "drop --encode-batch-size; this protocol uses each task's X-ARES batch_size_encode",
    );
  }
  logger.info(`protocol ${protocol.name} (${protocol.id}): results in ${protocolDir}`);

  const reused: string[] = [];
  const reuse = (id: string) => {
    reused.push(id);
    logger.info(`${id}: reusing stored result (inputs unchanged)`);
  };
  for (const item of plan.items.filter((entry) => entry.current)) {
    reuse(item.id);
  }
  const taskData = new TaskDataOfRun(plan, options);
  for (const item of plan.items) {
    if (item.unsupported !== undefined) {
      taskData.skip(item.task, item.unsupported);
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

  const { provider, gpu } = await executionProvider(options, mine);
  const engine = new Engine({
    provider,
    ...(options.threads === undefined ? {} : { intraOpThreads: options.threads }),
  });
  const failures = new RunFailures(protocolDir, logger);
  // Only the first shard reports the broken folders, so a sharded run lists each once.
  if ((options.shard?.index ?? 1) === 1) {
    for (const folder of plan.broken) {
      failures.brokenFolder(folder);
    }
  }
  const context = {
    options,
    plan,
    engine,
    provider,
    gpu,
    taskData: (task: TaskDefinition) => taskData.ready(task),
    modelRefusal: modelGate(options),
    failures,
  };

  const evaluated: string[] = [];
  let interrupted: InterruptedError | undefined;
  let diskFull: DiskFullError | undefined;
  let finished = 0;
  try {
    for (const item of mine) {
      throwIfInterrupted();
      const endGroup = logger.group(item.id);
      try {
        const outcome = await runPair(item, context);
        if (outcome === 'evaluated') {
          evaluated.push(item.id);
        } else if (outcome === 'reused') {
          reuse(item.id);
        }
        finished += 1;
      } finally {
        endGroup();
      }
    }
  } catch (error) {
    if (error instanceof InterruptedError) {
      interrupted = error;
    } else if (error instanceof DiskFullError) {
      diskFull = error;
    } else {
      throw error;
    }
  } finally {
    await engine.release();
    await recordFirstSeenShardHashes(plan.data.lockFile, plan.lock, taskData.firstSeen(), logger);
  }

  // Every way out of a run that got this far rebuilds the leaderboard from what is stored, an
  // interrupted run included: a stale leaderboard beside newer results is never left behind.
  try {
    await rebuildPlannedLeaderboard(plan, options.cacheDir);
  } catch (error) {
    if (!(diskFull && error instanceof DiskFullError)) {
      throw error;
    }
    // The old board stays whole (written atomically); the next run rebuilds it.
    logger.warn(`the leaderboard could not be rebuilt either: ${error.message}`);
  }
  if (diskFull) {
    logger.info(
      `stopped on a full disk: kept ${evaluated.length} result${evaluated.length === 1 ? '' : 's'} evaluated in this run and ${reused.length} reused; ${mine.length - finished} pair${mine.length - finished === 1 ? '' : 's'} not finished`,
    );
    throw diskFull;
  }
  if (interrupted) {
    const unfinished = mine.length - finished;
    logger.info(
      `${interrupted.message}: kept ${evaluated.length} result${evaluated.length === 1 ? '' : 's'} evaluated in this run` +
        (evaluated.length > 0 ? ` (${evaluated.join(', ')})` : '') +
        ` and ${reused.length} reused; ${unfinished} pair${unfinished === 1 ? '' : 's'} not finished (encoded shards of them are cached); leaderboard rebuilt in ${protocolDir}/leaderboard.json`,
    );
    throw interrupted;
  }
  const failed = failures.pairs;
  const brokenFolders = failures.folders;
  logger.info(
    `${evaluated.length} evaluated, ${reused.length} reused` +
      (failed.length > 0 ? `, ${failed.length} failed` : '') +
      (brokenFolders.length > 0
        ? `, ${brokenFolders.length} folder${brokenFolders.length === 1 ? '' : 's'} not loaded`
        : '') +
      (deferred.length > 0 ? `, ${deferred.length} left to other shards` : '') +
      `; leaderboard written to ${protocolDir}/leaderboard.json`,
  );
  if (failed.length > 0 || brokenFolders.length > 0) {
    throw failureSummary(failed, brokenFolders);
  }
  return { evaluated, reused, failed, deferred };
}

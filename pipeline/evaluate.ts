/**
 * `evaluate`: every (submission, task) of a suite whose stored result is missing or stale is
 * computed — data prepared, audio encoded, Track A and Track B scored — and written to
 * `results/<suite>/runs/`; then the leaderboard is rebuilt from all stored results.
 *
 * A stored result is reused when its fingerprint (model hash, task definition, shard hashes,
 * protocol and engine version, seed) equals the one the current inputs give.
 */
import { existsSync } from 'node:fs';
import { classCount, type TaskDefinition } from '../schemas/task.ts';
import { TaskMeasurements, TaskResult, RESULT_SCHEMA_VERSION } from '../schemas/result.ts';
import { measurementsFile, resultFile } from '../schemas/results-layout.ts';
import {
  lockFilePath,
  prepareTaskData,
  readShardLock,
  writeShardLock,
  type PreparedTaskData,
  type ReadyTaskData,
  type ShardLock,
} from './data/prepare.ts';
import { readLabelledAudio } from './data/samples.ts';
import { ClipEncoder, embedSamples, type EmbeddedSplit } from './encode/embed.ts';
import { ensureExampleModels } from './encoders/examples.ts';
import { Engine } from './heads/engine.ts';
import { knnScores } from './heads/knn.ts';
import { trainProbe, type LabelledEmbeddings, type ProbeRecipe } from './heads/linear-probe.ts';
import { readJsonFile, writeJsonAtomic } from './io/files.ts';
import type { Logger } from './log.ts';
import { accuracy } from './metrics/accuracy.ts';
import { logitMetric } from './metrics/index.ts';
import { ENGINE_VERSION, PROTOCOL, SEED } from './protocol.ts';
import { ONNXRUNTIME_VERSION, OrtSession } from './runtime/ort.ts';
import { buildLeaderboard, readResults, writeLeaderboard } from './scoring/aggregate.ts';
import { getSuite, suiteTasks } from './suites/index.ts';
import { scanSubmissions, type Submission } from './submissions/scan.ts';
import { closestMatch } from './tasks/registry.ts';
import { splitShards, taskShardNames } from './tasks/splits.ts';
import { UsageError } from './errors.ts';
import { fingerprint } from './util/hash.ts';
import { ciRunUrl, hostDescription, peakRssBytes, pipelineCommit } from './util/environment.ts';

export interface EvaluateOptions {
  readonly suiteId: string;
  readonly resultsDir: string;
  readonly cacheDir: string;
  readonly submissionsDir: string;
  /** Only this submission (slug). */
  readonly submission?: string | undefined;
  /** Only this task (id). */
  readonly task?: string | undefined;
  /** Threads per onnxruntime operator; defaults to every core. */
  readonly threads?: number | undefined;
  readonly logger: Logger;
}

export interface EvaluateSummary {
  readonly evaluated: readonly string[];
  readonly reused: readonly string[];
}

/** The fields of a task definition that change its scores. */
function taskFingerprint(task: TaskDefinition): string {
  const { version, type, metric, labels, splits, cropSeconds, trackA, trackB } = task;
  return fingerprint({ version, type, metric, labels, splits, cropSeconds, trackA, trackB });
}

export function resultFingerprint(
  submission: Submission,
  task: TaskDefinition,
  shards: Readonly<Record<string, string>>,
): string {
  const { sampleRate, embeddingDim, hopMs, maxInputSeconds } = submission.manifest;
  return fingerprint({
    protocol: PROTOCOL,
    engineVersion: ENGINE_VERSION,
    seed: SEED,
    model: { sha256: submission.modelSha256, sampleRate, embeddingDim, hopMs, maxInputSeconds },
    task: taskFingerprint(task),
    shards,
  });
}

/** Shard hashes promised by the lock file, if it covers every shard of the task. */
function lockedShards(task: TaskDefinition, lock: ShardLock): Record<string, string> | undefined {
  const hashes: Record<string, string> = {};
  for (const name of taskShardNames(task)) {
    const hash = lock.shards[`${task.id}/${name}`];
    if (hash === undefined) {
      return undefined;
    }
    hashes[name] = hash;
  }
  return hashes;
}

async function storedFingerprint(path: string): Promise<string | undefined> {
  if (!existsSync(path)) {
    return undefined;
  }
  return (await readJsonFile(path, TaskResult, 'task result')).fingerprint;
}

function concatenate(parts: readonly EmbeddedSplit[]): LabelledEmbeddings {
  const dim = parts[0]?.dim ?? 0;
  const count = parts.reduce((sum, part) => sum + part.count, 0);
  const embeddings = new Float32Array(count * dim);
  const labels = new Int32Array(count);
  let offset = 0;
  for (const part of parts) {
    embeddings.set(part.embeddings, offset * dim);
    labels.set(part.labels, offset);
    offset += part.count;
  }
  return { count, dim, embeddings, labels };
}

interface Fold {
  readonly id: string;
  readonly train: LabelledEmbeddings;
  readonly valid: LabelledEmbeddings;
  readonly test: LabelledEmbeddings;
}

/** Train/valid/test per fold: k-fold tasks hold each fold out once for both validation and test. */
function foldsOf(task: TaskDefinition, groups: ReadonlyMap<string, EmbeddedSplit>): Fold[] {
  const group = (name: string) => {
    const split = groups.get(name);
    if (!split) {
      throw new Error(`${task.id}: split ${name} was not embedded`);
    }
    return split;
  };
  if (task.splits.kind === 'standard') {
    return [{ id: 'all', train: group('train'), valid: group('valid'), test: group('test') }];
  }
  const ids = task.splits.folds.map((fold) => fold.id);
  return ids.map((id) => ({
    id,
    train: concatenate(ids.filter((other) => other !== id).map(group)),
    valid: group(id),
    test: group(id),
  }));
}

interface TaskOutcome {
  readonly result: TaskResult;
  readonly measurements: TaskMeasurements;
}

interface TaskContext {
  readonly suiteId: string;
  readonly submission: Submission;
  readonly task: TaskDefinition;
  readonly data: ReadyTaskData;
  readonly encoder: ClipEncoder;
  readonly engine: Engine;
  readonly logger: Logger;
  /** "<slug> x <task>", for messages. */
  readonly resultId: string;
}

async function evaluateTask(context: TaskContext): Promise<TaskOutcome> {
  const { submission, task, data, encoder, engine, logger } = context;
  const { manifest } = submission;
  const contract = {
    sampleRate: manifest.sampleRate,
    embeddingDim: manifest.embeddingDim,
    maxInputSeconds: manifest.maxInputSeconds,
  };
  const groups = new Map<string, EmbeddedSplit>();
  const readOnce = new Map<string, EmbeddedSplit>();
  for (const [name, shards] of splitShards(task)) {
    const shardKey = shards.join('\n');
    const already = readOnce.get(shardKey);
    if (already) {
      groups.set(name, already);
      continue;
    }
    const progress = logger.progress(`${context.resultId} encode ${name}`, shards.length);
    const parts: EmbeddedSplit[] = [];
    for (const shard of shards) {
      parts.push(
        await embedSamples(encoder, contract, readLabelledAudio(data.dir, [shard], task.labels), {
          cropSeconds: task.cropSeconds,
          batchSize: task.encodeBatchSize,
        }),
      );
      progress.tick();
    }
    const embedded = joinSplits(parts);
    progress.done(`${embedded.count} crops, ${embedded.audioSeconds.toFixed(0)} s of audio`);
    groups.set(name, embedded);
    readOnce.set(shardKey, embedded);
  }

  const metric = logitMetric(task.metric);
  const classes = classCount(task);
  const trackAFolds = [];
  const trackBFolds = [];
  for (const fold of foldsOf(task, groups)) {
    const streamLabel = `${task.id}/${fold.id}`;
    const probe = await trainProbe(engine, {
      train: fold.train,
      valid: fold.valid,
      test: fold.test,
      classes,
      recipe: probeRecipe(task),
      metric,
      seed: SEED,
      streamLabel,
    });
    trackAFolds.push({
      fold: fold.id,
      score: probe.testScore,
      bestEpoch: probe.bestEpoch,
      validScore: probe.validScore,
      testItems: fold.test.count,
    });
    if (task.trackB) {
      const scores = await knnScores(engine, fold.train, fold.test, classes);
      trackBFolds.push({
        fold: fold.id,
        score: accuracy(scores, fold.test.labels, classes),
        testItems: fold.test.count,
      });
    }
  }
  const mean = (values: readonly { score: number }[]) =>
    values.reduce((sum, value) => sum + value.score, 0) / values.length;

  const uniqueSplits = [...readOnce.values()];
  const encodeSeconds = uniqueSplits.reduce((sum, split) => sum + split.encodeSeconds, 0);
  const encodedSeconds = uniqueSplits.reduce((sum, split) => sum + split.encodedSeconds, 0);
  const fingerprintValue = resultFingerprint(submission, task, data.shards);
  const result: TaskResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    suite: context.suiteId,
    submission: submission.slug,
    task: task.id,
    metric: task.metric,
    fingerprint: fingerprintValue,
    trackA: { score: mean(trackAFolds), folds: trackAFolds },
    trackB: task.trackB ? { score: mean(trackBFolds), folds: trackBFolds } : null,
    samples: Object.fromEntries([...groups].map(([name, split]) => [name, split.count])),
    audioSeconds: uniqueSplits.reduce((sum, split) => sum + split.audioSeconds, 0),
    provenance: {
      protocol: PROTOCOL,
      engineVersion: ENGINE_VERSION,
      pipelineCommit: pipelineCommit(),
      modelSha256: submission.modelSha256,
      taskVersion: task.version,
      shards: { ...data.shards },
      seed: SEED,
      onnxruntime: ONNXRUNTIME_VERSION,
      executionProvider: 'cpu',
    },
  };
  const runUrl = ciRunUrl();
  const measurements: TaskMeasurements = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    submission: submission.slug,
    task: task.id,
    fingerprint: fingerprintValue,
    evaluatedAt: new Date().toISOString(),
    encodeSeconds,
    realTimeFactor: encodeSeconds > 0 ? encodedSeconds / encodeSeconds : 0,
    peakRssBytes: peakRssBytes(),
    host: hostDescription(),
    ...(runUrl === undefined ? {} : { ciRunUrl: runUrl }),
  };
  return { result, measurements };
}

function joinSplits(parts: readonly EmbeddedSplit[]): EmbeddedSplit {
  const total = (key: 'audioSeconds' | 'encodeSeconds' | 'encodedSeconds') =>
    parts.reduce((sum, part) => sum + part[key], 0);
  return {
    ...concatenate(parts),
    audioSeconds: total('audioSeconds'),
    encodeSeconds: total('encodeSeconds'),
    encodedSeconds: total('encodedSeconds'),
  };
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

function probeRecipe(task: TaskDefinition): ProbeRecipe {
  const { loss } = task.trackA;
  if (loss !== 'cross_entropy' && loss !== 'bce') {
    throw new Error(`${task.id}: the linear probe cannot train with ${loss}`);
  }
  return { ...task.trackA, loss };
}

/** Why the engine cannot evaluate `task` now, or undefined when it can. */
export function unsupportedReason(task: TaskDefinition): string | undefined {
  if (task.type !== 'clip' || task.labels.kind !== 'single') {
    return `the engine does not evaluate ${task.type} tasks with ${task.labels.kind} labels yet`;
  }
  if (task.source.kind === 'zenodo' && !task.source.filesVerified) {
    return `its shard lists are not verified against Zenodo record ${task.source.record} (see \`pipeline data discover\`)`;
  }
  return undefined;
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

export async function evaluate(options: EvaluateOptions): Promise<EvaluateSummary> {
  const { logger } = options;
  const suite = getSuite(options.suiteId);
  const allTasks = suiteTasks(suite);
  const tasks = pick(allTasks, options.task, 'task').filter((task) => !task.disabled);
  await ensureExampleModels(options.submissionsDir, logger);
  const allSubmissions = await scanSubmissions(options.submissionsDir, options.cacheDir);
  const submissions = pick(allSubmissions, options.submission, 'submission');
  const lock = await readShardLock(suite.id);
  const engine = new Engine(
    options.threads === undefined ? {} : { intraOpThreads: options.threads },
  );
  const prepared = new Map<string, PreparedTaskData>();
  const notRun = new Map<string, string>();
  const skip = (task: TaskDefinition, reason: string) => {
    if (!notRun.has(task.id)) {
      notRun.set(task.id, reason);
      logger.warn(`${task.id}: not run: ${reason}`);
    }
  };
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
  const reused: string[] = [];
  try {
    for (const submission of submissions) {
      let encoder: ClipEncoder | undefined;
      try {
        for (const task of tasks) {
          const unsupported = unsupportedReason(task);
          if (unsupported !== undefined) {
            skip(task, unsupported);
            continue;
          }
          const resultId = `${submission.slug} x ${task.id}`;
          const path = resultFile(options.resultsDir, submission.slug, task.id);
          const stored = await storedFingerprint(path);
          const isCurrent = (shards: Readonly<Record<string, string>> | undefined) =>
            stored !== undefined &&
            shards !== undefined &&
            stored === resultFingerprint(submission, task, shards);
          const reuse = () => {
            reused.push(resultId);
            logger.info(
              `${resultId}: reusing stored result (inputs unchanged, fingerprint ${stored?.slice(0, 12) ?? ''})`,
            );
          };
          // The lock file's hashes answer without touching the data; the shards themselves only when it cannot.
          if (isCurrent(lockedShards(task, lock))) {
            reuse();
            continue;
          }
          const data = await prepare(task);
          if (!data) {
            continue;
          }
          if (isCurrent(data.shards)) {
            reuse();
            continue;
          }
          logger.info(
            `${resultId}: evaluating${stored === undefined ? '' : ' (stored result is stale)'}`,
          );
          encoder ??= new ClipEncoder(
            await OrtSession.create(submission.modelPath, {
              label: submission.modelPath,
              ...(options.threads === undefined ? {} : { intraOpThreads: options.threads }),
            }),
            submission.manifest,
          );
          const { result, measurements } = await evaluateTask({
            suiteId: suite.id,
            submission,
            task,
            data,
            encoder,
            engine,
            logger,
            resultId,
          });
          // The result goes last: a result on disk always has its measurements beside it.
          await writeJsonAtomic(
            measurementsFile(options.resultsDir, submission.slug, task.id),
            TaskMeasurements,
            measurements,
          );
          await writeJsonAtomic(path, TaskResult, result);
          const trackB = result.trackB ? `, Track B ${result.trackB.score.toFixed(3)}` : '';
          logger.info(
            `${resultId}: Track A ${result.trackA.score.toFixed(3)}${trackB} (encoder ${measurements.realTimeFactor.toFixed(0)}x real time)`,
          );
          evaluated.push(resultId);
        }
      } finally {
        await encoder?.release();
      }
    }
  } finally {
    await engine.release();
    await recordNewShardHashes(suite.id, lock, prepared, logger);
  }

  const results = await readResults(options.resultsDir, allTasks, allSubmissions);
  await writeLeaderboard(
    options.resultsDir,
    buildLeaderboard(suite, allTasks, allSubmissions, results),
  );
  logger.info(
    `${evaluated.length} evaluated, ${reused.length} reused; leaderboard written to ${options.resultsDir}/leaderboard.json`,
  );
  return { evaluated, reused };
}

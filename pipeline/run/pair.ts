/**
 * One (submission, task) of a run: its data, the reuse rule against the shard hashes actually
 * read, the model gate, then encoding, scoring and the result files. Whatever fails here fails
 * this pair alone (see failures.ts); the loop goes on with the next.
 */
import { readFile, rm } from 'node:fs/promises';
import { withDigest } from '../../schemas/result-digest.ts';
import {
  MEASUREMENTS_SCHEMA_VERSION,
  RESULT_SCHEMA_VERSION,
  TaskMeasurementsFile,
  TaskResultFile,
  type TaskResultContent,
} from '../../schemas/result.ts';
import { failureFile, measurementsFile, resultFile } from '../../schemas/results-layout.ts';
import type { TaskDefinition } from '../../schemas/task.ts';
import { dynamicChecks, refusalMessage } from '../check/gate.ts';
import { scanOnnxModel } from '../check/onnx-scan.ts';
import type { ReadyTaskData } from '../data/prepare.ts';
import { encodeTask } from '../encode/stage.ts';
import { DEFAULT_ENCODE_LIMITS } from '../encode/supervisor.ts';
import { DataError, PipelineError } from '../errors.ts';
import { resultFingerprint, storedPrecision } from '../fingerprints.ts';
import type { Engine } from '../heads/engine.ts';
import { scoreTask } from '../heads/score-task.ts';
import { writeJsonAtomic } from '../io/files.ts';
import { ENGINE_VERSION, SEED } from '../protocol.ts';
import { ONNXRUNTIME_VERSION, type ExecutionProvider } from '../runtime/ort.ts';
import { matchesInputs, readStoredResult } from '../scoring/stored-result.ts';
import type { Submission } from '../submissions/scan.ts';
import { demoVocabulary } from '../suites/demo/vocabulary.ts';
import {
  ciRunUrl,
  hostDescription,
  pipelineCommit,
  type GpuDescription,
} from '../util/environment.ts';
import { failureCause, type RunFailures } from './failures.ts';
import type { EvaluateOptions } from './options.ts';
import type { EvaluationPlan, WorkItem } from './plan.ts';

/** What a run shares between its pairs. */
export interface PairContext {
  readonly options: EvaluateOptions;
  readonly plan: EvaluationPlan;
  readonly engine: Engine;
  readonly provider: ExecutionProvider;
  /** The GPU behind a cuda or webgpu provider. */
  readonly gpu: GpuDescription | undefined;
  /** The task's shards, prepared once per run; undefined when the task is skipped. */
  readonly taskData: (task: TaskDefinition) => Promise<ReadyTaskData | undefined>;
  /** Why the model must not be scored, or undefined; decided once per model. */
  readonly modelRefusal: (submission: Submission) => Promise<string | undefined>;
  readonly failures: RunFailures;
}

export type PairOutcome = 'evaluated' | 'reused' | 'failed' | 'skipped';

/**
 * The model gate. The checker scans models in the pull request, but evaluation must not trust
 * that it ran on these bytes: every model is scanned again here, once, before onnxruntime ever
 * loads it. Nor must it score what the checker's dynamic probes reject (a wrong hop, batch-wide
 * normalisation, NaN on silence): they run after the scan passes, once per model (gate.ts).
 */
export function modelGate(
  options: Pick<EvaluateOptions, 'cacheDir' | 'threads' | 'logger'>,
): (submission: Submission) => Promise<string | undefined> {
  const refuse = async (submission: Submission): Promise<string | undefined> => {
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
      logger: options.logger,
    });
    return refusalMessage(submission.dir, checks);
  };
  const refusals = new Map<string, Promise<string | undefined>>();
  return (submission) => {
    let refusal = refusals.get(submission.slug);
    if (!refusal) {
      refusal = refuse(submission);
      refusals.set(submission.slug, refusal);
    }
    return refusal;
  };
}

export async function runPair(item: WorkItem, context: PairContext): Promise<PairOutcome> {
  const { submission, task, id } = item;
  const { plan, failures } = context;
  const { logger } = context.options;
  let data: ReadyTaskData | undefined;
  try {
    data = await context.taskData(task);
  } catch (error) {
    if (!(error instanceof DataError)) {
      throw error;
    }
    await failures.pair(item, { id, message: error.message, cause: 'data' }, error.hint);
    return 'failed';
  }
  if (!data) {
    return 'skipped';
  }
  // The plan judged from the lock file; the shards actually read may have hashes it lacked.
  const expected = resultFingerprint(
    plan.protocol,
    submission,
    task,
    data.shards,
    plan.precision,
    plan.replicates,
  );
  const stored = await readStoredResult(resultFile(plan.protocolDir, submission.slug, task.id));
  if (matchesInputs(stored, expected)) {
    return 'reused';
  }
  if (stored.status === 'invalid') {
    // A damaged or edited result is worth nothing; recomputing it is the fix the message gives.
    logger.warn(`${stored.problem}
  ${id}: evaluating it again`);
  }
  const refusal = await context.modelRefusal(submission);
  if (refusal !== undefined) {
    await failures.pair(item, { id, message: refusal, cause: 'submission' }, undefined);
    return 'failed';
  }
  logger.info(`${id}: evaluating${stored.status === 'ok' ? ' (stored result is stale)' : ''}`);
  try {
    await evaluatePair(item, data, expected, context);
  } catch (error) {
    const cause = failureCause(error);
    if (cause === undefined || !(error instanceof PipelineError)) {
      throw error;
    }
    await failures.pair(item, { id, message: error.message, cause }, error.hint);
    return 'failed';
  }
  await rm(failureFile(plan.protocolDir, submission.slug, task.id), { force: true });
  return 'evaluated';
}

/** Encode, score, and write the pair's measurements and then its result. */
async function evaluatePair(
  item: WorkItem,
  data: ReadyTaskData,
  fingerprint: string,
  context: PairContext,
): Promise<void> {
  const { options, plan, engine, provider } = context;
  const { submission, task, id } = item;
  const encodeStarted = performance.now();
  const encoded = await encodeTask({
    submission,
    task,
    data,
    cacheDir: options.cacheDir,
    protocol: plan.protocol,
    provider,
    threads: options.threads,
    batchSize: options.encodeBatchSize,
    readers: options.readers,
    precision: plan.precision,
    limits: options.limits ?? DEFAULT_ENCODE_LIMITS,
    logger: options.logger,
    label: id,
  });
  const encodeStageSeconds = (performance.now() - encodeStarted) / 1000;
  const headsStarted = performance.now();
  const scores = await scoreTask({
    engine,
    task,
    manifest: submission.manifest,
    splits: encoded.splits,
    tokenizer: {
      cacheDir: options.cacheDir,
      demoVocabulary,
      ...(options.tokenizerSource ? { source: options.tokenizerSource } : {}),
    },
    replicates: plan.replicates,
    paddedFrameEvaluation: plan.protocol.batching === 'padded',
  });
  const headSeconds = (performance.now() - headsStarted) / 1000;
  const content: TaskResultContent = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    suite: options.suiteId,
    submission: submission.slug,
    task: task.id,
    metric: task.metric,
    fingerprint,
    trackA: scores.trackA,
    trackB: scores.trackB,
    samples: scores.samples,
    audioSeconds: encoded.audioSeconds,
    notes: scores.notes,
    provenance: {
      protocol: plan.protocol.id,
      engineVersion: ENGINE_VERSION,
      pipelineCommit: pipelineCommit(),
      modelSha256: submission.modelSha256,
      taskVersion: task.version,
      shards: { ...data.shards },
      seed: SEED,
      onnxruntime: ONNXRUNTIME_VERSION,
      executionProvider: provider,
      ...(context.gpu === undefined ? {} : { gpu: context.gpu }),
      embeddingPrecision: storedPrecision(task, plan.precision),
      ...(scores.tokenizer ? { tokenizer: scores.tokenizer } : {}),
      bootstrap: { replicates: plan.replicates, seed: SEED },
    },
  };
  const result = await withDigest(content);
  const runUrl = ciRunUrl();
  const gpu = context.gpu === undefined ? undefined : `${context.gpu.name}, ${context.gpu.driver}`;
  await writeJsonAtomic(
    measurementsFile(plan.protocolDir, submission.slug, task.id),
    TaskMeasurementsFile,
    {
      schemaVersion: MEASUREMENTS_SCHEMA_VERSION,
      submission: submission.slug,
      task: task.id,
      fingerprint,
      evaluatedAt: new Date().toISOString(),
      encodeSeconds: encoded.encodeSeconds,
      encodedSeconds: encoded.encodedSeconds,
      realTimeFactor:
        encoded.encodeSeconds > 0 ? encoded.encodedSeconds / encoded.encodeSeconds : 0,
      headSeconds,
      trackBSeconds: scores.trackBSeconds,
      encodeStageSeconds,
      peakRssBytes: encoded.peakRssBytes,
      executionProvider: provider,
      host: { ...hostDescription(), ...(gpu === undefined ? {} : { gpu }) },
      ...(runUrl === undefined ? {} : { ciRunUrl: runUrl }),
    },
  );
  // The result goes last: a result on disk always has its measurements beside it.
  await writeJsonAtomic(
    resultFile(plan.protocolDir, submission.slug, task.id),
    TaskResultFile,
    result,
  );
  const format = (outcome: { score: number; interval: { low: number; high: number } | null }) =>
    `${outcome.score.toFixed(3)}${outcome.interval ? ` [${outcome.interval.low.toFixed(3)}, ${outcome.interval.high.toFixed(3)}]` : ''}`;
  options.logger.info(
    `${id}: Track A ${format(result.trackA)}${result.trackB ? `, Track B ${format(result.trackB)}` : ''}`,
  );
}

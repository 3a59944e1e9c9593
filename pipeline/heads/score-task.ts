/**
 * Both tracks of one task on one submission's cached embeddings: the Track A head the task type
 * calls for (linear probe, CTC head or retrieval towers, one entry of TASK_HEADS each) and, where
 * the task has one, the Track B kNN; each fold scored on its own and averaged, with paired bootstrap replicates of the
 * average for the intervals.
 */
import type { SubmissionManifest } from '../../schemas/manifest.ts';
import type { TrackAFold, TrackBFold } from '../../schemas/result.ts';
import { classCount, type TaskDefinition, type TaskType } from '../../schemas/task.ts';
import type { EmbeddingFile } from '../encode/cache.ts';
import {
  accuracyEvaluation,
  bootstrapFolds,
  interval95,
  type Evaluation,
  type Interval,
} from '../metrics/bootstrap.ts';
import { argmax } from '../metrics/accuracy.ts';
import { framesPerSegment } from '../metrics/segments.ts';
import { SEED } from '../protocol.ts';
import { loadTokenizer, type TokenizerOptions } from '../text/tokenizers.ts';
import { trainCtcHead } from './ctc-head.ts';
import type { Engine } from './engine.ts';
import { probeEvaluator } from './evaluators.ts';
import { knnScores } from './knn.ts';
import { trainLinearProbe, type ProbeSource } from './linear-probe.ts';
import { trainRetrievalHead } from './retrieval-head.ts';
import {
  captionedClips,
  clipProbeSource,
  concatenatePooled,
  frameProbeSource,
  paddedFrameProbeSource,
  knnSet,
  loadPooled,
  speechSource,
  type PooledSet,
} from './sources.ts';

/** X-ARES RetrivalMLP hidden_features: the width of both retrieval towers. */
export const RETRIEVAL_HIDDEN_SIZE = 1024;

/** Decimals kept for bootstrap replicates in result files. */
const REPLICATE_DECIMALS = 4;

export interface TrackOutcome<Fold> {
  readonly score: number;
  readonly interval: Interval;
  readonly folds: Fold[];
  readonly replicates: number[];
}

export interface TaskScores {
  readonly trackA: TrackOutcome<TrackAFold>;
  readonly trackB: TrackOutcome<TrackBFold> | null;
  /** Test items per split or fold. */
  readonly samples: Record<string, number>;
  readonly notes: string[];
  readonly tokenizer?: { readonly id: string; readonly vocabularySha256: string };
  /** Wall-clock seconds of the Track B kNN, 0 without one (measurements only). */
  readonly trackBSeconds: number;
}

export interface ScoreTaskOptions {
  readonly engine: Engine;
  readonly task: TaskDefinition;
  readonly manifest: SubmissionManifest;
  /** Cache files of each split or fold. */
  readonly splits: ReadonlyMap<string, readonly EmbeddingFile[]>;
  readonly tokenizer: TokenizerOptions;
  /** Frame tasks evaluated on zero-padded batches, padding frames scored (xares-0.1.3 only). */
  readonly paddedFrameEvaluation: boolean;
  /** Bootstrap replicates: the run decides (run/plan.ts applies the default). */
  readonly replicates: number;
}

interface Fold<T> {
  readonly id: string;
  readonly train: T;
  readonly valid: T;
  readonly test: T;
}

/** Train/valid/test per fold: k-fold tasks hold each fold out once for both validation and test. */
function foldsOf<T>(
  task: TaskDefinition,
  split: (name: string) => T,
  merge: (parts: T[]) => T,
): Fold<T>[] {
  if (task.splits.kind === 'standard') {
    return [{ id: 'all', train: split('train'), valid: split('valid'), test: split('test') }];
  }
  const ids = task.splits.folds.map((fold) => fold.id);
  return ids.map((id) => ({
    id,
    train: merge(ids.filter((other) => other !== id).map(split)),
    valid: split(id),
    test: split(id),
  }));
}

function round(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

function summarise<F extends { readonly fold: string; readonly score: number }>(
  task: TaskDefinition,
  folds: readonly { readonly fold: F; readonly evaluation: Evaluation }[],
  replicates: number,
): TrackOutcome<F> {
  const draws = bootstrapFolds(
    folds.map(({ fold, evaluation }) => ({ id: fold.fold, evaluation })),
    SEED,
    `${task.id}/v${task.version}`,
    replicates,
  );
  const rounded = Array.from(draws, (value) => round(value, REPLICATE_DECIMALS));
  return {
    score: folds.reduce((sum, { fold }) => sum + fold.score, 0) / folds.length,
    interval: interval95(rounded),
    folds: folds.map(({ fold }) => fold),
    replicates: rounded,
  };
}

/** What every head gets: the task, the submission's contract and its cached embeddings. */
export interface HeadInput {
  readonly engine: Engine;
  readonly task: TaskDefinition;
  readonly manifest: SubmissionManifest;
  readonly splits: ReadonlyMap<string, readonly EmbeddingFile[]>;
  /** The cache files of one split or fold; an error if it was not encoded. */
  readonly files: (name: string) => readonly EmbeddingFile[];
  readonly classes: number;
  readonly tokenizer: TokenizerOptions;
  /** Evaluate frame tasks on zero-padded batches as X-ARES does (the xares-0.1.3 edition). */
  readonly paddedFrameEvaluation: boolean;
}

/** Each fold's Track A (and Track B, where the task has one) before bootstrapping. */
export interface HeadOutput {
  readonly trackA: readonly { readonly fold: TrackAFold; readonly evaluation: Evaluation }[];
  readonly trackB: readonly { readonly fold: TrackBFold; readonly evaluation: Evaluation }[];
  readonly notes: readonly string[];
  readonly tokenizer?: TaskScores['tokenizer'];
  /** Wall-clock seconds of the Track B kNN (a measurement, not part of the result). */
  readonly trackBSeconds?: number;
}

export type TaskHead = (input: HeadInput) => Promise<HeadOutput>;

function trackAFold(
  id: string,
  result: { test: Evaluation; bestEpoch: number; validScore: number },
): HeadOutput['trackA'][number] {
  return {
    fold: {
      fold: id,
      score: result.test.score,
      bestEpoch: result.bestEpoch,
      validScore: result.validScore,
      testItems: result.test.items,
    },
    evaluation: result.test,
  };
}

async function pooledSplits(input: HeadInput): Promise<(name: string) => PooledSet> {
  const pooled = new Map<string, PooledSet>();
  for (const name of input.splits.keys()) {
    pooled.set(name, await loadPooled(input.files(name), input.manifest.embeddingDim));
  }
  return (name) => pooled.get(name) as PooledSet;
}

/** Clip tasks: a linear probe on pooled embeddings, and the Track B kNN on the same folds. */
const clipHead: TaskHead = async ({ engine, task, classes, ...input }) => {
  const trackA: HeadOutput['trackA'][number][] = [];
  const trackB: HeadOutput['trackB'][number][] = [];
  let trackBSeconds = 0;
  const split = await pooledSplits({ engine, task, classes, ...input });
  for (const fold of foldsOf(task, split, concatenatePooled)) {
    const source = (set: PooledSet): ProbeSource => clipProbeSource(set, classes);
    const probe = await trainLinearProbe(engine, {
      train: source(fold.train),
      valid: source(fold.valid),
      test: source(fold.test),
      classes,
      recipe: probeRecipe(task),
      evaluator: probeEvaluator(task.metric, classes),
      seed: SEED,
      streamLabel: `${task.id}/${fold.id}`,
    });
    trackA.push(trackAFold(fold.id, probe));
    if (task.trackB) {
      const knnStarted = performance.now();
      const test = knnSet(fold.test);
      const scores = await knnScores(engine, knnSet(fold.train), test, classes);
      const correct = Uint8Array.from(test.labels, (label, row) =>
        argmax(scores, row * classes, classes) === label ? 1 : 0,
      );
      const evaluation = accuracyEvaluation(correct);
      trackB.push({
        fold: { fold: fold.id, score: evaluation.score, testItems: evaluation.items },
        evaluation,
      });
      trackBSeconds += (performance.now() - knnStarted) / 1000;
    }
  }
  return { trackA, trackB, notes: [], trackBSeconds };
};

/** Frame tasks: a linear probe on every frame, scored per segment of events. */
const frameHead: TaskHead = async ({
  engine,
  task,
  manifest,
  files,
  classes,
  paddedFrameEvaluation,
}) => {
  if (task.labels.kind !== 'events' || task.segmentSeconds === undefined) {
    throw new Error(`${task.id}: frame tasks need event labels and a segment length`);
  }
  const { durationSeconds } = task.labels;
  const source = (list: readonly EmbeddingFile[]) =>
    frameProbeSource(list, manifest.embeddingDim, classes, manifest.hopMs, durationSeconds);
  const evaluated = (list: readonly EmbeddingFile[]) =>
    paddedFrameEvaluation
      ? paddedFrameProbeSource(
          list,
          manifest.embeddingDim,
          classes,
          manifest.hopMs,
          durationSeconds,
          task.trackA.batchSize,
        )
      : source(list);
  const trackA: HeadOutput['trackA'][number][] = [];
  for (const fold of foldsOf(task, files, (parts) => parts.flat())) {
    const probe = await trainLinearProbe(engine, {
      train: source(fold.train),
      valid: evaluated(fold.valid),
      test: evaluated(fold.test),
      classes,
      recipe: probeRecipe(task),
      evaluator: probeEvaluator(
        task.metric,
        classes,
        framesPerSegment(task.segmentSeconds, manifest.hopMs),
      ),
      seed: SEED,
      streamLabel: `${task.id}/${fold.id}`,
    });
    trackA.push(trackAFold(fold.id, probe));
  }
  return { trackA, trackB: [], notes: [] };
};

/** Speech recognition: a CTC head on the frames. */
const asrHead: TaskHead = async ({ engine, task, manifest, files }) => {
  const dim = manifest.embeddingDim;
  const trackA: HeadOutput['trackA'][number][] = [];
  const notes: string[] = [];
  for (const fold of foldsOf(task, files, (parts) => parts.flat())) {
    const result = await trainCtcHead(engine, {
      train: speechSource(fold.train, dim),
      valid: speechSource(fold.valid, dim),
      test: speechSource(fold.test, dim),
      recipe: task.trackA,
      seed: SEED,
      streamLabel: `${task.id}/${fold.id}`,
    });
    trackA.push(trackAFold(fold.id, result));
    if (result.infeasibleUtterances > 0) {
      notes.push(
        `${result.infeasibleUtterances} training utterance(s) of fold ${fold.id} have fewer frames than their transcript needs and add nothing to the CTC loss (zero_infinity)`,
      );
    }
  }
  return { trackA, trackB: [], notes };
};

/** Audio-text retrieval: two towers over pooled audio and tokenised captions. */
const retrievalHead: TaskHead = async (input) => {
  const { engine, task } = input;
  if (task.labels.kind !== 'captions' || task.tokenizer === undefined) {
    throw new Error(`${task.id}: retrieval tasks need caption labels and a tokenizer`);
  }
  const loaded = await loadTokenizer(task.tokenizer, input.tokenizer);
  const split = await pooledSplits(input);
  const trackA: HeadOutput['trackA'][number][] = [];
  for (const fold of foldsOf(task, split, concatenatePooled)) {
    const result = await trainRetrievalHead(engine, {
      train: captionedClips(fold.train),
      valid: captionedClips(fold.valid),
      test: captionedClips(fold.test),
      captionsPerClip: task.labels.captionsPerClip,
      recipe: { ...task.trackA, hiddenSize: task.trackA.hiddenSize ?? RETRIEVAL_HIDDEN_SIZE },
      tokenizer: loaded.tokenizer,
      seed: SEED,
      streamLabel: `${task.id}/${fold.id}`,
    });
    trackA.push(trackAFold(fold.id, result));
  }
  return {
    trackA,
    trackB: [],
    notes: [],
    tokenizer: { id: task.tokenizer, vocabularySha256: loaded.vocabularySha256 },
  };
};

/** The Track A head (and Track B, where there is one) of each task type. */
export const TASK_HEADS: Readonly<Record<TaskType, TaskHead>> = Object.freeze({
  clip: clipHead,
  frame: frameHead,
  asr: asrHead,
  retrieval: retrievalHead,
});

export async function scoreTask(options: ScoreTaskOptions): Promise<TaskScores> {
  const { task, splits } = options;
  const { replicates } = options;
  const files = (name: string) => {
    const list = splits.get(name);
    if (!list) {
      throw new Error(`${task.id}: split ${name} was not encoded`);
    }
    return list;
  };
  const samples: Record<string, number> = {};
  for (const [name, list] of splits) {
    samples[name] = list.reduce((sum, file) => sum + file.header.items.length, 0);
  }
  const heads = await TASK_HEADS[task.type]({
    engine: options.engine,
    task,
    manifest: options.manifest,
    splits,
    files,
    classes: classCount(task),
    tokenizer: options.tokenizer,
    paddedFrameEvaluation: options.paddedFrameEvaluation,
  });
  return {
    trackA: summarise(task, heads.trackA, replicates),
    trackB: task.trackB ? summarise(task, heads.trackB, replicates) : null,
    samples,
    notes: [...heads.notes],
    trackBSeconds: heads.trackBSeconds ?? 0,
    ...(heads.tokenizer ? { tokenizer: heads.tokenizer } : {}),
  };
}

function probeRecipe(task: TaskDefinition) {
  const { loss } = task.trackA;
  if (loss !== 'cross_entropy' && loss !== 'bce') {
    throw new Error(`${task.id}: the linear probe cannot train with ${loss}`);
  }
  return { ...task.trackA, loss };
}

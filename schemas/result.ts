/**
 * The result of one submission on one task, `results/<suite>/runs/<slug>/<task>.json`.
 *
 * Everything in this file is a deterministic function of the inputs named in `provenance`, so
 * re-running with the same inputs gives byte-identical JSON. Wall-clock measurements (encode
 * time, real-time factor, peak memory, date, machine), which cannot be deterministic, live beside
 * it in `<task>.measurements.json`.
 *
 * Every file carries a digest over its scored content (result-digest.ts), checked wherever a
 * result is read: a score edited by hand or damaged on disk is refused, never published.
 *
 * Version 1 files (before intervals) and version 2 files (before digests) still parse, upgraded
 * on read with no digest; they are never scored without being recomputed.
 */
import { z } from 'zod';
import { Sha256, Slug, TaskId, UnitScore } from './common.ts';
import { MetricId } from './metrics.ts';

export const RESULT_SCHEMA_VERSION = 3;
/** Measurements carry no digest: they are never scored. */
export const MEASUREMENTS_SCHEMA_VERSION = 2;

const Count = z.int().nonnegative();

/** A 95% bootstrap percentile interval. */
export const Interval = z
  .strictObject({ low: UnitScore, high: UnitScore })
  .refine((interval) => interval.low <= interval.high, {
    error: 'low must not be above high',
  });
export type Interval = z.output<typeof Interval>;

/** Score of one fold (or the single train/valid/test split, as fold "all"). */
export const TrackAFold = z.strictObject({
  fold: z.string(),
  score: UnitScore,
  /** 1-based epoch whose validation score was best (first best on ties). */
  bestEpoch: z.int().positive(),
  validScore: UnitScore,
  testItems: Count,
});
export type TrackAFold = z.output<typeof TrackAFold>;

export const TrackBFold = z.strictObject({
  fold: z.string(),
  score: UnitScore,
  testItems: Count,
});
export type TrackBFold = z.output<typeof TrackBFold>;

/**
 * Bootstrap replicates of the task score (resampled test items, each fold on its own, fold
 * scores averaged), rounded to 4 decimals. Resample b is the same for every submission with the
 * same test items, so replicates are paired across submissions.
 */
const Replicates = z.array(UnitScore);

export const TrackAResult = z.strictObject({
  /** Mean of the fold scores. */
  score: UnitScore,
  /** Null only in results upgraded from version 1. */
  interval: Interval.nullable(),
  folds: z.array(TrackAFold).min(1),
  replicates: Replicates,
});
export type TrackAResult = z.output<typeof TrackAResult>;

/** The same as Track A but for the folds, which have no epochs or validation score. */
export const TrackBResult = TrackAResult.extend({ folds: z.array(TrackBFold).min(1) });
export type TrackBResult = z.output<typeof TrackBResult>;

/** Number of items (crops, clips or utterances) per split or fold. */
export const SplitCounts = z.record(z.string(), Count);

export const Provenance = z.strictObject({
  /** Evaluation protocol, e.g. "x-ares-0.1.3+leaderboard.1". */
  protocol: z.string(),
  /** Version of the numeric engine; results computed by another version are recomputed. */
  engineVersion: z.int().positive(),
  /** git commit of the pipeline that computed this result ("unknown" outside a git checkout). */
  pipelineCommit: z.string(),
  modelSha256: Sha256,
  taskVersion: z.int().positive(),
  /** sha256 of every shard read, by file name. */
  shards: z.record(z.string(), Sha256),
  seed: z.int(),
  onnxruntime: z.string(),
  /** The provider the encoder and the heads ran on: cpu, cuda or webgpu. */
  executionProvider: z.string(),
  /** The GPU behind the cuda or webgpu provider, as far as the machine tells (absent on the CPU). */
  gpu: z.strictObject({ name: z.string(), driver: z.string() }).optional(),
  /** Storage of frame-level embeddings between the encoder and the head. */
  embeddingPrecision: z.enum(['float32', 'float16']),
  /** Retrieval tasks: the WordPiece vocabulary, by id and sha256. */
  tokenizer: z.strictObject({ id: z.string(), vocabularySha256: Sha256 }).optional(),
  bootstrap: z.strictObject({ replicates: z.int().nonnegative(), seed: z.int() }),
});
export type Provenance = z.output<typeof Provenance>;

const resultFields = {
  suite: z.string(),
  submission: Slug,
  task: TaskId,
  metric: MetricId,
  /** Cache key: sha256 over the inputs in `provenance` that determine the scores. */
  fingerprint: Sha256,
  trackA: TrackAResult,
  /** Null when the task has no kNN track. */
  trackB: TrackBResult.nullable(),
  /** Test items per split (or fold). */
  samples: SplitCounts,
  /** Seconds of audio read, all splits, before cropping. */
  audioSeconds: z.number().nonnegative(),
  /** Facts about the run a reader should know (impossible CTC alignments, say). */
  notes: z.array(z.string()),
  provenance: Provenance,
};

/** A result without its digest: what the digest is computed over. */
export const TaskResultContent = z.strictObject({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  ...resultFields,
});
export type TaskResultContent = z.output<typeof TaskResultContent>;

const TaskResultV3 = TaskResultContent.extend({
  /**
   * sha256 of the rest of the file in its written form (result-digest.ts). Null only in results
   * upgraded from versions 1 and 2, which are recomputed before they are scored.
   */
  digest: Sha256.nullable(),
});
type TaskResultV3 = z.output<typeof TaskResultV3>;

const TaskResultV2 = z
  .strictObject({ schemaVersion: z.literal(2), ...resultFields })
  .transform((v2): TaskResultV3 => ({ ...v2, schemaVersion: RESULT_SCHEMA_VERSION, digest: null }));

// --- version 1, as written before intervals existed -------------------------------------------

const TrackAResultV1 = z.strictObject({ score: UnitScore, folds: z.array(TrackAFold).min(1) });
const TrackBResultV1 = z.strictObject({ score: UnitScore, folds: z.array(TrackBFold).min(1) });
const ProvenanceV1 = z.strictObject({
  protocol: z.string(),
  engineVersion: z.int().positive(),
  pipelineCommit: z.string(),
  modelSha256: Sha256,
  taskVersion: z.int().positive(),
  shards: z.record(z.string(), Sha256),
  seed: z.int(),
  onnxruntime: z.string(),
  executionProvider: z.string(),
});
const TaskResultV1 = z
  .strictObject({
    schemaVersion: z.literal(1),
    suite: z.string(),
    submission: Slug,
    task: TaskId,
    metric: MetricId,
    fingerprint: Sha256,
    trackA: TrackAResultV1,
    trackB: TrackBResultV1.nullable(),
    samples: SplitCounts,
    audioSeconds: z.number().nonnegative(),
    provenance: ProvenanceV1,
  })
  .transform((v1): TaskResultV3 => ({
    ...v1,
    schemaVersion: RESULT_SCHEMA_VERSION,
    digest: null,
    trackA: { ...v1.trackA, interval: null, replicates: [] },
    trackB: v1.trackB ? { ...v1.trackB, interval: null, replicates: [] } : null,
    notes: ['upgraded from a version 1 result: no bootstrap interval'],
    provenance: {
      ...v1.provenance,
      embeddingPrecision: 'float32',
      bootstrap: { replicates: 0, seed: v1.provenance.seed },
    },
  }));

/** Reads version 1, 2 and 3 files; always yields version 3. */
export const TaskResult = z.union([TaskResultV3, TaskResultV2, TaskResultV1]);
export type TaskResult = TaskResultV3;
/** The schema results are written with: the digest is required. */
export const TaskResultFile = TaskResultContent.extend({ digest: Sha256 });

/** Non-deterministic facts about the run that produced a result. */
const TaskMeasurementsV2 = z.strictObject({
  schemaVersion: z.literal(MEASUREMENTS_SCHEMA_VERSION),
  submission: Slug,
  task: TaskId,
  /** Fingerprint of the result these measurements belong to. */
  fingerprint: Sha256,
  evaluatedAt: z.iso.datetime(),
  /** Wall-clock seconds spent inside the encoder (model calls only). */
  encodeSeconds: z.number().nonnegative(),
  /** Seconds of audio the encoder processed (after cropping and padding). */
  encodedSeconds: z.number().nonnegative(),
  /** Seconds of audio encoded per second of encoder time. */
  realTimeFactor: z.number().nonnegative(),
  /** Wall-clock seconds spent training and scoring the heads. */
  headSeconds: z.number().nonnegative(),
  /** Of those, the Track B kNN's (absent in files written before it was measured). */
  trackBSeconds: z.number().nonnegative().optional(),
  /**
   * Wall-clock seconds of the whole encode stage: model calls plus reading, decoding, resampling
   * and cropping where they did not overlap with the model (absent in older files).
   */
  encodeStageSeconds: z.number().nonnegative().optional(),
  /** Peak resident memory of the encoder process (0 when every embedding came from the cache). */
  peakRssBytes: Count,
  executionProvider: z.string(),
  host: z.strictObject({
    cpu: z.string(),
    cores: z.int().positive(),
    platform: z.string(),
    gpu: z.string().optional(),
  }),
  ciRunUrl: z.string().optional(),
});

const TaskMeasurementsV1 = z
  .strictObject({
    schemaVersion: z.literal(1),
    submission: Slug,
    task: TaskId,
    fingerprint: Sha256,
    evaluatedAt: z.iso.datetime(),
    encodeSeconds: z.number().nonnegative(),
    realTimeFactor: z.number().nonnegative(),
    peakRssBytes: Count,
    host: z.strictObject({ cpu: z.string(), cores: z.int().positive(), platform: z.string() }),
    ciRunUrl: z.string().optional(),
  })
  .transform((v1): z.output<typeof TaskMeasurementsV2> => ({
    ...v1,
    schemaVersion: MEASUREMENTS_SCHEMA_VERSION,
    encodedSeconds: v1.encodeSeconds * v1.realTimeFactor,
    headSeconds: 0,
    executionProvider: 'cpu',
  }));

/** Reads version 1 and 2 files; always yields version 2. */
export const TaskMeasurements = z.union([TaskMeasurementsV2, TaskMeasurementsV1]);
export type TaskMeasurements = z.output<typeof TaskMeasurementsV2>;
export const TaskMeasurementsFile = TaskMeasurementsV2;

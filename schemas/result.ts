/**
 * The result of one submission on one task, `results/<suite>/runs/<slug>/<task>.json`.
 *
 * Everything in this file is a deterministic function of the inputs named in `provenance`, so
 * re-running with the same inputs gives byte-identical JSON. Wall-clock measurements, which
 * cannot be deterministic, live beside it in `<task>.measurements.json`.
 */
import { z } from 'zod';
import { Sha256, Slug, TaskId, UnitScore } from './common.ts';
import { MetricId } from './metrics.ts';

export const RESULT_SCHEMA_VERSION = 1;

const Count = z.int().nonnegative();

/** Score of one fold (or the single train/valid/test split, as fold "all"). */
export const TrackAFold = z.strictObject({
  fold: z.string(),
  score: UnitScore,
  /** 1-based epoch whose validation score was best (first best on ties). */
  bestEpoch: z.int().positive(),
  validScore: UnitScore,
  testItems: Count,
});

export const TrackAResult = z.strictObject({
  /** Mean of the fold scores. */
  score: UnitScore,
  folds: z.array(TrackAFold).min(1),
});

export const TrackBFold = z.strictObject({
  fold: z.string(),
  score: UnitScore,
  testItems: Count,
});

export const TrackBResult = z.strictObject({
  score: UnitScore,
  folds: z.array(TrackBFold).min(1),
});

/** Number of samples (crops) per split, after cropping. */
export const SplitCounts = z.record(z.string(), Count);

export const Provenance = z.strictObject({
  /** Evaluation protocol, e.g. "x-ares-0.1.3/leaderboard-1". */
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
  executionProvider: z.string(),
});

export const TaskResult = z.strictObject({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  suite: z.string(),
  submission: Slug,
  task: TaskId,
  metric: MetricId,
  /** Cache key: sha256 over the inputs in `provenance` that determine the scores. */
  fingerprint: Sha256,
  trackA: TrackAResult,
  /** Null when the task has no kNN track. */
  trackB: TrackBResult.nullable(),
  samples: SplitCounts,
  /** Seconds of audio read per split, before cropping. */
  audioSeconds: z.number().nonnegative(),
  provenance: Provenance,
});
export type TaskResult = z.output<typeof TaskResult>;

/** Non-deterministic facts about the run that produced a result. */
export const TaskMeasurements = z.strictObject({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  submission: Slug,
  task: TaskId,
  /** Fingerprint of the result these measurements belong to. */
  fingerprint: Sha256,
  evaluatedAt: z.iso.datetime(),
  /** Wall-clock seconds spent in the encoder. */
  encodeSeconds: z.number().nonnegative(),
  /** Seconds of audio encoded per second of encoder time. */
  realTimeFactor: z.number().nonnegative(),
  peakRssBytes: Count,
  host: z.strictObject({ cpu: z.string(), cores: z.int().positive(), platform: z.string() }),
  ciRunUrl: z.string().optional(),
});
export type TaskMeasurements = z.output<typeof TaskMeasurements>;

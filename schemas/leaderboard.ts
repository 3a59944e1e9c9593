/**
 * `results/<suite>/leaderboard.json`: everything the site renders, aggregated from the per-task
 * results by `pipeline score`. The site reads only this file and the per-task results; it never
 * recomputes a score.
 */
import { z } from 'zod';
import { DisplayText, Domain, HttpsUrl, Sha256, Slug, TaskId, Track, UnitScore } from './common.ts';
import { MetricId } from './metrics.ts';
import { Interval } from './result.ts';
import { TaskType } from './task.ts';

export const LEADERBOARD_SCHEMA_VERSION = 2;

export const LeaderboardTask = z.strictObject({
  id: TaskId,
  version: z.int().positive(),
  name: DisplayText(80),
  description: DisplayText(1000),
  domain: Domain,
  dataset: z.string(),
  type: TaskType,
  metric: MetricId,
  classes: z.array(z.string()),
  weight: z.int().nonnegative(),
  trackB: z.boolean(),
  private: z.boolean(),
  /** Number of crops in each split (summed over folds for k-fold tasks). */
  splitSizes: z.record(z.string(), z.int().nonnegative()),
  folds: z.int().nonnegative(),
});
export type LeaderboardTask = z.output<typeof LeaderboardTask>;

export const LeaderboardSubmission = z.strictObject({
  slug: Slug,
  team: DisplayText(80),
  affiliation: DisplayText(120),
  modelName: DisplayText(80),
  modelVersion: DisplayText(40),
  description: DisplayText(600),
  links: z.strictObject({
    report: HttpsUrl.optional(),
    code: HttpsUrl.optional(),
    paper: HttpsUrl.optional(),
  }),
  license: z.string(),
  baseline: z.boolean(),
  modelSha256: Sha256,
  sampleRate: z.int().positive(),
  embeddingDim: z.int().positive(),
  hopMs: z.number().positive(),
  maxInputSeconds: z.number().positive(),
  /** The training-data statement of the manifest. */
  trainingData: DisplayText(1000),
  /** Values stored in the ONNX model (initializers); null when the model could not be read. */
  parameters: z.int().nonnegative().nullable(),
});
export type LeaderboardSubmission = z.output<typeof LeaderboardSubmission>;

export const LeaderboardRow = z.strictObject({
  submission: Slug,
  /** 1-based position by weighted average (equal averages share a rank). */
  rank: z.int().positive(),
  /**
   * 95% interval of the rank over the paired bootstrap replicates (best, worst); null when a
   * task score has no replicates (results upgraded from version 1).
   */
  rankInterval: z.strictObject({ best: z.int().positive(), worst: z.int().positive() }).nullable(),
  /** Weighted average over the tasks that ran; tasks not run have weight 0. */
  average: UnitScore,
  /** 95% bootstrap interval of the weighted average; null as for rankInterval. */
  averageInterval: Interval.nullable(),
  /** Same average restricted to each domain; null when no task of the domain ran. */
  domainAverages: z.record(Domain, UnitScore.nullable()),
  /** Tasks with a score over tasks in the track. */
  coverage: z.strictObject({ done: z.int().nonnegative(), total: z.int().nonnegative() }),
  /** Score per task id; null when the task has not run for this submission. */
  scores: z.record(TaskId, UnitScore.nullable()),
  /** 95% bootstrap interval per task id; null when not run or not available. */
  intervals: z.record(TaskId, Interval.nullable()),
});
export type LeaderboardRow = z.output<typeof LeaderboardRow>;

export const LeaderboardTrack = z.strictObject({
  track: Track,
  title: z.string(),
  /** Task ids in column order. */
  tasks: z.array(TaskId),
  /** Rows sorted by `average`, best first; ties in slug order. */
  rows: z.array(LeaderboardRow),
});
export type LeaderboardTrack = z.output<typeof LeaderboardTrack>;

export const Leaderboard = z.strictObject({
  schemaVersion: z.literal(LEADERBOARD_SCHEMA_VERSION),
  suite: z.strictObject({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    protocol: z.string(),
  }),
  tasks: z.array(LeaderboardTask),
  submissions: z.array(LeaderboardSubmission),
  tracks: z.strictObject({ A: LeaderboardTrack, B: LeaderboardTrack }),
});
export type Leaderboard = z.output<typeof Leaderboard>;

/**
 * `results/<suite>/efficiency.json`: speed and memory per submission, summed over the tasks whose
 * results the leaderboard uses. Kept apart from leaderboard.json because it differs between runs.
 */
export const Efficiency = z.strictObject({
  schemaVersion: z.literal(LEADERBOARD_SCHEMA_VERSION),
  submissions: z.array(
    z.strictObject({
      submission: Slug,
      tasksMeasured: z.int().nonnegative(),
      /** Seconds inside the encoder, and seconds of audio it processed. */
      encodeSeconds: z.number().nonnegative(),
      encodedSeconds: z.number().nonnegative(),
      /** Audio seconds per encoder second; null when nothing was measured. */
      realTimeFactor: z.number().nonnegative().nullable(),
      /** Largest resident memory of the encoder process over its tasks. */
      peakRssBytes: z.int().nonnegative().nullable(),
      executionProviders: z.array(z.string()),
      hosts: z.array(z.string()),
    }),
  ),
});
export type Efficiency = z.output<typeof Efficiency>;

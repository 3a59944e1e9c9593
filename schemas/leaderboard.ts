/**
 * `results/<suite>/leaderboard.json`: everything the site renders, aggregated from the per-task
 * results by `pipeline score`. The site reads only this file and the per-task results; it never
 * recomputes a score.
 */
import { z } from 'zod';
import { DisplayText, Domain, HttpsUrl, Sha256, Slug, TaskId, Track, UnitScore } from './common.ts';
import { DataAvailability, EvaluationOverlap } from './manifest.ts';
import { MetricId } from './metrics.ts';
import { Interval } from './result.ts';
import { TaskType } from './task.ts';

export const LEADERBOARD_SCHEMA_VERSION = 3;

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
  /** The training-data statement of the manifest, and its two attestations. */
  trainingData: DisplayText(1000),
  trainingDataAvailability: DataAvailability,
  evaluationDataOverlap: EvaluationOverlap,
  /** Values stored in the ONNX model (initializers); null when the model could not be read. */
  parameters: z.int().nonnegative().nullable(),
});
export type LeaderboardSubmission = z.output<typeof LeaderboardSubmission>;

/** A ranking's status of one submission: complete, partly evaluated, or not evaluated at all. */
export const EntryStatus = z.enum(['ranked', 'incomplete', 'pending']);
export type EntryStatus = z.infer<typeof EntryStatus>;

export const RankInterval = z
  .strictObject({ best: z.int().positive(), worst: z.int().positive() })
  .refine((interval) => interval.best <= interval.worst, { error: 'best must not exceed worst' });

/**
 * Where one submission stands in one ranking (a track over all its tasks, a domain, or one
 * task). Every number here is computed by schemas/scoring.ts; the site only shows it.
 */
export const Standing = z.strictObject({
  submission: Slug,
  /** ranked: a result on every task of the ranking; incomplete: on some; pending: on none. */
  status: EntryStatus,
  /** The rank shown everywhere (table, CSV, JSON, pull-request comment); null unless ranked. */
  rank: z.int().positive().nullable(),
  /**
   * [1 + entries that beat this one, n − entries this one beats] among the ranked entries, where
   * "beats" means a higher average on the full test sets and in at least 97.5% of the paired
   * bootstrap resamples; null unless ranked and every ranked entry has resamples.
   */
  rankInterval: RankInterval.nullable(),
  /**
   * Weighted average over the tasks with a result: over every task when ranked, over some (not
   * comparable with the ranked ones) when incomplete; null when pending.
   */
  average: UnitScore.nullable(),
  /** 95% bootstrap interval of the average; null when pending or without resamples. */
  averageInterval: Interval.nullable(),
  coverage: z.strictObject({ done: z.int().nonnegative(), total: z.int().nonnegative() }),
  /**
   * The ranked entries that beat this one, by their 1-based position in the ranking: every
   * position up to `leading`, and after it the positions in `others`, written as ranges
   * ("12-15,18"). Null unless ranked with resamples. (The compare page reads pairwise
   * significance from here.)
   */
  beatenBy: z
    .strictObject({
      leading: z.int().nonnegative(),
      others: z.string().regex(/^(?:\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)?$/, {
        error: 'must be positions and ranges separated by commas, such as "12-15,18"',
      }),
    })
    .nullable(),
});
export type Standing = z.output<typeof Standing>;

export const Ranking = z.strictObject({
  /** The tasks averaged (one, for a task's own ranking). */
  tasks: z.array(TaskId),
  /**
   * Every submission in display order: the ranked ones by rank, then average, then slug; then the
   * incomplete ones by tasks done and partial average; then the pending ones by slug.
   */
  standings: z.array(Standing),
  /**
   * The ranked entries with the highest average; empty when every ranked entry has it (a tie
   * at chance level marks nothing) or fewer than two are ranked.
   */
  best: z.array(Slug),
});
export type Ranking = z.output<typeof Ranking>;

/** One submission's scores in a track, by task id (null where it has no result). */
export const TrackEntry = z.strictObject({
  submission: Slug,
  scores: z.record(TaskId, UnitScore.nullable()),
  /** 95% bootstrap interval per task; null when not run or not available. */
  intervals: z.record(TaskId, Interval.nullable()),
});
export type TrackEntry = z.output<typeof TrackEntry>;

export const LeaderboardTrack = z.strictObject({
  track: Track,
  title: z.string(),
  /** Task ids in column order. */
  tasks: z.array(TaskId),
  /** One entry per submission, in the order of `overall`. */
  entries: z.array(TrackEntry),
  /** The track's headline: the weighted average over all its tasks. */
  overall: Ranking,
  /** The same over each domain's tasks, for every domain the track has tasks in. */
  byDomain: z.partialRecord(Domain, Ranking),
  /** Each task on its own. */
  byTask: z.record(TaskId, Ranking),
  /**
   * Ranked entries no other ranked entry beats on both the overall average and size (no more
   * parameters and at least the average, one of them strictly): the score-versus-size front.
   */
  paretoParameters: z.array(Slug),
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
  /**
   * Per track, the ranked entries no other ranked entry beats on both the average and the
   * real-time factor (at least as good on both, better on one): the score-versus-speed front.
   */
  paretoSpeed: z.strictObject({ A: z.array(Slug), B: z.array(Slug) }),
});
export type Efficiency = z.output<typeof Efficiency>;

/**
 * `results/<suite>/status.json`: where every (submission, task) pair of a protocol stands, for
 * the status page and the submission pages. Rebuilt with the leaderboard from the stored files:
 * results (done), failure records (failed), the task definitions (skipped), and nothing
 * (pending). Dates come from the measurements and failure records, so like efficiency.json it
 * differs from run to run and is kept apart from the deterministic leaderboard.
 */
import { z } from 'zod';
import { Sha256, Slug, TaskId } from './common.ts';

export const STATUS_SCHEMA_VERSION = 1;

/** What went wrong, so the message tells who can fix it. */
/** Whose failure: the task's data, the submission's model, or the machine that ran it. */
export const FailureCause = z.enum(['data', 'submission', 'environment']);
export type FailureCause = z.infer<typeof FailureCause>;

/**
 * `runs/<slug>/<task>.failure.json`: the last failed attempt at a pair, written by `evaluate`
 * when a pair fails and removed when it succeeds.
 */
export const FailureRecord = z.strictObject({
  schemaVersion: z.literal(STATUS_SCHEMA_VERSION),
  submission: Slug,
  task: TaskId,
  /** The model that failed; a record for another model than the submission's is stale. */
  modelSha256: Sha256,
  failedAt: z.iso.datetime(),
  cause: FailureCause,
  message: z.string().max(4000),
});
export type FailureRecord = z.output<typeof FailureRecord>;

export const PairState = z.enum(['done', 'pending', 'failed', 'skipped']);
export type PairState = z.infer<typeof PairState>;

export const PairStatus = z.strictObject({
  submission: Slug,
  task: TaskId,
  state: PairState,
  /** failed: what went wrong (and whose fault); skipped: why the task does not run here. */
  reason: z.string().nullable(),
  /** done: when the result was computed; failed: when it failed. */
  date: z.iso.datetime().nullable(),
});
export type PairStatus = z.output<typeof PairStatus>;

/**
 * A folder under submissions/ that could not be loaded (a bad slug or manifest, a missing model,
 * a look-alike name): none of its pairs runs, and the leaderboard leaves it out until it is fixed.
 */
export const BrokenFolderStatus = z.strictObject({
  /** The folder's name (not necessarily a valid slug). */
  folder: z.string().min(1).max(255),
  /** What is wrong, with paths relative to the repository (`submissions/<folder>/...`). */
  message: z.string().max(4000),
  /** The fix. */
  hint: z.string().max(1000).nullable(),
});
export type BrokenFolderStatus = z.output<typeof BrokenFolderStatus>;

export const StatusFile = z.strictObject({
  schemaVersion: z.literal(STATUS_SCHEMA_VERSION),
  /** Submission order, then task order. */
  pairs: z.array(PairStatus),
  /** By folder name; absent in status files written before it was recorded. */
  brokenFolders: z.array(BrokenFolderStatus).default([]),
});
export type StatusFile = z.output<typeof StatusFile>;

/**
 * The report the unprivileged pull-request workflow uploads and the comment workflow reads. The
 * comment workflow treats it as untrusted data (pull-request code produced it), so every field
 * is bounded: ids are patterns, numbers are scores, and free text is short and rendered escaped.
 */
import { z } from 'zod';
import { CheckId, CheckStatus } from './check-report.ts';
import { Slug, TaskId, UnitScore } from './common.ts';

export const PR_REPORT_SCHEMA_VERSION = 2;

const ReportRank = z.strictObject({
  rank: z.int().positive().max(100_000),
  best: z.int().positive().max(100_000).nullable(),
  worst: z.int().positive().max(100_000).nullable(),
  /** Ranked entries on that board. */
  of: z.int().positive().max(100_000),
});

export const PrReport = z.strictObject({
  schemaVersion: z.literal(PR_REPORT_SCHEMA_VERSION),
  pullRequest: z.int().positive(),
  headSha: z.string().regex(/^[0-9a-f]{40}$/, { error: 'a full 40-hex commit sha' }),
  submission: Slug,
  check: z.strictObject({
    passed: z.boolean(),
    items: z
      .array(z.strictObject({ id: CheckId, status: CheckStatus, message: z.string().max(500) }))
      .max(40),
  }),
  /** Preliminary scores on the demo suite; null where the smoke run gave none. */
  scores: z
    .array(
      z.strictObject({ task: TaskId, trackA: UnitScore.nullable(), trackB: UnitScore.nullable() }),
    )
    .max(64),
  averages: z.strictObject({ A: UnitScore.nullable(), B: UnitScore.nullable() }),
  /** The submission's place on the demo board, as leaderboard.json gives it; null when unranked. */
  ranks: z.strictObject({ A: ReportRank.nullable(), B: ReportRank.nullable() }),
});
export type PrReport = z.output<typeof PrReport>;

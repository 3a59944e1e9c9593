/**
 * An archived edition: results reported by someone else (the ICME 2025 organisers, the X-ARES
 * README) and kept as printed, never re-run. `pipeline score --from` recomputes each entry's
 * weighted averages from its per-task scores and compares them with the printed ones; the
 * archive page shows both.
 */
import { z } from 'zod';
import { DisplayText, Domain, HttpsUrl, Slug, TaskId } from './common.ts';
import { MetricId } from './metrics.ts';
import { weightedAverage } from './statistics.ts';

export const ARCHIVE_SCHEMA_VERSION = 1;

export const ArchiveTask = z.strictObject({
  id: TaskId,
  name: DisplayText(80),
  domain: Domain,
  metric: MetricId,
  /** The weight the edition used (X-ARES eval_weight). */
  weight: z.int().nonnegative(),
  trackA: z.boolean(),
  trackB: z.boolean(),
  private: z.boolean(),
  /** Number of cross-validation folds, or null for a fixed split. */
  folds: z.int().positive().nullable(),
});
export type ArchiveTask = z.output<typeof ArchiveTask>;

/** A weighted average as the source printed it: over every listed task, or the public ones. */
export const PrintedAverage = z.strictObject({
  scope: z.enum(['all', 'public']),
  /** The number as printed (three decimals). */
  value: z.number().min(0).max(1),
  /** The label the source gave it. */
  label: z.string(),
});
export type PrintedAverage = z.output<typeof PrintedAverage>;

export const ArchiveTrackEntry = z.strictObject({
  /** Scores as printed, by task id. */
  scores: z.record(TaskId, z.number().min(0).max(1)),
  printed: z.array(PrintedAverage),
  /** Position in the source's default ranking, when it ranked entries. */
  officialRank: z.int().positive().optional(),
});
export type ArchiveTrackEntry = z.output<typeof ArchiveTrackEntry>;

export const ArchiveEntry = z.strictObject({
  id: Slug,
  /** Team name, or model name for baselines. */
  name: DisplayText(80),
  affiliation: DisplayText(120).optional(),
  /** "team": a challenge entry; "baseline": the organisers' reference model. */
  kind: z.enum(['team', 'baseline']),
  encoderClass: z.string().optional(),
  report: HttpsUrl.optional(),
  /** Where these numbers were printed. */
  source: DisplayText(300),
  note: DisplayText(600).optional(),
  trackA: ArchiveTrackEntry.nullable(),
  trackB: ArchiveTrackEntry.nullable(),
});
export type ArchiveEntry = z.output<typeof ArchiveEntry>;

export const ArchiveEdition = z
  .strictObject({
    schemaVersion: z.literal(ARCHIVE_SCHEMA_VERSION),
    id: Slug,
    title: DisplayText(120),
    /** Who computed these numbers. */
    reportedBy: DisplayText(200),
    /** When the results were published (YYYY-MM-DD). */
    published: z.iso.date(),
    source: z.strictObject({
      page: HttpsUrl,
      repository: HttpsUrl,
      commit: z.string().regex(/^[0-9a-f]{40}$/),
    }),
    notes: z.array(DisplayText(600)),
    tasks: z.array(ArchiveTask).min(1),
    entries: z.array(ArchiveEntry).min(1),
  })
  .superRefine((edition, ctx) => {
    const known = new Set(edition.tasks.map((task) => task.id));
    edition.entries.forEach((entry, index) => {
      for (const track of ['trackA', 'trackB'] as const) {
        for (const task of Object.keys(entry[track]?.scores ?? {})) {
          if (!known.has(task)) {
            ctx.addIssue({
              code: 'custom',
              path: ['entries', index, track, 'scores', task],
              message: `"${task}" is not one of the edition's tasks; add it to "tasks" or fix the id`,
            });
          }
        }
      }
    });
  });
export type ArchiveEdition = z.output<typeof ArchiveEdition>;

/**
 * Recomputation of an edition's printed weighted averages from its own per-task scores and
 * weights, with the leaderboard's formula. "public" averages leave the private tasks out. A
 * printed value reproduces when the recomputed one rounds to it at three decimals
 * (|recomputed - printed| <= 0.0005); it is consistent with rounding when the gap is within 0.001,
 * because the task scores are themselves rounded to three decimals, so the exact average can sit
 * up to 0.0005 away from the one recomputed from them.
 */
export interface RecomputedAverage {
  readonly entry: string;
  readonly name: string;
  readonly track: 'A' | 'B';
  readonly scope: 'all' | 'public';
  readonly label: string;
  readonly printed: number;
  readonly recomputed: number;
  readonly reproduces: boolean;
  readonly consistentWithRounding: boolean;
  /** Tasks averaged over. */
  readonly tasks: number;
}

/** Half a unit in the third decimal, plus room for binary floating point. */
const PRINT_TOLERANCE = 0.0005 + 1e-9;
/** Printed rounding plus the rounding of the task scores the average is recomputed from. */
const ROUNDING_TOLERANCE = 0.001 + 1e-9;

export function recomputeTrack(
  edition: ArchiveEdition,
  track: ArchiveTrackEntry,
  scope: 'all' | 'public',
): { average: number | null; tasks: number } {
  const entries = edition.tasks
    .filter((task) => scope === 'all' || !task.private)
    .flatMap((task) => {
      const score = track.scores[task.id];
      return score === undefined ? [] : [{ score, weight: task.weight }];
    });
  return { average: weightedAverage(entries), tasks: entries.length };
}

export function recomputeArchive(edition: ArchiveEdition): RecomputedAverage[] {
  const out: RecomputedAverage[] = [];
  for (const entry of edition.entries) {
    for (const track of ['A', 'B'] as const) {
      const data = track === 'A' ? entry.trackA : entry.trackB;
      if (!data) {
        continue;
      }
      for (const printed of data.printed) {
        const { average, tasks } = recomputeTrack(edition, data, printed.scope);
        const recomputed = average ?? 0;
        out.push({
          entry: entry.id,
          name: entry.name,
          track,
          scope: printed.scope,
          label: printed.label,
          printed: printed.value,
          recomputed,
          reproduces: Math.abs(recomputed - printed.value) <= PRINT_TOLERANCE,
          consistentWithRounding: Math.abs(recomputed - printed.value) <= ROUNDING_TOLERANCE,
          tasks,
        });
      }
    }
  }
  return out;
}

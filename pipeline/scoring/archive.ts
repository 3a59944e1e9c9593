/**
 * Recompute the printed weighted averages of an archived edition from its own per-task scores
 * and weights, with the same weightedAverage the leaderboard uses. "public" averages leave the
 * private tasks out. A printed value reproduces when the recomputed one rounds to it at three
 * decimals (|recomputed - printed| <= 0.0005). It is consistent with rounding when the gap is
 * within 0.001: the task scores are themselves rounded to three decimals, so the exact average
 * can sit up to 0.0005 away from the one recomputed from them.
 */
import type { ArchiveEdition, ArchiveTrackEntry } from '../../schemas/archive.ts';
import { weightedAverage } from './aggregate.ts';

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

export function formatRecomputed(rows: readonly RecomputedAverage[]): string {
  const header = ['entry', 'track', 'scope', 'tasks', 'printed', 'recomputed', 'reproduces'];
  const body = rows.map((row) => [
    row.name,
    row.track,
    row.scope,
    String(row.tasks),
    row.printed.toFixed(3),
    row.recomputed.toFixed(5),
    row.reproduces
      ? 'yes'
      : `${row.consistentWithRounding ? 'within input rounding' : 'NO'} (off by ${Math.abs(row.recomputed - row.printed).toFixed(4)})`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => (cells[column] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] as number))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join(
    '\n',
  );
}

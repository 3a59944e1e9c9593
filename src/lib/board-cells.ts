/**
 * The cells of a board's rows: the text shown, the smaller line and tooltip under it, and the
 * value the client-side sort compares. Every number is the pipeline's, formatted by format.ts.
 */
import type {
  LeaderboardSubmission,
  LeaderboardTask,
  Standing,
  TrackEntry,
} from '../../schemas/leaderboard.ts';
import { formatInterval, formatRank, formatRankInterval, formatScore } from './format.ts';

export interface Cell {
  readonly text: string;
  /** A second, smaller line (the interval of an average, the team under a model). */
  readonly detail?: string;
  /** Tooltip of the cell. */
  readonly title?: string;
  /** Value the client-side sort compares; empty for missing values, which always sort last. */
  readonly sortValue: string;
  /** True when the pipeline marks this the best value of its ranking. */
  readonly best: boolean;
}

/** What the client-side sort compares: 4 decimals, empty for a missing value (sorted last). */
export function sortValueOf(value: number | null): string {
  return value === null ? '' : value.toFixed(4);
}

/** "Model 1.0" with the team below it: the primary identity of a row. */
export function modelCell(submission: LeaderboardSubmission): Cell {
  const name = `${submission.modelName} ${submission.modelVersion}`;
  return {
    text: name,
    detail: submission.team,
    title: `${name} by ${submission.team} (${submission.affiliation})`,
    sortValue: name.toLocaleLowerCase('en'),
    best: false,
  };
}

export function rankCell(standing: Standing, shared: boolean, rankedCount: number): Cell {
  const interval = standing.rankInterval;
  const range = interval === null ? undefined : formatRankInterval(interval);
  const beatenBy = (interval?.best ?? 1) - 1;
  const beats = rankedCount - (interval?.worst ?? rankedCount);
  return {
    text: formatRank(standing.rank, shared),
    ...(range === undefined ? {} : { detail: range }),
    title:
      (shared ? 'Shared rank. ' : '') +
      (range === undefined
        ? ''
        : `Rank interval ${range}: beaten by ${beatenBy}, beats ${beats} of ${rankedCount}.`),
    sortValue: standing.rank === null ? '' : String(standing.rank),
    best: false,
  };
}

export function averageCell(standing: Standing, best: boolean): Cell {
  const interval = standing.averageInterval;
  const partial = standing.status === 'incomplete';
  return {
    text: partial ? `${formatScore(standing.average)}*` : formatScore(standing.average),
    ...(interval && standing.average !== null ? { detail: formatInterval(interval) } : {}),
    ...(partial
      ? {
          title: `Partial average over ${standing.coverage.done} of ${standing.coverage.total} tasks: not comparable with the ranked entries`,
        }
      : {}),
    sortValue: sortValueOf(standing.average),
    best,
  };
}

export function scoreCell(
  entry: TrackEntry | undefined,
  task: LeaderboardTask,
  best: boolean,
): Cell {
  const score = entry?.scores[task.id] ?? null;
  const interval = entry?.intervals[task.id] ?? null;
  return {
    text: formatScore(score),
    title:
      score === null
        ? `${task.name}: no result`
        : `${task.name} ${interval ? formatInterval(interval) : ''}`,
    sortValue: sortValueOf(score),
    best,
  };
}

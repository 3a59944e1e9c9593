/**
 * The scoring core: from per-task results to averages, intervals, ranks and rankings. The
 * pipeline builds leaderboard.json with it; the site uses it only to recompute archived averages
 * and to verify that leaderboard.json is what the stored results give. It is the one owner of
 * every rank shown anywhere.
 *
 * The rank rule, on the paired bootstrap the results already carry (replicate b of every
 * submission resamples the same test items):
 * - entry j *beats* entry i when j's average is higher on the full test sets and j's replicate
 *   is higher than i's in at least 97.5% of the resamples;
 * - the rank interval of i is [1 + entries that beat i, n − entries that i beats];
 * - the rank shown is 1 + the entries that beat i, made monotone down the table (never smaller
 *   than the rank above it) and shared by equal averages.
 * So the shown rank always lies inside its interval, never decreases down the table sorted by
 * average, and two entries share a rank only where the data cannot separate them from the same
 * entries above.
 */
import { DOMAINS, type Domain, type Track } from './common.ts';
import type { EntryStatus, LeaderboardTrack, Ranking, Standing } from './leaderboard.ts';

export interface WeightedScore {
  readonly score: number | null;
  readonly weight: number;
}

/**
 * X-ARES `metrics.weighted_average`: sum(score * weight) / sum(weight) over entries with a score;
 * null when that weight is 0. A task that did not run drops out; a score of 0 counts in full.
 */
export function weightedAverage(entries: Iterable<WeightedScore>): number | null {
  let weighted = 0;
  let total = 0;
  for (const { score, weight } of entries) {
    if (score === null) {
      continue;
    }
    weighted += score * weight;
    total += weight;
  }
  return total > 0 ? weighted / total : null;
}

/** Percentile with linear interpolation between order statistics (numpy's default). */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) {
    throw new RangeError('percentile of an empty set');
  }
  return sortedPercentile(sorted, q);
}

export interface ScoreInterval {
  readonly low: number;
  readonly high: number;
}

/** Percentile of values already sorted ascending (see `percentile`). */
function sortedPercentile(sorted: Float64Array, q: number): number {
  const position = (q / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return (
    (sorted[lower] as number) +
    ((sorted[upper] as number) - (sorted[lower] as number)) * (position - lower)
  );
}

/** The 95% percentile interval of bootstrap replicates. */
export function interval95(replicates: ArrayLike<number>): ScoreInterval {
  const sorted = Float64Array.from(replicates).sort();
  if (sorted.length === 0) {
    throw new RangeError('percentile of an empty set');
  }
  return { low: sortedPercentile(sorted, 2.5), high: sortedPercentile(sorted, 97.5) };
}

/**
 * Replicate b of the weighted average is the weighted average of the tasks' replicates b; null
 * when a task has no replicates, or they differ in number.
 */
export function averageReplicates(
  entries: readonly { readonly replicates: readonly number[]; readonly weight: number }[],
): Float64Array | null {
  const weighted = entries.filter((entry) => entry.weight > 0);
  const count = weighted[0]?.replicates.length ?? 0;
  const total = weighted.reduce((sum, entry) => sum + entry.weight, 0);
  if (count === 0 || total === 0 || weighted.some((entry) => entry.replicates.length !== count)) {
    return null;
  }
  const out = new Float64Array(count);
  for (const { replicates, weight } of weighted) {
    for (let b = 0; b < count; b++) {
      out[b] = (out[b] as number) + ((replicates[b] as number) * weight) / total;
    }
  }
  return out;
}

/** 1 + the number of values strictly greater than `values[i]`: equal values share a rank. */
export function competitionRanks(values: readonly number[]): number[] {
  return values.map((value) => 1 + values.filter((other) => other > value).length);
}

/** Share of paired resamples an entry must win for it to beat another. */
export const BEATS_SHARE = 0.975;

/** An entry to rank: its average on the full test sets and its paired replicates. */
export interface RankInput {
  readonly average: number;
  readonly replicates: Float64Array | null;
}

export interface RankOutcome {
  readonly rank: number;
  readonly rankInterval: { readonly best: number; readonly worst: number } | null;
  /** 1-based positions of the entries that beat this one: all up to `leading`, and `others`. */
  readonly beatenBy: { readonly leading: number; readonly others: string } | null;
}

/** Sorted positions as ranges: [3, 4, 5, 8] is "3-5,8". */
export function formatPositions(positions: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < positions.length;) {
    let j = i;
    while (j + 1 < positions.length && positions[j + 1] === (positions[j] as number) + 1) {
      j++;
    }
    parts.push(j === i ? `${positions[i]}` : `${positions[i]}-${positions[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The positions of a ranges string ("3-5,8" is [3, 4, 5, 8]). */
export function parsePositions(text: string): number[] {
  if (text === '') {
    return [];
  }
  return text.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    const first = from ?? 0;
    const last = to ?? first;
    return Array.from({ length: last - first + 1 }, (_, k) => first + k);
  });
}

/**
 * Ranks of entries given in table order (average descending), by the rule at the top of this
 * file. Without replicates for every entry (results from before intervals existed) the rank is
 * the competition rank of the averages and nothing else is claimed.
 */
export function rankByPairedBootstrap(entries: readonly RankInput[]): RankOutcome[] {
  const n = entries.length;
  const count = entries[0]?.replicates?.length ?? 0;
  if (
    count === 0 ||
    entries.some((entry) => entry.replicates === null || entry.replicates.length !== count)
  ) {
    return competitionRanks(entries.map((entry) => entry.average)).map((rank) => ({
      rank,
      rankInterval: null,
      beatenBy: null,
    }));
  }
  const replicates = entries.map((entry) => entry.replicates as Float64Array);
  const lowest = replicates.map((values) => Math.min(...values));
  const highest = replicates.map((values) => Math.max(...values));
  const allowedLosses = count - Math.ceil(BEATS_SHARE * count);
  /** Whether j (above) beats i (below). */
  const beats = (j: number, i: number): boolean => {
    if (!((entries[j] as RankInput).average > (entries[i] as RankInput).average)) {
      return false;
    }
    if ((lowest[j] as number) > (highest[i] as number)) {
      return true;
    }
    const above = replicates[j] as Float64Array;
    const below = replicates[i] as Float64Array;
    let losses = 0;
    for (let b = 0; b < count; b++) {
      if (!((above[b] as number) > (below[b] as number))) {
        losses++;
        if (losses > allowedLosses) {
          return false;
        }
      }
    }
    return true;
  };
  const beatenBy: number[][] = entries.map(() => []);
  const beating = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (beats(j, i)) {
        (beatenBy[i] as number[]).push(j + 1);
        beating[j] = (beating[j] as number) + 1;
      }
    }
  }
  const ranks = new Int32Array(n);
  let previous = 1;
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && (entries[end + 1] as RankInput).average === entries[start]?.average) {
      end++;
    }
    // Equal averages share the largest of their own ranks, and no rank is above the one before.
    let rank = previous;
    for (let i = start; i <= end; i++) {
      rank = Math.max(rank, 1 + (beatenBy[i] as number[]).length);
    }
    for (let i = start; i <= end; i++) {
      ranks[i] = rank;
    }
    previous = rank;
    start = end + 1;
  }
  return entries.map((_, i) => {
    const positions = beatenBy[i] as number[];
    let leading = 0;
    while (leading < positions.length && positions[leading] === leading + 1) {
      leading++;
    }
    return {
      rank: ranks[i] as number,
      rankInterval: { best: 1 + positions.length, worst: n - (beating[i] as number) },
      beatenBy: { leading, others: formatPositions(positions.slice(leading)) },
    };
  });
}

/** One submission's result on one task of a track, as the rankings need it. */
export interface TaskOutcome {
  readonly score: number;
  readonly interval: ScoreInterval | null;
  readonly replicates: readonly number[];
}

export interface RankedTask {
  readonly id: string;
  readonly weight: number;
}

/**
 * A ranking of `submissions` over `tasks`: the ranked entries (a result on every task) by the
 * rank rule, then the incomplete ones with their partial averages, then the pending ones.
 */
export function buildRanking(
  tasks: readonly RankedTask[],
  submissions: readonly string[],
  outcome: (submission: string, task: string) => TaskOutcome | null,
): Ranking {
  const prepared = submissions.map((submission) => {
    const done = tasks.flatMap((task) => {
      const result = outcome(submission, task.id);
      return result ? [{ task, result }] : [];
    });
    const status: EntryStatus =
      done.length === 0 ? 'pending' : done.length === tasks.length ? 'ranked' : 'incomplete';
    const average = weightedAverage(
      done.map(({ task, result }) => ({ score: result.score, weight: task.weight })),
    );
    const replicates = averageReplicates(
      done.map(({ task, result }) => ({ replicates: result.replicates, weight: task.weight })),
    );
    return {
      submission,
      status,
      // A ranking whose tasks all weigh 0 still orders by the plain mean.
      average:
        done.length === 0
          ? null
          : (average ??
            done.reduce((sum, { result }) => sum + result.score, 0) / Math.max(1, done.length)),
      replicates,
      coverage: { done: done.length, total: tasks.length },
    };
  });
  const byAverage = (a: (typeof prepared)[number], b: (typeof prepared)[number]): number =>
    (b.average ?? 0) - (a.average ?? 0) || a.submission.localeCompare(b.submission);
  const ranked = prepared.filter((entry) => entry.status === 'ranked').sort(byAverage);
  const incomplete = prepared
    .filter((entry) => entry.status === 'incomplete')
    .sort((a, b) => b.coverage.done - a.coverage.done || byAverage(a, b));
  const pending = prepared
    .filter((entry) => entry.status === 'pending')
    .sort((a, b) => a.submission.localeCompare(b.submission));
  const outcomes = rankByPairedBootstrap(
    ranked.map((entry) => ({ average: entry.average ?? 0, replicates: entry.replicates })),
  );
  const standing = (
    entry: (typeof prepared)[number],
    outcome: RankOutcome | undefined,
  ): Standing => ({
    submission: entry.submission,
    status: entry.status,
    rank: outcome?.rank ?? null,
    rankInterval: outcome?.rankInterval ?? null,
    average: entry.average,
    averageInterval: entry.replicates ? interval95(entry.replicates) : null,
    coverage: entry.coverage,
    beatenBy: outcome?.beatenBy ?? null,
  });
  const top = ranked[0]?.average;
  const best =
    ranked.length > 1 && ranked.some((entry) => entry.average !== top)
      ? ranked.filter((entry) => entry.average === top).map((entry) => entry.submission)
      : [];
  return {
    tasks: tasks.map((task) => task.id),
    standings: [
      ...ranked.map((entry, index) => standing(entry, outcomes[index])),
      ...[...incomplete, ...pending].map((entry) => standing(entry, undefined)),
    ],
    best,
  };
}

/** A task as the rankings see it. */
export interface TrackTask extends RankedTask {
  readonly domain: Domain;
}

/**
 * One track: every submission's task scores, the ranking over all the track's tasks, one per
 * domain and one per task, and the score-versus-size front of the ranked entries.
 */
export function buildTrack(options: {
  readonly track: Track;
  readonly title: string;
  readonly tasks: readonly TrackTask[];
  readonly submissions: readonly string[];
  readonly outcome: (submission: string, task: string) => TaskOutcome | null;
  /** Values stored in each submission's model, where known. */
  readonly parameters: ReadonlyMap<string, number>;
}): LeaderboardTrack {
  const { tasks, submissions, outcome } = options;
  const overall = buildRanking(tasks, submissions, outcome);
  const byDomain: Partial<Record<Domain, Ranking>> = {};
  for (const domain of DOMAINS) {
    const inDomain = tasks.filter((task) => task.domain === domain);
    if (inDomain.length > 0) {
      byDomain[domain] = buildRanking(inDomain, submissions, outcome);
    }
  }
  // A task's own ranking is by its score: its weight plays no part there.
  const byTask = Object.fromEntries(
    tasks.map((task) => [
      task.id,
      buildRanking([{ id: task.id, weight: 1 }], submissions, outcome),
    ]),
  );
  const entries = overall.standings.map((standing) => ({
    submission: standing.submission,
    scores: Object.fromEntries(
      tasks.map((task) => [task.id, outcome(standing.submission, task.id)?.score ?? null]),
    ),
    intervals: Object.fromEntries(
      tasks.map((task) => [task.id, outcome(standing.submission, task.id)?.interval ?? null]),
    ),
  }));
  const paretoParameters = paretoFront(
    overall.standings.flatMap((standing) => {
      const count = options.parameters.get(standing.submission);
      return standing.status === 'ranked' && standing.average !== null && count !== undefined
        ? [{ submission: standing.submission, score: standing.average, cost: count }]
        : [];
    }),
    'lower',
  );
  return {
    track: options.track,
    title: options.title,
    tasks: tasks.map((task) => task.id),
    entries,
    overall,
    byDomain,
    byTask,
    paretoParameters,
  };
}

/**
 * The entries no other entry dominates: none has at least the score and at most the cost (or at
 * least the speed), better in one of them. `better` says which way the cost is good.
 */
export function paretoFront(
  points: readonly { readonly submission: string; readonly score: number; readonly cost: number }[],
  better: 'lower' | 'higher',
): string[] {
  const sign = better === 'lower' ? 1 : -1;
  return points
    .filter(
      (point) =>
        !points.some(
          (other) =>
            other !== point &&
            other.score >= point.score &&
            sign * other.cost <= sign * point.cost &&
            (other.score > point.score || sign * other.cost < sign * point.cost),
        ),
    )
    .map((point) => point.submission)
    .sort();
}

/**
 * The scoring core: from per-task results to averages, intervals, ranks and rankings. The
 * pipeline builds leaderboard.json with it; the site uses it only to recompute archived averages
 * and to verify that leaderboard.json is what the stored results give. It is the one owner of
 * every rank shown anywhere: the rankings here apply the rank rule of ranks.ts to the averages
 * and replicates of statistics.ts.
 */
import { DOMAINS, type Domain, type Track } from './common.ts';
import type { EntryStatus, LeaderboardTrack, Ranking, Standing } from './leaderboard.ts';
import { rankByPairedBootstrap, type RankOutcome } from './ranks.ts';
import {
  averageReplicates,
  interval95,
  type ScoreInterval,
  weightedAverage,
} from './statistics.ts';

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

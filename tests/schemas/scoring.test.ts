/**
 * The rank rule (schemas/ranks.ts), against a brute-force reading of its definition and on
 * randomized leaderboards: the shown rank lies inside its own rank interval, never decreases down
 * the table, and equal averages share it.
 */
import { describe, expect, it } from 'vitest';
import {
  BEATS_SHARE,
  parsePositions,
  formatPositions,
  rankByPairedBootstrap,
  type RankInput,
} from '../../schemas/ranks.ts';
import { buildRanking, paretoFront, type TaskOutcome } from '../../schemas/scoring.ts';
import { SeededRandom } from '../../pipeline/util/random.ts';

/** The definition read literally: every pair, every resample, no shortcut. */
function referenceRanks(entries: readonly RankInput[]) {
  const n = entries.length;
  const beats = (j: number, i: number) => {
    const above = entries[j] as RankInput;
    const below = entries[i] as RankInput;
    if (!(above.average > below.average)) {
      return false;
    }
    const a = above.replicates as Float64Array;
    const b = below.replicates as Float64Array;
    let wins = 0;
    for (let r = 0; r < a.length; r++) {
      wins += (a[r] as number) > (b[r] as number) ? 1 : 0;
    }
    return wins >= Math.ceil(BEATS_SHARE * a.length);
  };
  const best = entries.map((_, i) => 1 + entries.filter((__, j) => beats(j, i)).length);
  const worst = entries.map((_, i) => n - entries.filter((__, k) => beats(i, k)).length);
  // Monotone down the table, equal averages sharing the largest of their own ranks.
  const ranks: number[] = [];
  for (let i = 0; i < n; i++) {
    const group = entries
      .map((entry, k) => ({ entry, k }))
      .filter(({ entry }) => entry.average === entries[i]?.average)
      .map(({ k }) => best[k] as number);
    ranks.push(Math.max(ranks[i - 1] ?? 1, ...group));
  }
  return entries.map((_, i) => ({ rank: ranks[i], best: best[i], worst: worst[i] }));
}

/** A randomized leaderboard: clusters of near-equal entries, exact ties, wide and narrow noise. */
function randomEntries(random: SeededRandom, n: number, resamples: number): RankInput[] {
  const shared = Float64Array.from({ length: resamples }, () => random.normal());
  const entries: RankInput[] = [];
  let level = random.uniform(0.5, 0.9);
  for (let i = 0; i < n; i++) {
    const kind = random.int(0, 9);
    // A tie copies the entry above exactly; a near-tie sits a hair below it.
    if (kind === 0 && entries.length > 0) {
      entries.push(entries[entries.length - 1] as RankInput);
      continue;
    }
    level -= kind <= 3 ? random.uniform(0, 0.002) : random.uniform(0, 0.05);
    const width = kind % 2 === 0 ? random.uniform(0.001, 0.005) : random.uniform(0.02, 0.08);
    const skew = kind === 9 ? random.uniform(-0.03, 0.03) : 0;
    const replicates = Float64Array.from(
      { length: resamples },
      (_, b) => level + skew + width * (0.7 * (shared[b] as number) + 0.7 * random.normal()),
    );
    entries.push({ average: level, replicates });
  }
  return entries.sort((a, b) => b.average - a.average);
}

describe('rankByPairedBootstrap', () => {
  it('gives the ranks and intervals of the definition read literally, on 300 random leaderboards', () => {
    const random = new SeededRandom(11, 'rank-rule');
    for (let trial = 0; trial < 300; trial++) {
      const n = random.int(1, 40);
      const entries = randomEntries(random, n, random.int(0, 1) === 0 ? 200 : 1000);
      const outcomes = rankByPairedBootstrap(entries);
      const expected = referenceRanks(entries);
      expect(
        outcomes.map((outcome) => ({
          rank: outcome.rank,
          best: outcome.rankInterval?.best,
          worst: outcome.rankInterval?.worst,
        })),
        `trial ${trial}`,
      ).toEqual(expected);
    }
  });

  it('keeps every rank inside its interval, non-decreasing down the table, shared by equal averages', () => {
    const random = new SeededRandom(12, 'rank-properties');
    for (let trial = 0; trial < 300; trial++) {
      const entries = randomEntries(random, random.int(1, 80), 500);
      const outcomes = rankByPairedBootstrap(entries);
      outcomes.forEach((outcome, i) => {
        const interval = outcome.rankInterval;
        expect(interval).not.toBeNull();
        if (!interval) {
          return;
        }
        expect(interval.best).toBeGreaterThanOrEqual(1);
        expect(interval.worst).toBeLessThanOrEqual(entries.length);
        expect(outcome.rank).toBeGreaterThanOrEqual(interval.best);
        expect(outcome.rank).toBeLessThanOrEqual(interval.worst);
        if (i > 0) {
          expect(outcome.rank).toBeGreaterThanOrEqual((outcomes[i - 1] as typeof outcome).rank);
          if (entries[i]?.average === entries[i - 1]?.average) {
            expect(outcome.rank).toBe((outcomes[i - 1] as typeof outcome).rank);
          }
        }
        // The entries that beat it are above it, and number one less than its best rank.
        const beaten = outcome.beatenBy;
        expect(beaten).not.toBeNull();
        const positions = [
          ...Array.from({ length: beaten?.leading ?? 0 }, (_, k) => k + 1),
          ...parsePositions(beaten?.others ?? ''),
        ];
        expect(positions.length + 1).toBe(interval.best);
        expect(positions.every((position) => position <= i)).toBe(true);
      });
    }
  });

  it('falls back to competition ranks, claiming nothing more, without resamples', () => {
    expect(
      rankByPairedBootstrap([
        { average: 0.8, replicates: null },
        { average: 0.8, replicates: null },
        { average: 0.5, replicates: null },
      ]),
    ).toEqual([
      { rank: 1, rankInterval: null, beatenBy: null },
      { rank: 1, rankInterval: null, beatenBy: null },
      { rank: 3, rankInterval: null, beatenBy: null },
    ]);
  });
});

/**
 * 30 entries as a real board might have them: a clear leader; a cluster of five entries within
 * 0.005 of each other and noisier than that; twenty entries spaced 0.01 apart with narrow
 * resamples; four far behind.
 */
function thirtyEntries(): RankInput[] {
  const random = new SeededRandom(30, 'thirty');
  const resamples = 1000;
  const shared = Float64Array.from({ length: resamples }, () => random.normal());
  const entry = (average: number, width: number): RankInput => ({
    average,
    replicates: Float64Array.from(
      { length: resamples },
      (_, b) => average + width * (0.6 * (shared[b] as number) + 0.8 * random.normal()),
    ),
  });
  return [
    entry(0.9, 0.005),
    ...[0.7, 0.699, 0.698, 0.696, 0.695].map((average) => entry(average, 0.02)),
    ...Array.from({ length: 20 }, (_, i) => entry(0.6 - 0.01 * i, 0.001)),
    ...[0.3, 0.29, 0.28, 0.27].map((average) => entry(average, 0.001)),
  ];
}

describe('a 30-entry board', () => {
  const outcomes = rankByPairedBootstrap(thirtyEntries());
  const shown = outcomes.map((outcome) => [
    outcome.rank,
    outcome.rankInterval?.best,
    outcome.rankInterval?.worst,
  ]);

  it('ranks the clear leader 1 with interval 1-1', () => {
    expect(shown[0]).toEqual([1, 1, 1]);
  });

  it('gives the five near-tied entries one shared rank and the same interval', () => {
    expect(shown.slice(1, 6)).toEqual(new Array(5).fill([2, 2, 6]));
  });

  it('separates the narrow, well-spaced entries one by one, below the cluster', () => {
    expect(shown.slice(6, 26)).toEqual(Array.from({ length: 20 }, (_, i) => [7 + i, 7 + i, 7 + i]));
    expect(shown.slice(26)).toEqual([
      [27, 27, 27],
      [28, 28, 28],
      [29, 29, 29],
      [30, 30, 30],
    ]);
  });
});

describe('buildRanking', () => {
  const outcome = (score: number, replicates: number[]): TaskOutcome => ({
    score,
    interval: null,
    replicates,
  });
  const results: Record<string, Record<string, TaskOutcome>> = {
    complete: { a: outcome(0.9, [0.9, 0.91, 0.89]), b: outcome(0.7, [0.7, 0.7, 0.71]) },
    runnerUp: { a: outcome(0.5, [0.5, 0.49, 0.51]), b: outcome(0.5, [0.5, 0.5, 0.5]) },
    partial: { a: outcome(1, [1, 1, 1]) },
    nothing: {},
  };
  const ranking = buildRanking(
    [
      { id: 'a', weight: 3 },
      { id: 'b', weight: 1 },
    ],
    ['nothing', 'partial', 'runnerUp', 'complete'],
    (submission, task) => results[submission]?.[task] ?? null,
  );

  it('ranks only complete entries, then lists incomplete and pending ones without a rank', () => {
    expect(
      ranking.standings.map((standing) => [
        standing.submission,
        standing.status,
        standing.rank,
        standing.average === null ? null : Number(standing.average.toFixed(9)),
        standing.coverage.done,
      ]),
    ).toEqual([
      ['complete', 'ranked', 1, 0.85, 2],
      ['runnerUp', 'ranked', 2, 0.5, 2],
      // A partial average of 1.000 must not outrank anything: it is listed below, unranked.
      ['partial', 'incomplete', null, 1, 1],
      ['nothing', 'pending', null, null, 0],
    ]);
  });

  it('marks the best entry, and none when every ranked entry has the top score', () => {
    expect(ranking.best).toEqual(['complete']);
    const tie = buildRanking([{ id: 'a', weight: 1 }], ['x', 'y'], () => outcome(0, [0, 0, 0]));
    expect(tie.best).toEqual([]);
    expect(tie.standings.map((standing) => standing.rank)).toEqual([1, 1]);
  });
});

describe('position ranges', () => {
  it('write sorted positions as ranges and read them back', () => {
    expect(formatPositions([3, 4, 5, 8, 10, 11])).toBe('3-5,8,10-11');
    expect(formatPositions([])).toBe('');
    expect(parsePositions('3-5,8,10-11')).toEqual([3, 4, 5, 8, 10, 11]);
    expect(parsePositions('')).toEqual([]);
  });
});

describe('paretoFront', () => {
  it('keeps the entries no other entry beats on both score and cost', () => {
    const points = [
      { submission: 'small-good', score: 0.8, cost: 10 },
      { submission: 'big-better', score: 0.9, cost: 100 },
      { submission: 'big-worse', score: 0.7, cost: 50 },
      { submission: 'same-as-small', score: 0.8, cost: 10 },
    ];
    expect(paretoFront(points, 'lower')).toEqual(['big-better', 'same-as-small', 'small-good']);
    expect(paretoFront(points, 'higher')).toEqual(['big-better']);
  });
});

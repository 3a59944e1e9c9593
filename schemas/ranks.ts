/**
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
import { BEATS_PERCENT } from './protocols.ts';

/** 1 + the number of values strictly greater than `values[i]`: equal values share a rank. */
export function competitionRanks(values: readonly number[]): number[] {
  return values.map((value) => 1 + values.filter((other) => other > value).length);
}

/** Share of paired resamples an entry must win to beat another (97.5 / 100 is exactly 0.975). */
export const BEATS_SHARE = BEATS_PERCENT / 100;

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

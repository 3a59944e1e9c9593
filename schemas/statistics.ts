/**
 * The statistics of scoring: X-ARES's weighted average, percentiles as numpy computes them, the
 * 95% bootstrap interval, and the paired replicates of an average. Shared by the pipeline (task
 * scores and their intervals) and the rankings built from them.
 */
import { INTERVAL_PERCENT } from './protocols.ts';

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

/** Percentile at the lower end of the interval: (100 - 95) / 2 is exactly 2.5. */
const INTERVAL_TAIL = (100 - INTERVAL_PERCENT) / 2;

/** The 95% (INTERVAL_PERCENT) percentile interval of bootstrap replicates. */
export function interval95(replicates: ArrayLike<number>): ScoreInterval {
  const sorted = Float64Array.from(replicates).sort();
  if (sorted.length === 0) {
    throw new RangeError('percentile of an empty set');
  }
  return {
    low: sortedPercentile(sorted, INTERVAL_TAIL),
    high: sortedPercentile(sorted, 100 - INTERVAL_TAIL),
  };
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

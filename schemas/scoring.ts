/**
 * The scoring formula, shared by the pipeline (which computes the leaderboard) and the site
 * (which recomputes archived averages to compare them with what was printed).
 */

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

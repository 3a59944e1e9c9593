/**
 * Average precision with scikit-learn's semantics, which X-ARES uses through ignite, and the
 * one implementation of it in the pipeline (the bootstrap's replicates use it too):
 * - `averagePrecision`: sklearn.metrics.average_precision_score for one class: the step-wise
 *   sum over distinct score thresholds of (R_k - R_{k-1}) * P_k, tied scores forming one
 *   threshold; a class without positives scores 0 (sklearn sets recall to 1 everywhere, so the
 *   sum is empty, and warns).
 * - `meanAveragePrecision`: the macro average over classes (average="macro"), classes without
 *   positives included.
 * - `weightedMeanAveragePrecision`: the same with item i counted `counts[i]` times, which is
 *   what a bootstrap resample is; the ranking is sorted once and reused for every resample.
 */

/**
 * Macro mAP of `scores` [n, classes] (row-major) against 0/1 `targets` of the same shape, as a
 * function of the items' multiplicities.
 */
export function weightedMeanAveragePrecision(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  classes: number,
): (counts: ArrayLike<number>) => number {
  const n = targets.length / classes;
  // Per class: item indices by decreasing score, and where each group of tied scores ends.
  const orders = Array.from({ length: classes }, (_, c) => {
    const order = Int32Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => (scores[b * classes + c] as number) - (scores[a * classes + c] as number),
    );
    const groupEnds: number[] = [];
    for (let k = 0; k < n; k++) {
      const next = order[k + 1];
      if (
        next === undefined ||
        scores[next * classes + c] !== scores[(order[k] as number) * classes + c]
      ) {
        groupEnds.push(k + 1);
      }
    }
    return { order, groupEnds };
  });
  return (counts) => {
    let total = 0;
    for (let c = 0; c < classes; c++) {
      const { order, groupEnds } = orders[c] as { order: Int32Array; groupEnds: number[] };
      let positives = 0;
      for (let i = 0; i < n; i++) {
        positives += (targets[i * classes + c] as number) > 0 ? (counts[i] as number) : 0;
      }
      if (positives === 0) {
        continue;
      }
      let truePositives = 0;
      let seen = 0;
      let previousRecall = 0;
      let start = 0;
      for (const end of groupEnds) {
        for (let k = start; k < end; k++) {
          const item = order[k] as number;
          const count = counts[item] as number;
          seen += count;
          truePositives += (targets[item * classes + c] as number) > 0 ? count : 0;
        }
        start = end;
        if (seen === 0) {
          continue;
        }
        const recall = truePositives / positives;
        total += (recall - previousRecall) * (truePositives / seen);
        previousRecall = recall;
      }
    }
    return total / classes;
  };
}

/**
 * Macro mAP of `scores` [n, classes] (row-major) against a 0/1 `targets` matrix of the same shape.
 */
export function meanAveragePrecision(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  classes: number,
): number {
  const n = targets.length / classes;
  if (!Number.isInteger(n) || scores.length !== targets.length || n === 0) {
    throw new RangeError(
      `mean average precision: ${scores.length} scores and ${targets.length} targets for ${classes} classes`,
    );
  }
  return weightedMeanAveragePrecision(scores, targets, classes)(new Uint32Array(n).fill(1));
}

/** Average precision of `scores` against 0/1 `targets` (same length). */
export function averagePrecision(scores: ArrayLike<number>, targets: ArrayLike<number>): number {
  return meanAveragePrecision(scores, targets, 1);
}

/**
 * X-ARES `EER`: scikit-learn's default ROC (collinear points dropped), the point where
 * |FNR - FPR| is smallest (first on ties), EER = (FPR + FNR) / 2 there.
 */

/**
 * Equal error rate of detection `scores` against 0/1 `targets` (positive = 1), as X-ARES
 * `compute_eer` computes it through scikit-learn's `roc_curve` with its defaults:
 * 1. one ROC point per distinct score, from the highest down (cumulative false and true positives);
 * 2. `drop_intermediate=True`: a point is dropped when it lies on the straight line through its
 *    neighbours (the second differences of both counts are 0); the first and last always stay;
 * 3. the point (0, 0) is prepended;
 * 4. EER = (FPR + FNR) / 2 at the first point where |FNR - FPR| is smallest.
 * Step 2 changes the value whenever the point closest to FPR = FNR lies inside a straight
 * stretch of the curve, so it is part of the metric, not an optimisation.
 */
export function equalErrorRate(scores: ArrayLike<number>, targets: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  const falsePositives: number[] = [];
  const truePositives: number[] = [];
  let fp = 0;
  let tp = 0;
  for (let i = 0; i < n;) {
    const threshold = scores[order[i] as number] as number;
    while (i < n && scores[order[i] as number] === threshold) {
      if ((targets[order[i] as number] as number) > 0) {
        tp++;
      } else {
        fp++;
      }
      i++;
    }
    falsePositives.push(fp);
    truePositives.push(tp);
  }
  if (tp === 0 || fp === 0) {
    throw new RangeError('equal error rate needs both positive and negative items');
  }
  const last = falsePositives.length - 1;
  const kept = falsePositives
    .map((_, k) => k)
    .filter((k) => {
      if (k === 0 || k === last) {
        return true;
      }
      const corner = (counts: readonly number[]) =>
        (counts[k + 1] as number) - 2 * (counts[k] as number) + (counts[k - 1] as number) !== 0;
      return corner(falsePositives) || corner(truePositives);
    });
  let best = { gap: Infinity, eer: 0 };
  for (const [fpCount, tpCount] of [
    [0, 0],
    ...kept.map((k) => [falsePositives[k], truePositives[k]]),
  ]) {
    const fpr = (fpCount as number) / fp;
    const fnr = 1 - (tpCount as number) / tp;
    const gap = Math.abs(fnr - fpr);
    if (gap < best.gap) {
      best = { gap, eer: (fpr + fnr) / 2 };
    }
  }
  return best.eer;
}

/**
 * Accuracy as ignite's `Accuracy` computes it on logits: the predicted class is the index of the
 * largest score (the first one on ties), compared with the integer label.
 */

/** Index of the largest of `scores[offset .. offset + width)`, the first one on ties. */
export function argmax(scores: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  let bestValue = scores[offset] as number;
  for (let c = 1; c < width; c++) {
    const value = scores[offset + c] as number;
    if (value > bestValue) {
      best = c;
      bestValue = value;
    }
  }
  return best;
}

/** Fraction of rows of `scores` ([n, classes], row-major) whose argmax equals the label. */
export function accuracy(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
): number {
  const n = labels.length;
  if (n === 0) {
    throw new RangeError('accuracy of an empty set is undefined');
  }
  if (scores.length !== n * classes) {
    throw new RangeError(`accuracy: ${scores.length} scores for ${n} labels x ${classes} classes`);
  }
  let correct = 0;
  for (let i = 0; i < n; i++) {
    if (argmax(scores, i * classes, classes) === labels[i]) {
      correct++;
    }
  }
  return correct / n;
}

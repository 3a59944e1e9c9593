/**
 * Bootstrap confidence intervals over test items. A resample draws n items with replacement,
 * represented as the multiplicity of every item; each metric recomputes itself from those
 * multiplicities. The draws depend only on the task, the fold and the replicate number (never on
 * the submission), so every submission is scored on the same resamples: the bootstrap is paired,
 * which is what makes rank intervals meaningful.
 */
import { BOOTSTRAP_REPLICATES } from '../../schemas/protocols.ts';
import { SeededRandom } from '../util/random.ts';
import { weightedMeanAveragePrecision } from './average-precision.ts';
import { equalErrorRate } from './equal-error-rate.ts';
import { segmentF1, type SegmentCounts } from './segments.ts';

export { BOOTSTRAP_REPLICATES };

/** A metric evaluated on one test set: the score, and its value on a resample. */
export interface Evaluation {
  readonly score: number;
  readonly items: number;
  /** The metric with item i counted `counts[i]` times. */
  replicate(counts: Uint32Array): number;
}

/** Multiplicities of `n` items drawn `n` times with replacement. */
export function resampleCounts(rng: SeededRandom, n: number): Uint32Array {
  const counts = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const item = rng.int(0, n - 1);
    counts[item] = (counts[item] as number) + 1;
  }
  return counts;
}

export {
  interval95,
  percentile,
  type ScoreInterval as Interval,
} from '../../schemas/statistics.ts';

/**
 * Replicates of a task score that is the mean of its folds' scores: replicate b is the mean of
 * every fold's metric on that fold's b-th resample. `streamLabel` names the task.
 */
export function bootstrapFolds(
  folds: readonly { readonly id: string; readonly evaluation: Evaluation }[],
  seed: number,
  streamLabel: string,
  replicates = BOOTSTRAP_REPLICATES,
): Float64Array {
  const out = new Float64Array(replicates);
  for (const { id, evaluation } of folds) {
    const rng = new SeededRandom(seed, `${streamLabel}/${id}/bootstrap`);
    for (let b = 0; b < replicates; b++) {
      out[b] =
        (out[b] as number) +
        evaluation.replicate(resampleCounts(rng, evaluation.items)) / folds.length;
    }
  }
  return out;
}

// --- evaluations of each metric ----------------------------------------------------------------

function weightedMean(values: ArrayLike<number>, counts: Uint32Array): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    sum += (values[i] as number) * (counts[i] as number);
    total += counts[i] as number;
  }
  return total > 0 ? sum / total : 0;
}

/** Accuracy from per-item correctness (1 or 0). */
export function accuracyEvaluation(correct: Uint8Array): Evaluation {
  const ones = new Uint32Array(correct.length).fill(1);
  return {
    score: weightedMean(correct, ones),
    items: correct.length,
    replicate: (counts) => weightedMean(correct, counts),
  };
}

/**
 * Macro mAP of `scores` [n, classes] against 0/1 `targets`, on item multiplicities.
 */
export function meanAveragePrecisionEvaluation(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  classes: number,
): Evaluation {
  const n = targets.length / classes;
  const compute = weightedMeanAveragePrecision(scores, targets, classes);
  return { score: compute(new Uint32Array(n).fill(1)), items: n, replicate: compute };
}

/** Segment F1 from per-clip counts: `perClip[i]` holds TP, FP, FN of every class for clip i. */
export function segmentF1Evaluation(
  perClip: readonly SegmentCounts[],
  average: 'macro' | 'micro',
): Evaluation {
  const classes = perClip[0]?.truePositives.length ?? 0;
  const compute = (counts: Uint32Array) => {
    const total = {
      truePositives: new Float64Array(classes),
      falsePositives: new Float64Array(classes),
      falseNegatives: new Float64Array(classes),
    };
    perClip.forEach((clip, i) => {
      const weight = counts[i] as number;
      for (let c = 0; c < classes; c++) {
        total.truePositives[c] =
          (total.truePositives[c] as number) + weight * (clip.truePositives[c] as number);
        total.falsePositives[c] =
          (total.falsePositives[c] as number) + weight * (clip.falsePositives[c] as number);
        total.falseNegatives[c] =
          (total.falseNegatives[c] as number) + weight * (clip.falseNegatives[c] as number);
      }
    });
    return segmentF1(total, average);
  };
  return {
    score: compute(new Uint32Array(perClip.length).fill(1)),
    items: perClip.length,
    replicate: compute,
  };
}

/**
 * Recall@1 resampled by clip: `audioHits[i]` is clip i's audio-to-text hit, `textHits[i]` the
 * number of its captions whose best clip is clip i.
 */
export function recallEvaluation(
  audioHits: Uint8Array,
  textHits: Uint8Array,
  captionsPerClip: number,
): Evaluation {
  const compute = (counts: Uint32Array) => {
    let clips = 0;
    let audio = 0;
    let text = 0;
    for (let i = 0; i < counts.length; i++) {
      const weight = counts[i] as number;
      clips += weight;
      audio += weight * (audioHits[i] as number);
      text += weight * (textHits[i] as number);
    }
    return clips === 0 ? 0 : (audio / clips + text / (clips * captionsPerClip)) / 2;
  };
  return {
    score: compute(new Uint32Array(audioHits.length).fill(1)),
    items: audioHits.length,
    replicate: compute,
  };
}

/** iWER from per-utterance word errors and reference lengths. */
export function inverseWerEvaluation(errors: Uint32Array, referenceWords: Uint32Array): Evaluation {
  const compute = (counts: Uint32Array) => {
    let wrong = 0;
    let total = 0;
    for (let i = 0; i < counts.length; i++) {
      wrong += (counts[i] as number) * (errors[i] as number);
      total += (counts[i] as number) * (referenceWords[i] as number);
    }
    return total === 0 ? 0 : Math.max(0, 1 - wrong / total);
  };
  return {
    score: compute(new Uint32Array(errors.length).fill(1)),
    items: errors.length,
    replicate: compute,
  };
}

/**
 * 1 - EER of detection scores against 0/1 targets. A resample is materialised (each item
 * repeated by its multiplicity) because the ROC is defined over items; 0.5 when a resample
 * lacks positives or negatives, where the equal error rate is undefined.
 */
export function equalErrorRateEvaluation(scores: Float64Array, positives: Uint8Array): Evaluation {
  const compute = (counts: Uint32Array) => {
    const repeatedScores: number[] = [];
    const repeatedTargets: number[] = [];
    for (let i = 0; i < counts.length; i++) {
      for (let k = 0; k < (counts[i] as number); k++) {
        repeatedScores.push(scores[i] as number);
        repeatedTargets.push(positives[i] as number);
      }
    }
    const hasBoth = repeatedTargets.includes(1) && repeatedTargets.includes(0);
    return hasBoth ? 1 - equalErrorRate(repeatedScores, repeatedTargets) : 0.5;
  };
  return {
    // The full test set must hold both kinds of items; equalErrorRate says so when it does not.
    score: 1 - equalErrorRate(scores, positives),
    items: scores.length,
    replicate: compute,
  };
}

import { describe, expect, it } from 'vitest';
import {
  accuracyEvaluation,
  bootstrapFolds,
  interval95,
  inverseWerEvaluation,
  meanAveragePrecisionEvaluation,
  percentile,
  recallEvaluation,
  resampleCounts,
  segmentF1Evaluation,
} from '../../../pipeline/metrics/bootstrap.ts';
import { meanAveragePrecision } from '../../../pipeline/metrics/average-precision.ts';
import { segmentCounts, segmentF1 } from '../../../pipeline/metrics/segments.ts';
import { SeededRandom } from '../../../pipeline/util/random.ts';

describe('resampleCounts', () => {
  it('draws n items with replacement, the same way for the same stream', () => {
    const counts = resampleCounts(new SeededRandom(1, 'x'), 50);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(50);
    expect(resampleCounts(new SeededRandom(1, 'x'), 50)).toEqual(counts);
    expect(resampleCounts(new SeededRandom(2, 'x'), 50)).not.toEqual(counts);
  });
});

describe('percentile (numpy linear interpolation)', () => {
  it('interpolates between order statistics', () => {
    // numpy.percentile([1, 2, 3, 4], 25) = 1.75; ([1, 2, 3, 4], 97.5) = 3.925.
    expect(percentile([4, 1, 3, 2], 25)).toBeCloseTo(1.75, 12);
    expect(percentile([4, 1, 3, 2], 97.5)).toBeCloseTo(3.925, 12);
    expect(interval95([5])).toEqual({ low: 5, high: 5 });
  });
});

describe('metric evaluations on multiplicities', () => {
  const rng = new SeededRandom(3, 'data');
  const n = 40;
  const classes = 3;
  const scores = Float64Array.from({ length: n * classes }, () => Math.round(rng.normal() * 4) / 4); // coarse: many ties
  const targets = Float64Array.from({ length: n * classes }, () => (rng.float() < 0.3 ? 1 : 0));

  it('mAP on multiplicities equals mAP of the items written out that many times', () => {
    const evaluation = meanAveragePrecisionEvaluation(scores, targets, classes);
    expect(evaluation.score).toBeCloseTo(meanAveragePrecision(scores, targets, classes), 12);
    const counts = resampleCounts(new SeededRandom(4, 'resample'), n);
    const expandedScores: number[] = [];
    const expandedTargets: number[] = [];
    counts.forEach((count, i) => {
      for (let k = 0; k < count; k++) {
        expandedScores.push(...scores.subarray(i * classes, (i + 1) * classes));
        expandedTargets.push(...targets.subarray(i * classes, (i + 1) * classes));
      }
    });
    expect(evaluation.replicate(counts)).toBeCloseTo(
      meanAveragePrecision(expandedScores, expandedTargets, classes),
      12,
    );
  });

  it('accuracy, segment F1, Recall@1 and iWER give their score when every item counts once', () => {
    const correct = Uint8Array.of(1, 0, 1, 1);
    expect(accuracyEvaluation(correct).score).toBe(0.75);
    expect(accuracyEvaluation(correct).replicate(Uint32Array.of(2, 2, 0, 0))).toBe(0.5);

    const clips = [
      { frames: 2, logits: [1, -1, -1, 1], targets: [1, 0, 0, 1] },
      { frames: 2, logits: [1, 1, -1, -1], targets: [0, 1, 0, 0] },
    ];
    const perClip = clips.map((clip) => segmentCounts([clip], 2, 1));
    const whole = segmentCounts(clips, 2, 1);
    for (const average of ['macro', 'micro'] as const) {
      const evaluation = segmentF1Evaluation(perClip, average);
      expect(evaluation.score).toBeCloseTo(segmentF1(whole, average), 12);
      expect(evaluation.replicate(Uint32Array.of(2, 0))).toBeCloseTo(
        segmentF1(
          segmentCounts(
            [clips[0], clips[0]].filter((clip) => clip !== undefined),
            2,
            1,
          ),
          average,
        ),
        12,
      );
    }

    // Two clips with 2 captions each: clip 0 a2t hit and both captions hit; clip 1 a2t miss, one caption hit.
    const recall = recallEvaluation(Uint8Array.of(1, 0), Uint8Array.of(2, 1), 2);
    expect(recall.score).toBeCloseTo((1 / 2 + 3 / 4) / 2, 12);
    expect(recall.replicate(Uint32Array.of(0, 2))).toBeCloseTo((0 + 1 / 2) / 2, 12);

    const wer = inverseWerEvaluation(Uint32Array.of(1, 0, 4), Uint32Array.of(2, 3, 5));
    expect(wer.score).toBeCloseTo(1 - 5 / 10, 12);
    expect(wer.replicate(Uint32Array.of(0, 1, 1))).toBeCloseTo(1 - 4 / 8, 12);
  });
});

describe('bootstrapFolds', () => {
  const evaluation = accuracyEvaluation(
    Uint8Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 0 : 1)),
  );

  it('is paired: the same task and fold give the same replicates for every submission', () => {
    const a = bootstrapFolds([{ id: '0', evaluation }], 42, 'task', 200);
    const b = bootstrapFolds([{ id: '0', evaluation }], 42, 'task', 200);
    expect(a).toEqual(b);
    expect(bootstrapFolds([{ id: '0', evaluation }], 42, 'other-task', 200)).not.toEqual(a);
  });

  it('centres the interval on the score with the binomial spread', () => {
    const replicates = bootstrapFolds([{ id: '0', evaluation }], 42, 'task');
    const { low, high } = interval95(replicates);
    // Accuracy 0.75 on 200 items: standard error sqrt(0.75 * 0.25 / 200) = 0.0306; 95% half-width about 0.06.
    expect(low).toBeGreaterThan(0.75 - 0.09);
    expect(low).toBeLessThan(0.75 - 0.03);
    expect(high).toBeGreaterThan(0.75 + 0.03);
    expect(high).toBeLessThan(0.75 + 0.09);
  });

  it('averages folds replicate by replicate', () => {
    const perfect = accuracyEvaluation(new Uint8Array(10).fill(1));
    const replicates = bootstrapFolds(
      [
        { id: '0', evaluation: perfect },
        { id: '1', evaluation: accuracyEvaluation(new Uint8Array(10)) },
      ],
      1,
      'task',
      50,
    );
    expect(Array.from(replicates).every((value) => value === 0.5)).toBe(true);
  });
});

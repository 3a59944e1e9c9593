import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  meanAveragePrecision,
} from '../../../pipeline/metrics/average-precision.ts';

describe('averagePrecision (sklearn average_precision_score, one class)', () => {
  it('matches the sklearn documentation example', () => {
    // sklearn docs: y_true [0, 0, 1, 1], y_scores [0.1, 0.4, 0.35, 0.8] -> 0.8333...
    // Thresholds 0.8: P 1, R 0.5; 0.4: P 1/2, R 0.5; 0.35: P 2/3, R 1 -> 0.5 * 1 + 0 + 0.5 * 2/3 = 5/6.
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(5 / 6, 12);
  });

  it('treats tied scores as one threshold', () => {
    // Scores 0.9 (pos), 0.5 (pos), 0.5 (neg), 0.1 (pos). Thresholds: 0.9: P 1, R 1/3;
    // 0.5: P 2/3, R 2/3; 0.1: P 3/4, R 1 -> 1/3 * 1 + 1/3 * 2/3 + 1/3 * 3/4 = 29/36.
    expect(averagePrecision([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 1])).toBeCloseTo(29 / 36, 12);
    // The order of tied items must not matter.
    expect(averagePrecision([0.9, 0.5, 0.5, 0.1], [1, 0, 1, 1])).toBeCloseTo(29 / 36, 12);
  });

  it('is 1 for a perfect ranking, the precision at full recall when every score ties, 0 without positives', () => {
    expect(averagePrecision([3, 2, 1, 0], [1, 1, 0, 0])).toBe(1);
    // All scores tied: one threshold, P = 2/4 at R = 1.
    expect(averagePrecision([1, 1, 1, 1], [1, 0, 1, 0])).toBe(0.5);
    expect(averagePrecision([0.3, 0.2], [0, 0])).toBe(0);
  });
});

describe('meanAveragePrecision (macro over classes)', () => {
  it('averages the per-class APs, classes without positives counting 0', () => {
    // Class 0: scores [0.1, 0.4, 0.35, 0.8], targets [0, 0, 1, 1] -> 5/6.
    // Class 1: scores [0.9, 0.1, 0.2, 0.3], targets [1, 0, 0, 0] -> 1.
    // Class 2: no positives -> 0.  Mean = (5/6 + 1 + 0) / 3 = 11/18.
    const scores = [0.1, 0.9, 0.5, 0.4, 0.1, 0.5, 0.35, 0.2, 0.5, 0.8, 0.3, 0.5];
    const targets = [0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0];
    expect(meanAveragePrecision(scores, targets, 3)).toBeCloseTo(11 / 18, 12);
  });

  it('refuses mismatched shapes', () => {
    expect(() => meanAveragePrecision([1, 2, 3], [1, 0], 2)).toThrow(RangeError);
  });
});

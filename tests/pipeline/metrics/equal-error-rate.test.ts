import { describe, expect, it } from 'vitest';
import { equalErrorRate } from '../../../pipeline/metrics/equal-error-rate.ts';

describe('equalErrorRate (X-ARES EER)', () => {
  it('is 0 for separable scores and finds the crossing otherwise', () => {
    expect(equalErrorRate([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(0);
    // Scores 0.9 (1), 0.7 (0), 0.6 (1), 0.2 (0). Thresholds: 0.9 -> FPR 0, FNR 1/2 (gap 1/2);
    // 0.7 -> FPR 1/2, FNR 1/2 (gap 0, EER 1/2).
    expect(equalErrorRate([0.9, 0.7, 0.6, 0.2], [1, 0, 1, 0])).toBe(0.5);
    // 0.9 (1), 0.8 (1), 0.7 (0), 0.6 (1), 0.1 (0), 0.05 (0): after 0.8 FPR 0, FNR 1/3 (gap 1/3);
    // after 0.7 FPR 1/3, FNR 1/3 (gap 0) -> EER 1/3.
    expect(equalErrorRate([0.9, 0.8, 0.7, 0.6, 0.1, 0.05], [1, 1, 0, 1, 0, 0])).toBeCloseTo(
      1 / 3,
      12,
    );
  });

  it('drops collinear ROC points as scikit-learn does by default, which changes the value', () => {
    // Three tied groups of (2 positives, 1 negative) at 0.9, 0.7, 0.5, then 5 negatives at 0.1:
    // P = 6, N = 8. Cumulative (FP, TP) per threshold: (1, 2), (2, 4), (3, 6), (8, 6).
    // (2, 4) lies on the line through (1, 2) and (3, 6): second differences 0 and 0, dropped.
    // Kept, with (0, 0) prepended, as (FPR, FNR): (0, 1), (1/8, 2/3), (3/8, 0), (1, 0).
    // Gaps |FNR - FPR|: 1, 13/24, 3/8, 1 -> the point (3/8, 0): EER = 3/16.
    // Keeping every threshold would add (1/4, 1/3), gap 1/12, and give EER 7/24 instead.
    const scores = [0.9, 0.9, 0.9, 0.7, 0.7, 0.7, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1];
    const targets = [1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0];
    expect(equalErrorRate(scores, targets)).toBe(3 / 16);
  });

  it('needs both classes', () => {
    expect(() => equalErrorRate([0.1, 0.2], [1, 1])).toThrow(RangeError);
  });
});

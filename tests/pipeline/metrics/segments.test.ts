import { describe, expect, it } from 'vitest';
import { framesPerSegment, segmentCounts, segmentF1 } from '../../../pipeline/metrics/segments.ts';

describe('framesPerSegment', () => {
  it('is ceil(segment / hop), as X-ARES computes it', () => {
    expect(framesPerSegment(1, 40)).toBe(25);
    expect(framesPerSegment(1, 20)).toBe(50);
    // 0.1 s at 40 ms: ceil(2.5) = 3 frames (0.12 s), as the protocol notes say for MAESTRO.
    expect(framesPerSegment(0.1, 40)).toBe(3);
    expect(framesPerSegment(0.1, 20)).toBe(5);
  });
});

describe('segment F1', () => {
  // One clip, 2 classes, 5 frames, segments of 2 frames (the 5th frame is dropped, floor mode).
  // Logits > 0 are positive; a logit of exactly 0 is negative (sigmoid 0.5 rounds to 0).
  const clip = {
    frames: 5,
    //          f0       f1       f2       f3       f4
    logits: [1, -1, -1, 0, -1, -1, -1, 2, 3, 3],
    targets: [0, 0, 1, 1, 0, 0, 0, 1, 1, 1],
  };
  // Segment 0 (f0, f1): class 0 predicted (f0) and true (f1) -> TP; class 1 predicted? logits -1, 0 -> no; true (f1) -> FN.
  // Segment 1 (f2, f3): class 0 predicted no, true no -> nothing; class 1 predicted (f3 = 2) and true (f3) -> TP.
  // f4 is dropped. Class 0: TP 1; class 1: TP 1, FN 1.
  const counts = segmentCounts([clip], 2, 2);

  it('max-pools decisions and targets per segment and drops trailing frames', () => {
    expect(Array.from(counts.truePositives)).toEqual([1, 1]);
    expect(Array.from(counts.falsePositives)).toEqual([0, 0]);
    expect(Array.from(counts.falseNegatives)).toEqual([0, 1]);
  });

  it('averages per class (macro) or pools counts (micro)', () => {
    // Class 0: F1 = 2/2 = 1; class 1: 2*1 / (2*1 + 0 + 1) = 2/3. Macro = 5/6; micro = 2*2 / (4 + 0 + 1) = 4/5.
    expect(segmentF1(counts, 'macro')).toBeCloseTo(5 / 6, 12);
    expect(segmentF1(counts, 'micro')).toBeCloseTo(4 / 5, 12);
  });

  it('gives a class with no true and no predicted segment F1 0 (sklearn zero_division default)', () => {
    const silent = segmentCounts(
      [{ frames: 2, logits: [1, -1, 1, -1], targets: [1, 0, 1, 0] }],
      2,
      2,
    );
    expect(segmentF1(silent, 'macro')).toBe(0.5);
    expect(segmentF1(silent, 'micro')).toBe(1);
  });
});

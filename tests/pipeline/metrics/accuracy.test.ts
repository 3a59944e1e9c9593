import { describe, expect, it } from 'vitest';
import { accuracy, argmax } from '../../../pipeline/metrics/accuracy.ts';

describe('accuracy', () => {
  it('counts rows whose highest score is the label', () => {
    const scores = Float32Array.of(0.1, 0.9, 0.0, 0.7, 0.2, 0.1, 0.3, 0.3, 0.4);
    expect(accuracy(scores, Int32Array.of(1, 0, 0), 3)).toBeCloseTo(2 / 3, 12);
  });

  it('resolves ties to the first maximum, like torch.argmax', () => {
    expect(argmax([1, 1, 0], 0, 3)).toBe(0);
    expect(accuracy([1, 1], Int32Array.of(1), 2)).toBe(0);
    expect(accuracy([1, 1], Int32Array.of(0), 2)).toBe(1);
  });

  it('refuses mismatched shapes and empty sets', () => {
    expect(() => accuracy([1, 2, 3], Int32Array.of(0), 2)).toThrow(RangeError);
    expect(() => accuracy([], new Int32Array(0), 2)).toThrow(RangeError);
  });
});

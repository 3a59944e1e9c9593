import { describe, expect, it } from 'vitest';
import { inverseWer, werCounts, wordEditDistance } from '../../../pipeline/metrics/wer.ts';

describe('word error rate (jiwer semantics)', () => {
  it('counts substitutions, deletions and insertions', () => {
    expect(wordEditDistance(['a', 'b', 'c'], ['a', 'x', 'c'])).toBe(1);
    expect(wordEditDistance(['a', 'b', 'c'], ['a', 'c'])).toBe(1);
    expect(wordEditDistance(['a', 'b'], ['a', 'b', 'c', 'd'])).toBe(2);
    expect(wordEditDistance([], ['a'])).toBe(1);
  });

  it('is a corpus WER: total errors over total reference words, lower-casing only', () => {
    // "HELLO WORLD" vs "hello word": 1 error / 2 words; "A B C" vs "a b c d": 1 / 3 -> 2 / 5.
    const counts = werCounts(['HELLO WORLD', 'A B C'], ['hello word', 'a b c d']);
    expect(counts).toEqual({ errors: 2, referenceWords: 5 });
    expect(inverseWer(counts)).toBeCloseTo(0.6, 12);
    // Punctuation is not stripped: "world." differs from "world".
    expect(werCounts(['hello world'], ['hello world.']).errors).toBe(1);
  });

  it('clips iWER at 0 when there are more errors than words', () => {
    expect(inverseWer(werCounts(['a'], ['x y z']))).toBe(0);
  });
});

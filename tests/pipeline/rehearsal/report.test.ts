import { describe, expect, it } from 'vitest';
import { aboveChance, atChance } from '../../../pipeline/rehearsal/report.ts';

describe('above chance, at chance', () => {
  it('asks for a fifth of the way from chance to the best score the test set allows', () => {
    // Accuracy, two balanced classes: 0.1 above chance.
    expect(aboveChance(0.6, 0.5, 1)).toBe(true);
    expect(aboveChance(0.59, 0.5, 1)).toBe(false);
    // FSD50K's mAP over 200 classes with 40 present: a perfect head scores 0.2, so 0.1 above
    // chance would ask for half the way; a fifth of it is 0.056 from a chance of 0.02.
    expect(aboveChance(0.06, 0.02, 0.2)).toBe(true);
    expect(aboveChance(0.05, 0.02, 0.2)).toBe(false);
    expect(aboveChance(null, 0.02, 0.2)).toBe(false);
  });

  it('calls a control at chance exactly when it is not above it', () => {
    expect(atChance(0.05, 0.02, 0.2)).toBe(true);
    expect(atChance(0.06, 0.02, 0.2)).toBe(false);
    expect(atChance(undefined, 0.02, 0.2)).toBe(false);
  });
});

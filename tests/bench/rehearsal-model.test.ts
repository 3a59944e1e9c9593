import { knnSeconds } from '../../bench/rehearsal.ts';
import { rehearsalDataset } from '../../pipeline/rehearsal/datasets.ts';
import { getTask } from '../../pipeline/tasks/registry.ts';
import { describe, expect, it } from 'vitest';
import {
  atHours,
  balancedLoad,
  fitLine,
  jobsWithin,
  proportionality,
  roundRobinLoad,
} from '../../bench/rehearsal-model.ts';

describe('the rehearsal bench arithmetic', () => {
  it('fits seconds = fixed + rate x hours and extrapolates it', () => {
    // 5 s fixed, 100 s per hour, measured at 0.1, 0.2 and 0.4 h.
    const points = [0.1, 0.2, 0.4].map((hours) => ({ hours, seconds: 5 + 100 * hours }));
    const line = fitLine(points);
    expect(line.intercept).toBeCloseTo(5, 10);
    expect(line.slope).toBeCloseTo(100, 10);
    expect(atHours(line, 352)).toBeCloseTo(35_205, 6);
    // Per-hour cost at 0.4 h over that at 0.1 h: (5/0.4 + 100) / (5/0.1 + 100).
    expect(proportionality(points)).toBeCloseTo(112.5 / 150, 10);
  });

  it('never extrapolates a negative fixed cost: the line goes through the largest point', () => {
    const line = fitLine([
      { hours: 1, seconds: 1 },
      { hours: 2, seconds: 4 },
    ]);
    expect(line).toEqual({ intercept: 0, slope: 2 });
  });

  it('never extrapolates a falling cost, nor separates fixed costs from data that did not grow', () => {
    // Noise on a task whose data barely grew: a negative slope would give negative hours.
    expect(
      fitLine([
        { hours: 0.2, seconds: 3.5 },
        { hours: 0.24, seconds: 3 },
        { hours: 0.36, seconds: 2.9 },
      ]),
    ).toEqual({ intercept: 0, slope: 2.9 / 0.36 });
    // Hours within a factor 1.5 of each other: seconds per hour at the largest, an upper bound.
    expect(
      fitLine([
        { hours: 0.2, seconds: 3 },
        { hours: 0.25, seconds: 5 },
      ]),
    ).toEqual({ intercept: 0, slope: 5 / 0.25 });
  });

  it('finds the fewest jobs whose round robin keeps the longest job within a limit', () => {
    const costs = [10, 1, 10, 1, 1, 1, 1, 1];
    expect(jobsWithin(costs, 13)).toBe(3);
    expect(roundRobinLoad(costs, 3).longest).toBeLessThanOrEqual(13);
    expect(roundRobinLoad(costs, 2).longest).toBeGreaterThan(13);
    // A single pair longer than the limit: no number of jobs helps.
    expect(jobsWithin([20, 1], 13)).toBeUndefined();
  });

  it("spreads pairs as plan's round robin does, and as the longest-first bound would", () => {
    // Eight pairs, two expensive ones two apart: round robin over 2 jobs gives job 1 both (10 + 10 + 1 + 1).
    const costs = [10, 1, 10, 1, 1, 1, 1, 1];
    expect(roundRobinLoad(costs, 2)).toEqual({ jobs: 2, longest: 22, total: 26 });
    expect(balancedLoad(costs, 2)).toEqual({ jobs: 2, longest: 13, total: 26 });
  });
});

describe('knnSeconds', () => {
  it('counts every test item against every training item, fold by fold, crops as items', () => {
    const rate = (5_000 * 100_000 * 768) / 4.01;
    // ESC-50: 5 folds of 400 clips, each held out against the other 1,600.
    expect(knnSeconds(rehearsalDataset('esc50'), getTask('esc50'), 768)).toBeCloseTo(
      (5 * 400 * 1600 * 768) / rate,
      9,
    );
    // LibriSpeech gender: 5 s crops of 12.3 s clips, two each; test against train.
    const gender = rehearsalDataset('librispeechmalefemale');
    expect(knnSeconds(gender, getTask('librispeechmalefemale'), 64)).toBeCloseTo(
      ((gender.clips['test'] ?? 0) * 2 * (gender.clips['train'] ?? 0) * 2 * 64) / rate,
      9,
    );
    // No Track B, no kNN.
    expect(knnSeconds(rehearsalDataset('fsd50k'), getTask('fsd50k'), 768)).toBe(0);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import {
  averageBars,
  averagesChart,
  comparisonChart,
  comparisonPoints,
  taskChart,
  taskPoints,
} from '../../src/lib/charts.ts';

const fixture = Leaderboard.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'leaderboard.json'), 'utf8')),
);

describe('averagesChart', () => {
  it('has one bar per submission and track', () => {
    const bars = averageBars(fixture);
    expect(bars).toHaveLength(fixture.tracks.A.rows.length + fixture.tracks.B.rows.length);
    expect(bars[0]?.average).toBe(fixture.tracks.A.rows[0]?.average);
  });

  it('renders the same SVG as the golden file', async () => {
    // Update on purpose with `npx vitest run tests/site/charts.test.ts -u` and review the diff.
    await expect(averagesChart(fixture)).toMatchFileSnapshot('golden/averages-chart.html');
  });

  it('escapes model names instead of emitting markup', () => {
    const hostile = structuredClone(fixture);
    const first = hostile.submissions[0];
    if (first) {
      first.modelName = '<img src=x onerror=alert(1)>';
    }
    const svg = averagesChart(hostile);
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('taskChart', () => {
  it('has one point per submission and track, with the interval of that score', () => {
    const points = taskPoints(fixture, 'demo_timbre');
    expect(points.map((point) => [point.track, point.label, point.score])).toEqual([
      ['Track A', 'Random transformer', 0.610421],
      ['Track A', 'Log-mel spectrogram', 0.53082],
      ['Track A', 'Random conv features', 0.463304],
      ['Track B', 'Random transformer', 0.529268],
      ['Track B', 'Log-mel spectrogram', 0.388914],
      ['Track B', 'Random conv features', 0.182927],
    ]);
    expect(points[0]).toMatchObject({ low: 0.560421, high: 0.660421, baseline: true });
  });

  it('leaves out a track that does not score the task', () => {
    const trackAOnly = structuredClone(fixture);
    trackAOnly.tracks.B.tasks = ['demo_sound_events'];
    expect(new Set(taskPoints(trackAOnly, 'demo_timbre').map((point) => point.track))).toEqual(
      new Set(['Track A']),
    );
  });

  it('renders the same SVG as the golden file', async () => {
    await expect(taskChart(fixture, 'demo_sound_events')).toMatchFileSnapshot(
      'golden/task-chart.html',
    );
  });
});

describe('comparisonChart', () => {
  it('puts each Track A score beside the best score and the best baseline score', () => {
    // Only log-mel and random-conv stay baselines; the best submission is the transformer.
    const mixed = structuredClone(fixture);
    for (const submission of mixed.submissions) {
      submission.baseline = submission.slug !== 'random-transformer';
    }
    expect(comparisonPoints(mixed, 'random-conv')).toEqual([
      { task: 'Demo sound events', series: 'this submission', score: 0.666667 },
      { task: 'Demo sound events', series: 'best submission', score: 0.783333 },
      { task: 'Demo sound events', series: 'baseline', score: 0.75 },
      { task: 'Demo timbre (5-fold)', series: 'this submission', score: 0.463304 },
      { task: 'Demo timbre (5-fold)', series: 'best submission', score: 0.610421 },
      { task: 'Demo timbre (5-fold)', series: 'baseline', score: 0.53082 },
    ]);
    expect(comparisonChart(mixed, 'random-conv')).toMatch(/^<figure[^>]*>.*<svg/s);
  });
});

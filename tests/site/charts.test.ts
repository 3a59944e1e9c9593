import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import {
  costChart,
  costPoints,
  rankedPoints,
  rankingChart,
  taskComparison,
  taskComparisonChart,
  truncate,
} from '../../src/lib/charts.ts';
import { expectGolden } from '../support/golden.ts';

const fixture = Leaderboard.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'leaderboard.json'), 'utf8')),
);
const options = { limit: 20, axis: 'Weighted average', label: 'averages' };

describe('rankingChart', () => {
  it('draws the ranked entries in rank order with their intervals, at most `limit` of them', () => {
    const points = rankedPoints(fixture, fixture.tracks.A.overall, 20);
    const standings = fixture.tracks.A.overall.standings;
    expect(points.map((point) => [point.key, point.average])).toEqual(
      standings.map((standing, index) => [
        `${index + 1}. ${points[index]?.label ?? ''}`,
        standing.average,
      ]),
    );
    expect(points[0]).toMatchObject({
      low: standings[0]?.averageInterval?.low,
      high: standings[0]?.averageInterval?.high,
    });
    expect(rankedPoints(fixture, fixture.tracks.A.overall, 2)).toHaveLength(2);
  });

  it('comes in a wide and a narrow layout, the narrow one with shorter labels', () => {
    const chart = rankingChart(fixture, fixture.tracks.A.overall, options);
    expect(chart.wide).toMatch(/width="720"/);
    expect(chart.narrow).toMatch(/width="350"/);
    expect(truncate('Random conv features', 12)).toBe('Random conv…');
  });

  it('renders the same SVG as the golden file', async () => {
    const chart = rankingChart(fixture, fixture.tracks.A.overall, options);
    await expectGolden('ranking-chart.html', chart.wide);
    await expectGolden('ranking-chart-narrow.html', chart.narrow);
  });

  it('escapes model names instead of emitting markup', () => {
    const hostile = structuredClone(fixture);
    const first = hostile.submissions[0];
    if (first) {
      first.modelName = '<img src=x onerror=alert(1)>';
    }
    const { wide } = rankingChart(hostile, hostile.tracks.A.overall, options);
    expect(wide).not.toContain('<img');
    expect(wide).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('taskComparisonChart', () => {
  it('puts each score beside the best score and the best baseline score of the task', () => {
    // Only log-mel and random-conv stay baselines; the best submission is the transformer.
    const mixed = structuredClone(fixture);
    for (const submission of mixed.submissions) {
      submission.baseline = submission.slug !== 'random-transformer';
    }
    const byTask = mixed.tracks.A.byTask;
    const top = (task: string, rank: number) =>
      byTask[task]?.standings.filter((standing) => standing.status === 'ranked')[rank]?.average;
    expect(
      taskComparison(mixed, mixed.tracks.A, 'random-conv').map((point) => [
        point.task,
        point.score,
        point.best,
        point.baseline,
      ]),
    ).toEqual([
      ['Demo sound events', 0.666667, top('demo_sound_events', 0), top('demo_sound_events', 1)],
      ['Demo timbre (5-fold)', 0.463304, top('demo_timbre', 0), top('demo_timbre', 1)],
    ]);
    expect(taskComparisonChart(mixed, mixed.tracks.A, 'random-conv').wide).toMatch(
      /^<svg [^>]*role="img"/,
    );
  });
});

describe('costChart', () => {
  it('draws every ranked entry with a cost and labels the front the pipeline marked', () => {
    const track = fixture.tracks.A;
    const points = costPoints(
      fixture,
      track,
      (slug) => fixture.submissions.find((item) => item.slug === slug)?.parameters ?? null,
      track.paretoParameters,
    );
    expect(
      points
        .filter((point) => point.front)
        .map((point) => point.submission)
        .sort(),
    ).toEqual(track.paretoParameters);
    const chart = costChart(points, {
      axis: 'Parameters',
      label: 'cost',
      format: String,
      better: 'lower',
    });
    for (const point of points.filter((entry) => entry.front)) {
      expect(chart.wide).toContain(truncate(point.label, 24));
    }
  });
});

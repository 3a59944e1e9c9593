import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { averageBars, averagesChart } from '../../src/lib/charts.ts';

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

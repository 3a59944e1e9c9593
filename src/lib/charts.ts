/**
 * Charts rendered to static SVG at build time with Observable Plot and a linkedom document, so
 * pages need no client-side charting code.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { Leaderboard } from '../../schemas/leaderboard.ts';

function documentForPlot(): Document {
  return parseHTML('<!doctype html><html><body></body></html>').document;
}

export interface AverageBar {
  readonly track: string;
  readonly label: string;
  readonly average: number;
  readonly baseline: boolean;
}

/** One bar per (track, submission): the weighted average, best first within each track. */
export function averageBars(leaderboard: Leaderboard): AverageBar[] {
  return (['A', 'B'] as const).flatMap((id) => {
    const track = leaderboard.tracks[id];
    return track.rows.map((row) => {
      const submission = leaderboard.submissions.find(
        (candidate) => candidate.slug === row.submission,
      );
      return {
        track: track.title,
        label: submission ? `${submission.team} · ${submission.modelName}` : row.submission,
        average: row.average,
        baseline: submission?.baseline ?? false,
      };
    });
  });
}

/** Horizontal bars of the weighted average per submission, one panel per track. */
export function averagesChart(leaderboard: Leaderboard): string {
  const bars = averageBars(leaderboard);
  const figure = Plot.plot({
    document: documentForPlot(),
    width: 720,
    marginLeft: 220,
    marginRight: 48,
    x: { domain: [0, 1], grid: true, label: 'Weighted average' },
    y: { label: null },
    fy: { label: null },
    color: {
      domain: [false, true],
      range: ['#2f6f9f', '#9aa5b1'],
      legend: true,
      tickFormat: (baseline: boolean) => (baseline ? 'baseline' : 'submission'),
    },
    marks: [
      Plot.barX(bars, {
        x: 'average',
        y: 'label',
        fy: 'track',
        fill: 'baseline',
        sort: { y: '-x' },
      }),
      Plot.text(bars, {
        x: 'average',
        y: 'label',
        fy: 'track',
        text: (bar: AverageBar) => bar.average.toFixed(3),
        dx: 4,
        textAnchor: 'start',
      }),
      Plot.ruleX([0]),
    ],
  });
  return figure.outerHTML;
}

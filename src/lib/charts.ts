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

/**
 * One bar per (track, submission): the weighted average. Bars are labelled by model name, with
 * the team added only where two submissions share a model name.
 */
export function averageBars(leaderboard: Leaderboard): AverageBar[] {
  const names = leaderboard.submissions.map((submission) => submission.modelName);
  const labelOf = (slug: string) => {
    const submission = leaderboard.submissions.find((candidate) => candidate.slug === slug);
    if (!submission) {
      return slug;
    }
    const shared = names.filter((name) => name === submission.modelName).length > 1;
    return shared ? `${submission.modelName} (${submission.team})` : submission.modelName;
  };
  return (['A', 'B'] as const).flatMap((id) =>
    leaderboard.tracks[id].rows.map((row) => ({
      track: `Track ${id}`,
      label: labelOf(row.submission),
      average: row.average,
      baseline:
        leaderboard.submissions.find((candidate) => candidate.slug === row.submission)?.baseline ??
        false,
    })),
  );
}

/** Horizontal bars of the weighted average per submission, one panel per track. */
export function averagesChart(leaderboard: Leaderboard): string {
  const bars = averageBars(leaderboard);
  const kinds = [...new Set(bars.map((bar) => bar.baseline))].sort();
  const longestLabel = Math.max(0, ...bars.map((bar) => bar.label.length));
  const figure = Plot.plot({
    document: documentForPlot(),
    width: 720,
    marginLeft: Math.min(260, 16 + 6 * longestLabel),
    marginRight: 72,
    x: { domain: [0, 1], grid: true, label: 'Weighted average' },
    y: { label: null },
    fy: { label: null },
    color: {
      domain: kinds,
      range: kinds.map((baseline) => (baseline ? '#8c96a3' : '#2f6f9f')),
      legend: kinds.length > 1,
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

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

/**
 * Renders a Plot figure as one image with a text alternative: the chart's SVG gets role="img" and
 * the label, and Plot's per-mark groups ("bar", "dot"), which carry aria-label without a role and
 * would be read as noise, are hidden from assistive technology. Every number drawn is also in a
 * table on the same page.
 */
function renderFigure(options: Plot.PlotOptions, label: string): string {
  const figure = Plot.plot({ ...options, document: documentForPlot(), ariaLabel: label });
  const svgs = [figure, ...Array.from(figure.querySelectorAll('svg'))].filter(
    (element) => element.tagName.toLowerCase() === 'svg' && element.getAttribute('aria-label'),
  );
  for (const svg of svgs) {
    svg.setAttribute('role', 'img');
  }
  for (const group of Array.from(figure.querySelectorAll('g[aria-label]'))) {
    group.setAttribute('aria-hidden', 'true');
  }
  return figure.outerHTML;
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
  return (['A', 'B'] as const).flatMap((id) =>
    leaderboard.tracks[id].rows.map((row) => ({
      track: `Track ${id}`,
      label: submissionLabel(leaderboard, row.submission),
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
  return renderFigure(
    {
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
    },
    'Bar chart of the weighted average of each submission in Track A and Track B; the tables below list the same values.',
  );
}

export interface TaskPoint {
  readonly track: string;
  readonly label: string;
  readonly score: number;
  readonly low: number;
  readonly high: number;
  readonly baseline: boolean;
}

function taskName(leaderboard: Leaderboard, taskId: string): string {
  return leaderboard.tasks.find((task) => task.id === taskId)?.name ?? taskId;
}

function submissionLabel(leaderboard: Leaderboard, slug: string): string {
  const submission = leaderboard.submissions.find((candidate) => candidate.slug === slug);
  if (!submission) {
    return slug;
  }
  const shared =
    leaderboard.submissions.filter((other) => other.modelName === submission.modelName).length > 1;
  return shared ? `${submission.modelName} (${submission.team})` : submission.modelName;
}

/** Every submission's score on one task, with its 95% interval, per track that scores it. */
export function taskPoints(leaderboard: Leaderboard, taskId: string): TaskPoint[] {
  return (['A', 'B'] as const).flatMap((id) =>
    leaderboard.tracks[id].tasks.includes(taskId)
      ? leaderboard.tracks[id].rows.flatMap((row) => {
          const score = row.scores[taskId];
          if (score === null || score === undefined) {
            return [];
          }
          const interval = row.intervals[taskId] ?? { low: score, high: score };
          return [
            {
              track: `Track ${id}`,
              label: submissionLabel(leaderboard, row.submission),
              score,
              low: interval.low,
              high: interval.high,
              baseline:
                leaderboard.submissions.find((candidate) => candidate.slug === row.submission)
                  ?.baseline ?? false,
            },
          ];
        })
      : [],
  );
}

/** Dots with 95% interval whiskers for every submission on one task, a panel per track. */
export function taskChart(leaderboard: Leaderboard, taskId: string): string {
  const points = taskPoints(leaderboard, taskId);
  const longestLabel = Math.max(0, ...points.map((point) => point.label.length));
  return renderFigure(
    {
      width: 720,
      marginLeft: Math.min(260, 16 + 6 * longestLabel),
      marginRight: 72,
      x: { domain: [0, 1], grid: true, label: 'Score (95% interval)' },
      y: { label: null },
      fy: { label: null },
      marks: [
        Plot.ruleY(points, {
          x1: 'low',
          x2: 'high',
          y: 'label',
          fy: 'track',
          stroke: '#57606a',
          strokeWidth: 2,
        }),
        Plot.dot(points, {
          x: 'score',
          y: 'label',
          fy: 'track',
          r: 4,
          fill: (point: TaskPoint) => (point.baseline ? '#8c96a3' : '#2f6f9f'),
          sort: { y: '-x' },
        }),
        Plot.text(points, {
          x: 'high',
          y: 'label',
          fy: 'track',
          text: (point: TaskPoint) => point.score.toFixed(3),
          dx: 6,
          textAnchor: 'start',
        }),
      ],
    },
    `Dot chart of every submission's score on ${taskName(leaderboard, taskId)} with its 95% interval, per track; the table below lists the same values.`,
  );
}

export interface ComparisonPoint {
  readonly task: string;
  readonly series: 'this submission' | 'best submission' | 'baseline';
  readonly score: number;
}

/**
 * One submission's Track A scores beside the best score of any submission and the best
 * baseline's, per task.
 */
export function comparisonPoints(leaderboard: Leaderboard, slug: string): ComparisonPoint[] {
  const track = leaderboard.tracks.A;
  const isBaseline = (row: { submission: string }) =>
    leaderboard.submissions.find((candidate) => candidate.slug === row.submission)?.baseline ??
    false;
  return track.tasks.flatMap((taskId) => {
    const task = leaderboard.tasks.find((candidate) => candidate.id === taskId);
    const name = task?.name ?? taskId;
    const scoreOf = (row: (typeof track.rows)[number]) => row.scores[taskId] ?? null;
    const own = track.rows.find((row) => row.submission === slug);
    const ownScore = own ? scoreOf(own) : null;
    const best = Math.max(
      ...track.rows.map(scoreOf).filter((score): score is number => score !== null),
    );
    const baselines = track.rows
      .filter(isBaseline)
      .map(scoreOf)
      .filter((score): score is number => score !== null);
    return [
      ...(ownScore === null
        ? []
        : [{ task: name, series: 'this submission' as const, score: ownScore }]),
      ...(Number.isFinite(best)
        ? [{ task: name, series: 'best submission' as const, score: best }]
        : []),
      ...(baselines.length > 0
        ? [{ task: name, series: 'baseline' as const, score: Math.max(...baselines) }]
        : []),
    ];
  });
}

/** Per task: this submission (dot), the best submission (tick) and the baseline (diamond). */
export function comparisonChart(leaderboard: Leaderboard, slug: string): string {
  const points = comparisonPoints(leaderboard, slug);
  const longestTask = Math.max(0, ...points.map((point) => point.task.length));
  const series = ['this submission', 'best submission', 'baseline'] as const;
  return renderFigure(
    {
      width: 720,
      marginLeft: Math.min(260, 16 + 6 * longestTask),
      x: { domain: [0, 1], grid: true, label: 'Track A score' },
      y: { label: null },
      color: { domain: [...series], range: ['#2f6f9f', '#1b1f24', '#8c96a3'] },
      // One legend with each series' symbol in its colour, as the dots are drawn.
      symbol: { domain: [...series], range: ['circle', 'times', 'diamond'], legend: true },
      marks: [
        Plot.dot(points, {
          x: 'score',
          y: 'task',
          stroke: 'series',
          fill: (point: ComparisonPoint) =>
            point.series === 'this submission' ? '#2f6f9f' : 'none',
          symbol: 'series',
          r: 5,
        }),
      ],
    },
    `Dot chart of the Track A score of ${submissionLabel(leaderboard, slug)} on each task beside the best submission's and the best baseline's; the scores table lists the same values.`,
  );
}

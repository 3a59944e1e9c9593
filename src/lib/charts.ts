/**
 * Charts rendered to static SVG at build time with Observable Plot and a linkedom document, so
 * pages need no client-side charting code. Each chart comes in a wide and a narrow layout (the
 * page shows one by CSS), because a wide SVG shrunk onto a phone is unreadable. Every number a
 * chart draws comes from leaderboard.json; the charts compute nothing.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type {
  Efficiency,
  Leaderboard,
  LeaderboardTrack,
  Ranking,
  Standing,
} from '../../schemas/leaderboard.ts';
import { formatScore } from './format.ts';
import { INTERVAL_LEVEL } from './protocol-text.ts';

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
  const figure = Plot.plot({
    style: { fontSize: '12px' },
    ...options,
    document: documentForPlot(),
    ariaLabel: label,
  });
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

/** The two layouts of a chart: the page shows `wide` above 640 px and `narrow` below. */
export interface ResponsiveChart {
  readonly wide: string;
  readonly narrow: string;
}

export const CHART_WIDTHS = { wide: 720, narrow: 350 } as const;

/** Labels longer than the layout allows are cut with an ellipsis (the table has the full name). */
export function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** Model name, with the team where two submissions share a model name. */
export function submissionLabel(leaderboard: Leaderboard, slug: string): string {
  const submission = leaderboard.submissions.find((candidate) => candidate.slug === slug);
  if (!submission) {
    return slug;
  }
  const shared =
    leaderboard.submissions.filter((other) => other.modelName === submission.modelName).length > 1;
  return shared ? `${submission.modelName} (${submission.team})` : submission.modelName;
}

export interface RankedPoint {
  /** Rank and label, unique per point so equal names stay apart on the axis. */
  readonly key: string;
  readonly label: string;
  readonly rank: number;
  readonly average: number;
  readonly low: number;
  readonly high: number;
  readonly baseline: boolean;
}

/** The first `limit` ranked entries of a ranking, as the charts draw them. */
export function rankedPoints(
  leaderboard: Leaderboard,
  ranking: Ranking,
  limit: number,
): RankedPoint[] {
  return ranking.standings
    .filter(
      (standing): standing is Standing & { rank: number; average: number } =>
        standing.status === 'ranked' && standing.rank !== null && standing.average !== null,
    )
    .slice(0, limit)
    .map((standing, index) => {
      const label = submissionLabel(leaderboard, standing.submission);
      return {
        key: `${index + 1}. ${label}`,
        label,
        rank: standing.rank,
        average: standing.average,
        low: standing.averageInterval?.low ?? standing.average,
        high: standing.averageInterval?.high ?? standing.average,
        baseline:
          leaderboard.submissions.find((candidate) => candidate.slug === standing.submission)
            ?.baseline ?? false,
      };
    });
}

/**
 * Dots at the average with their 95% interval, one row per entry in rank order, the first
 * `limit` entries only (the table has the rest): a sensible height at 3, 30 or 500 entries.
 */
export function rankingChart(
  leaderboard: Leaderboard,
  ranking: Ranking,
  options: { readonly limit: number; readonly axis: string; readonly label: string },
): ResponsiveChart {
  const points = rankedPoints(leaderboard, ranking, options.limit);
  const low = Math.min(...points.map((point) => point.low));
  const high = Math.max(...points.map((point) => point.high));
  // The axis spans the data with a margin, so close entries stay apart on the page.
  const span = Math.max(0.05, high - low);
  const domain = [Math.max(0, low - span * 0.15), Math.min(1, high + span * 0.15)];
  const layout = (width: number, labelLength: number): string => {
    const longest = Math.max(0, ...points.map((point) => truncate(point.key, labelLength).length));
    return renderFigure(
      {
        width,
        height: 40 + 22 * points.length,
        marginLeft: Math.min(width * 0.5, 12 + 7.2 * longest),
        marginRight: 48,
        x: { domain, grid: true, label: options.axis },
        y: {
          label: null,
          domain: points.map((point) => point.key),
          tickFormat: (key: string) => truncate(key, labelLength),
        },
        marks: [
          Plot.ruleY(points, {
            x1: 'low',
            x2: 'high',
            y: 'key',
            stroke: '#57606a',
            strokeWidth: 2,
          }),
          Plot.dot(points, {
            x: 'average',
            y: 'key',
            r: 4,
            fill: (point: RankedPoint) => (point.baseline ? '#8c96a3' : '#2f6f9f'),
          }),
          Plot.text(points, {
            x: 'high',
            y: 'key',
            text: (point: RankedPoint) => formatScore(point.average),
            dx: 6,
            textAnchor: 'start',
          }),
        ],
      },
      options.label,
    );
  };
  return { wide: layout(CHART_WIDTHS.wide, 34), narrow: layout(CHART_WIDTHS.narrow, 16) };
}

export interface TaskComparisonPoint {
  readonly task: string;
  readonly score: number;
  readonly low: number;
  readonly high: number;
  /** The highest score of any ranked entry on the task, and the best baseline's. */
  readonly best: number | null;
  readonly baseline: number | null;
}

/** One submission's score on each task of a track, beside the best and the best baseline. */
export function taskComparison(
  leaderboard: Leaderboard,
  track: LeaderboardTrack,
  slug: string,
): TaskComparisonPoint[] {
  const entry = track.entries.find((candidate) => candidate.submission === slug);
  const baselines = new Set(
    leaderboard.submissions.filter((item) => item.baseline).map((item) => item.slug),
  );
  return track.tasks.flatMap((taskId) => {
    const score = entry?.scores[taskId] ?? null;
    if (score === null) {
      return [];
    }
    const ranked = (track.byTask[taskId]?.standings ?? []).filter(
      (standing) => standing.status === 'ranked',
    );
    // Standings come in rank order: the first is the best, the first baseline the best baseline.
    const interval = entry?.intervals[taskId];
    return [
      {
        task: leaderboard.tasks.find((task) => task.id === taskId)?.name ?? taskId,
        score,
        low: interval?.low ?? score,
        high: interval?.high ?? score,
        best: ranked[0]?.average ?? null,
        baseline: ranked.find((standing) => baselines.has(standing.submission))?.average ?? null,
      },
    ];
  });
}

/**
 * Per task: this submission's score with its interval (dot and bar), the best score (a tall
 * tick) and the best baseline (a hollow diamond), so coinciding values stay distinguishable.
 */
export function taskComparisonChart(
  leaderboard: Leaderboard,
  track: LeaderboardTrack,
  slug: string,
): ResponsiveChart {
  const points = taskComparison(leaderboard, track, slug);
  const bests = points.flatMap((point) =>
    point.best === null ? [] : [{ task: point.task, score: point.best }],
  );
  const baselines = points.flatMap((point) =>
    point.baseline === null ? [] : [{ task: point.task, score: point.baseline }],
  );
  const layout = (width: number, labelLength: number) => {
    const longest = Math.max(0, ...points.map((point) => truncate(point.task, labelLength).length));
    return renderFigure(
      {
        width,
        height: 60 + 26 * points.length,
        marginLeft: Math.min(width * 0.45, 12 + 7.2 * longest),
        marginRight: 16,
        x: { domain: [0, 1], grid: true, label: `${track.title} score` },
        y: {
          label: null,
          domain: points.map((point) => point.task),
          tickFormat: (task: string) => truncate(task, labelLength),
        },
        marks: [
          Plot.ruleY(points, {
            x1: 'low',
            x2: 'high',
            y: 'task',
            stroke: '#2f6f9f',
            strokeWidth: 2,
          }),
          Plot.tickX(bests, { x: 'score', y: 'task', stroke: '#1b1f24', strokeWidth: 2 }),
          Plot.dot(baselines, {
            x: 'score',
            y: 'task',
            symbol: 'diamond',
            r: 6,
            stroke: '#8c96a3',
            strokeWidth: 2,
            fill: 'none',
          }),
          Plot.dot(points, { x: 'score', y: 'task', r: 4, fill: '#2f6f9f' }),
        ],
      },
      `Chart of the ${track.title} score of ${submissionLabel(leaderboard, slug)} on each task with its ${INTERVAL_LEVEL} interval, beside the best score and the best baseline's; the table lists the same values.`,
    );
  };
  return { wide: layout(CHART_WIDTHS.wide, 30), narrow: layout(CHART_WIDTHS.narrow, 14) };
}

export interface CostPoint {
  readonly submission: string;
  readonly label: string;
  readonly cost: number;
  readonly average: number;
  readonly front: boolean;
}

/** Every ranked entry with a known cost, and whether the pipeline put it on the front. */
export function costPoints(
  leaderboard: Leaderboard,
  track: LeaderboardTrack,
  cost: (slug: string) => number | null,
  front: readonly string[],
): CostPoint[] {
  return track.overall.standings.flatMap((standing) => {
    const value = cost(standing.submission);
    return standing.status === 'ranked' && standing.average !== null && value !== null && value > 0
      ? [
          {
            submission: standing.submission,
            label: submissionLabel(leaderboard, standing.submission),
            cost: value,
            average: standing.average,
            front: front.includes(standing.submission),
          },
        ]
      : [];
  });
}

/**
 * Average against a cost on a log axis, the front (no entry better on both) drawn as a line
 * through its points and labelled; the other entries grey.
 */
export function costChart(
  points: readonly CostPoint[],
  options: {
    readonly axis: string;
    readonly label: string;
    readonly format: (cost: number) => string;
    /** Which way the cost is good: the front's staircase turns the other way for each. */
    readonly better: 'lower' | 'higher';
  },
): ResponsiveChart {
  const front = points.filter((point) => point.front).sort((a, b) => a.cost - b.cost);
  const layout = (width: number, labelLength: number) =>
    renderFigure(
      {
        width,
        height: width > 500 ? 380 : 320,
        marginRight: 24,
        inset: 10,
        x: { type: 'log', label: options.axis, tickFormat: options.format, ticks: 5 },
        y: { grid: true, label: 'Weighted average' },
        marks: [
          Plot.dot(
            points.filter((point) => !point.front),
            { x: 'cost', y: 'average', r: 3, fill: '#8c96a3' },
          ),
          Plot.line(front, {
            x: 'cost',
            y: 'average',
            stroke: '#2f6f9f',
            curve: options.better === 'lower' ? 'step-after' : 'step-before',
          }),
          Plot.dot(front, { x: 'cost', y: 'average', r: 5, fill: '#2f6f9f' }),
          Plot.text(front, {
            x: 'cost',
            y: 'average',
            text: (point: CostPoint) => truncate(point.label, labelLength),
            dy: -10,
            fontSize: 11,
          }),
        ],
      },
      options.label,
    );
  return { wide: layout(CHART_WIDTHS.wide, 24), narrow: layout(CHART_WIDTHS.narrow, 12) };
}

/** Real-time factor per submission from efficiency.json. */
export function speedOf(efficiency: Efficiency | undefined): (slug: string) => number | null {
  return (slug) =>
    efficiency?.submissions.find((entry) => entry.submission === slug)?.realTimeFactor ?? null;
}

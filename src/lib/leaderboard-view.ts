/**
 * Pure functions from the leaderboard JSON to what the tables show: no Astro, no DOM, so they are
 * unit-tested directly.
 */
import { DOMAINS, type Domain } from '../../schemas/common.ts';
import type {
  Efficiency,
  Leaderboard,
  LeaderboardRow,
  LeaderboardSubmission,
  LeaderboardTask,
  LeaderboardTrack,
} from '../../schemas/leaderboard.ts';
import { METRICS } from '../../schemas/metrics.ts';
import {
  capitalise,
  formatCoverage,
  formatInterval,
  formatParameters,
  formatRealTimeFactor,
  formatScore,
} from './format.ts';

export type SortType = 'number' | 'text';

export interface Column {
  readonly id: string;
  readonly label: string;
  /** Tooltip: what the column measures. */
  readonly title: string;
  readonly sortType: SortType;
  /** Direction of the first click: scores sort best first, names A to Z, ranks 1 first. */
  readonly firstOrder: 'ascending' | 'descending';
  readonly numeric: boolean;
  /** Kept in view while the table scrolls sideways. */
  readonly sticky: boolean;
  /** Task and domain-average columns belong to a domain (for the domain filter). */
  readonly domain?: Domain;
  /** Task columns: the task id, for the link to its page. */
  readonly taskId?: string;
}

export interface Cell {
  readonly text: string;
  /** A second, smaller line (the interval of a score). */
  readonly detail?: string;
  /** Tooltip of the cell. */
  readonly title?: string;
  /** Value the client-side sort compares; empty for missing values, which always sort last. */
  readonly sortValue: string;
  /** True when this is the best value of its column. */
  readonly best: boolean;
}

export interface TableRow {
  readonly submission: LeaderboardSubmission;
  readonly cells: readonly Cell[];
}

export interface TrackTable {
  readonly track: LeaderboardTrack;
  readonly columns: readonly Column[];
  readonly rows: readonly TableRow[];
  readonly tasks: readonly LeaderboardTask[];
}

/**
 * A sortable column: unless told otherwise, numbers sort largest (best) first on the first click
 * and text A to Z.
 */
export function sortableColumn(
  id: string,
  label: string,
  title: string,
  options: Partial<Pick<Column, 'domain' | 'taskId' | 'sticky' | 'firstOrder'>> & {
    readonly sortType?: SortType;
  } = {},
): Column {
  const sortType = options.sortType ?? 'number';
  return {
    id,
    label,
    title,
    sortType,
    firstOrder: options.firstOrder ?? (sortType === 'number' ? 'descending' : 'ascending'),
    numeric: sortType === 'number',
    sticky: options.sticky ?? false,
    ...(options.domain ? { domain: options.domain } : {}),
    ...(options.taskId ? { taskId: options.taskId } : {}),
  };
}

/**
 * Ranks that only separate what the bootstrap separates: a row's rank is 1 + the number of rows
 * whose whole 95% interval lies above its own, so rows with overlapping intervals share a rank.
 * Without intervals (results from before version 2) it is the plain competition rank.
 */
export function displayRanks(rows: readonly LeaderboardRow[]): number[] {
  return rows.map((row) => {
    const own = row.averageInterval;
    if (!own || rows.some((other) => other.averageInterval === null)) {
      return row.rank;
    }
    return 1 + rows.filter((other) => (other.averageInterval?.low ?? 0) > own.high).length;
  });
}

function rankCell(rank: number, shared: boolean, row: LeaderboardRow): Cell {
  const interval = row.rankInterval;
  const range =
    interval === null
      ? undefined
      : interval.best === interval.worst
        ? `${interval.best}`
        : `${interval.best}–${interval.worst}`;
  return {
    text: shared ? `=${rank}` : `${rank}`,
    ...(range === undefined ? {} : { detail: range }),
    title:
      (shared ? 'Tied: the 95% intervals of these averages overlap. ' : '') +
      (range === undefined
        ? ''
        : `95% interval of the rank over the bootstrap resamples: ${range}.`),
    sortValue: String(rank),
    best: false,
  };
}

export function trackTable(
  leaderboard: Leaderboard,
  trackId: 'A' | 'B',
  efficiency?: Efficiency,
): TrackTable {
  const track = leaderboard.tracks[trackId];
  const tasks = track.tasks.map((id) => {
    const task = leaderboard.tasks.find((candidate) => candidate.id === id);
    if (!task) {
      throw new Error(`leaderboard: track ${trackId} lists unknown task ${id}`);
    }
    return task;
  });
  const domainsPresent = DOMAINS.filter((domain) => tasks.some((task) => task.domain === domain));
  const columns: Column[] = [
    sortableColumn(
      'rank',
      'Rank',
      'Rank by weighted average; rows whose intervals overlap share a rank',
      { sticky: true, firstOrder: 'ascending' },
    ),
    sortableColumn('team', 'Team', 'Team name', { sortType: 'text', sticky: true }),
    sortableColumn('affiliation', 'Affiliation', 'Affiliation of the team', { sortType: 'text' }),
    sortableColumn('model', 'Model', 'Model name and version', { sortType: 'text' }),
    sortableColumn(
      'average',
      'Weighted average',
      'Sum of score x weight over the tasks that ran, divided by the sum of their weights; below it the 95% bootstrap interval',
    ),
    ...domainsPresent.map((domain: Domain) =>
      sortableColumn(
        `domain-${domain}`,
        capitalise(domain),
        `Weighted average over the ${domain} tasks`,
        {
          domain,
        },
      ),
    ),
    sortableColumn('coverage', 'Coverage', 'Tasks with a score / tasks in this track'),
    sortableColumn(
      'parameters',
      'Parameters',
      'Values stored in the ONNX model (its initializers)',
    ),
    sortableColumn(
      'rtf',
      'Real-time factor',
      'Seconds of audio encoded per second of encoder time, over every task, on the machine that evaluated it',
    ),
    ...tasks.map((task) =>
      sortableColumn(
        `task-${task.id}`,
        task.name,
        `${METRICS[task.metric].label}: ${METRICS[task.metric].description} Weight ${task.weight}.`,
        { domain: task.domain, taskId: task.id },
      ),
    ),
  ];

  const bestOf = (values: readonly (number | null)[]) => {
    const present = values.filter((value): value is number => value !== null);
    return present.length > 0 ? Math.max(...present) : null;
  };
  const columnValues = (pick: (row: LeaderboardRow) => number | null) => track.rows.map(pick);
  const best = {
    average: bestOf(columnValues((row) => row.average)),
    domains: Object.fromEntries(
      domainsPresent.map((domain) => [
        domain,
        bestOf(columnValues((row) => row.domainAverages[domain] ?? null)),
      ]),
    ),
    tasks: Object.fromEntries(
      tasks.map((task) => [task.id, bestOf(columnValues((row) => row.scores[task.id] ?? null))]),
    ),
  };
  const scoreCell = (
    value: number | null,
    bestValue: number | null | undefined,
    interval?: { low: number; high: number } | null,
  ): Cell => ({
    text: formatScore(value),
    ...(interval && value !== null
      ? { detail: formatInterval(interval), title: `95% interval ${formatInterval(interval)}` }
      : {}),
    sortValue: value === null ? '' : String(value),
    best: value !== null && value === bestValue && track.rows.length > 1,
  });
  const ranks = displayRanks(track.rows);

  const rows = track.rows.map((row, index): TableRow => {
    const submission = leaderboard.submissions.find(
      (candidate) => candidate.slug === row.submission,
    );
    if (!submission) {
      throw new Error(`leaderboard: row for unknown submission ${row.submission}`);
    }
    const rank = ranks[index] as number;
    const speed = efficiency?.submissions.find((entry) => entry.submission === row.submission);
    const rtf = speed?.realTimeFactor ?? null;
    return {
      submission,
      cells: [
        rankCell(rank, ranks.filter((other) => other === rank).length > 1, row),
        { text: submission.team, sortValue: submission.team.toLocaleLowerCase('en'), best: false },
        {
          text: submission.affiliation,
          sortValue: submission.affiliation.toLocaleLowerCase('en'),
          best: false,
        },
        {
          text: `${submission.modelName} ${submission.modelVersion}`,
          sortValue: submission.modelName.toLocaleLowerCase('en'),
          best: false,
        },
        {
          ...scoreCell(row.average, best.average, row.averageInterval),
          text: formatScore(row.average),
        },
        ...domainsPresent.map((domain) =>
          scoreCell(row.domainAverages[domain] ?? null, best.domains[domain]),
        ),
        { text: formatCoverage(row.coverage), sortValue: String(row.coverage.done), best: false },
        {
          text: formatParameters(submission.parameters),
          ...(submission.parameters === null
            ? {}
            : { title: `${submission.parameters.toLocaleString('en')} values` }),
          sortValue: submission.parameters === null ? '' : String(submission.parameters),
          best: false,
        },
        {
          text: formatRealTimeFactor(rtf),
          ...(speed && speed.hosts.length > 0
            ? { title: `Measured on ${speed.hosts.join('; ')}` }
            : {}),
          sortValue: rtf === null ? '' : String(rtf),
          best: false,
        },
        ...tasks.map((task) =>
          scoreCell(row.scores[task.id] ?? null, best.tasks[task.id], row.intervals[task.id]),
        ),
      ],
    };
  });
  return { track, columns, rows, tasks };
}

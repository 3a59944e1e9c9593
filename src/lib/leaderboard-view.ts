/**
 * Pure functions from the leaderboard JSON to what the tables show: no Astro, no DOM, so they are
 * unit-tested directly.
 */
import { DOMAINS, type Domain } from '../../schemas/common.ts';
import type {
  Leaderboard,
  LeaderboardRow,
  LeaderboardSubmission,
  LeaderboardTask,
  LeaderboardTrack,
} from '../../schemas/leaderboard.ts';
import { METRICS } from '../../schemas/metrics.ts';
import { capitalise, formatCoverage, formatScore } from './format.ts';

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
}

export interface Cell {
  readonly text: string;
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

function scoreColumn(id: string, label: string, title: string): Column {
  return { id, label, title, sortType: 'number', firstOrder: 'descending', numeric: true };
}

export function trackTable(leaderboard: Leaderboard, trackId: 'A' | 'B'): TrackTable {
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
    {
      id: 'rank',
      label: 'Rank',
      title: 'Position by weighted average; equal averages share a rank',
      sortType: 'number',
      firstOrder: 'ascending',
      numeric: true,
    },
    {
      id: 'team',
      label: 'Team',
      title: 'Team and affiliation',
      sortType: 'text',
      firstOrder: 'ascending',
      numeric: false,
    },
    {
      id: 'model',
      label: 'Model',
      title: 'Model name and version',
      sortType: 'text',
      firstOrder: 'ascending',
      numeric: false,
    },
    scoreColumn(
      'average',
      'Weighted average',
      'Sum of score x weight over the tasks that ran, divided by the sum of their weights',
    ),
    ...domainsPresent.map((domain: Domain) =>
      scoreColumn(
        `domain-${domain}`,
        capitalise(domain),
        `Weighted average over the ${domain} tasks`,
      ),
    ),
    {
      id: 'coverage',
      label: 'Coverage',
      title: 'Tasks with a score / tasks in this track',
      sortType: 'number',
      firstOrder: 'descending',
      numeric: true,
    },
    ...tasks.map((task) =>
      scoreColumn(
        `task-${task.id}`,
        task.name,
        `${METRICS[task.metric].label}: ${METRICS[task.metric].description} Weight ${task.weight}.`,
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
  const scoreCell = (value: number | null, bestValue: number | null | undefined): Cell => ({
    text: formatScore(value),
    sortValue: value === null ? '' : String(value),
    best: value !== null && value === bestValue && track.rows.length > 1,
  });

  const rows = track.rows.map((row): TableRow => {
    const submission = leaderboard.submissions.find(
      (candidate) => candidate.slug === row.submission,
    );
    if (!submission) {
      throw new Error(`leaderboard: row for unknown submission ${row.submission}`);
    }
    const rank = row.rank;
    return {
      submission,
      cells: [
        { text: String(rank), sortValue: String(rank), best: false },
        { text: submission.team, sortValue: submission.team.toLocaleLowerCase('en'), best: false },
        {
          text: `${submission.modelName} ${submission.modelVersion}`,
          sortValue: submission.modelName.toLocaleLowerCase('en'),
          best: false,
        },
        scoreCell(row.average, best.average),
        ...domainsPresent.map((domain) =>
          scoreCell(row.domainAverages[domain] ?? null, best.domains[domain]),
        ),
        { text: formatCoverage(row.coverage), sortValue: String(row.coverage.done), best: false },
        ...tasks.map((task) => scoreCell(row.scores[task.id] ?? null, best.tasks[task.id])),
      ],
    };
  });
  return { track, columns, rows, tasks };
}

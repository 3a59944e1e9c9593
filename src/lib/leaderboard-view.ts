/**
 * Pure functions from leaderboard.json to what the tables show: no Astro, no DOM, so they are
 * unit-tested directly. Nothing here computes a score, an average or a rank: every number comes
 * from the pipeline (schemas/scoring.ts) and is only formatted and laid out.
 */
import { DOMAINS, type Domain } from '../../schemas/common.ts';
import type {
  Efficiency,
  Leaderboard,
  LeaderboardSubmission,
  LeaderboardTask,
  LeaderboardTrack,
  Ranking,
  Standing,
} from '../../schemas/leaderboard.ts';
import { METRICS } from '../../schemas/metrics.ts';
import type { TaskType } from '../../schemas/task.ts';
import { isAttestedClean, type Marker, markersOf } from './attestation.ts';
import {
  averageCell,
  type Cell,
  modelCell,
  rankCell,
  scoreCell,
  sortValueOf,
} from './board-cells.ts';
import {
  capitalise,
  formatCount,
  formatParameters,
  formatRealTimeFactor,
  formatScore,
} from './format.ts';
import { INTERVAL_LEVEL } from './protocol-text.ts';

export type SortType = 'number' | 'text';

/** A board shows one track over all its tasks, or over one domain's tasks. */
export type BoardView = 'all' | Domain;

export const TASK_TYPE_LABELS: Readonly<Record<TaskType, string>> = {
  clip: 'clip classification',
  frame: 'frame-level detection',
  retrieval: 'audio-text retrieval',
  asr: 'speech recognition',
};

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
  /** The header group it sits under: a domain for task columns. */
  readonly group: 'entry' | 'averages' | Domain | 'cost';
  /** Task columns: the task, for its link, its type filter and its vertical header. */
  readonly task?: LeaderboardTask;
}

export interface TableRow {
  readonly submission: LeaderboardSubmission;
  readonly standing: Standing;
  readonly markers: readonly Marker[];
  /** Words the search box matches: model, team, affiliation, slug. */
  readonly searchText: string;
  /** Whether the training-data attestations meet the ICME 2025 rule (public, no overlap). */
  readonly attestedClean: boolean;
  readonly cells: readonly Cell[];
}

export interface ColumnGroup {
  readonly id: Column['group'];
  readonly label: string;
  readonly span: number;
}

export interface BoardTable {
  readonly track: LeaderboardTrack;
  readonly view: BoardView;
  readonly ranking: Ranking;
  readonly columns: readonly Column[];
  readonly groups: readonly ColumnGroup[];
  /** Entries with a rank, in rank order. */
  readonly ranked: readonly TableRow[];
  /** Entries without one (incomplete, then pending), each saying why. */
  readonly unranked: readonly TableRow[];
}

export function column(
  id: string,
  label: string,
  title: string,
  group: Column['group'],
  options: Partial<Pick<Column, 'sticky' | 'firstOrder' | 'task'>> & {
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
    group,
    ...(options.task ? { task: options.task } : {}),
  };
}

/** The ranking a board shows. */
export function boardRanking(track: LeaderboardTrack, view: BoardView): Ranking | undefined {
  return view === 'all' ? track.overall : track.byDomain[view];
}

/** The domains with tasks in a track, in the site's order. */
export function trackDomains(track: LeaderboardTrack): Domain[] {
  return DOMAINS.filter((domain) => track.byDomain[domain] !== undefined);
}

export function submissionOf(leaderboard: Leaderboard, slug: string): LeaderboardSubmission {
  const submission = leaderboard.submissions.find((candidate) => candidate.slug === slug);
  if (!submission) {
    throw new Error(`leaderboard: a standing for unknown submission ${slug}`);
  }
  return submission;
}

function taskOf(leaderboard: Leaderboard, id: string): LeaderboardTask {
  const task = leaderboard.tasks.find((candidate) => candidate.id === id);
  if (!task) {
    throw new Error(`leaderboard: unknown task ${id}`);
  }
  return task;
}

/** Task columns of a board: a domain's tasks, or every task grouped by domain. */
function boardTasks(leaderboard: Leaderboard, track: LeaderboardTrack, view: BoardView) {
  const tasks = track.tasks.map((id) => taskOf(leaderboard, id));
  const shown = view === 'all' ? tasks : tasks.filter((task) => task.domain === view);
  return DOMAINS.flatMap((domain) => shown.filter((task) => task.domain === domain));
}

export function taskColumn(task: LeaderboardTask): Column {
  const metric = METRICS[task.metric];
  return column(
    `task-${task.id}`,
    task.name,
    `${task.name} (${capitalise(task.domain)}, ${TASK_TYPE_LABELS[task.type]}): ${metric.label}, weight ${task.weight}. ${metric.description}`,
    task.domain,
    { task },
  );
}

/**
 * One board: a track over all its tasks or over one domain's. Columns: rank, model (with the
 * team), the average, the domain averages (all-task board), every task grouped by domain, then
 * size and speed. Ranked entries first, in rank order; unranked ones apart.
 */
export function boardTable(
  leaderboard: Leaderboard,
  trackId: 'A' | 'B',
  view: BoardView,
  efficiency?: Efficiency,
): BoardTable {
  const track = leaderboard.tracks[trackId];
  const ranking = boardRanking(track, view);
  if (!ranking) {
    throw new Error(`leaderboard: track ${trackId} has no ${view} tasks`);
  }
  const tasks = boardTasks(leaderboard, track, view);
  const domains = view === 'all' ? trackDomains(track) : [];
  const scope = view === 'all' ? 'all tasks' : `the ${view} tasks`;
  const columns: Column[] = [
    column('rank', 'Rank', 'Rank by the paired bootstrap; below it the rank interval', 'entry', {
      sticky: true,
      firstOrder: 'ascending',
    }),
    column('model', 'Model', 'Model name and version, and the team', 'entry', {
      sortType: 'text',
      sticky: true,
    }),
    column(
      'average',
      'Average',
      `Weighted average over ${scope} (Σ score × weight / Σ weight); below it the ${INTERVAL_LEVEL} bootstrap interval`,
      'averages',
    ),
    ...domains.map((domain) =>
      column(
        `domain-${domain}`,
        capitalise(domain),
        `Weighted average over the ${domain} tasks`,
        'averages',
      ),
    ),
    ...tasks.map(taskColumn),
    column('parameters', 'Params', 'Values stored in the ONNX model (its initializers)', 'cost'),
    column(
      'rtf',
      'Speed',
      'Real-time factor: seconds of audio encoded per second of encoder time, over every task, on the machine that evaluated it',
      'cost',
    ),
  ];
  const groups: ColumnGroup[] = [];
  for (const entry of columns) {
    const last = groups[groups.length - 1];
    if (last && last.id === entry.group) {
      groups[groups.length - 1] = { ...last, span: last.span + 1 };
    } else {
      groups.push({
        id: entry.group,
        label:
          entry.group === 'entry' || entry.group === 'cost'
            ? ''
            : entry.group === 'averages'
              ? 'Averages'
              : capitalise(entry.group),
        span: 1,
      });
    }
  }
  const entries = new Map(track.entries.map((entry) => [entry.submission, entry]));
  const domainStanding = (domain: Domain, slug: string) =>
    track.byDomain[domain]?.standings.find((standing) => standing.submission === slug);
  const rankedCount = ranking.standings.filter((standing) => standing.status === 'ranked').length;
  const rankCounts = new Map<number, number>();
  for (const standing of ranking.standings) {
    if (standing.rank !== null) {
      rankCounts.set(standing.rank, (rankCounts.get(standing.rank) ?? 0) + 1);
    }
  }
  const rows = ranking.standings.map((standing): TableRow => {
    const submission = submissionOf(leaderboard, standing.submission);
    const entry = entries.get(standing.submission);
    const speed = efficiency?.submissions.find((item) => item.submission === submission.slug);
    const rtf = speed?.realTimeFactor ?? null;
    const cells: Cell[] = [
      rankCell(standing, (rankCounts.get(standing.rank ?? 0) ?? 0) > 1, rankedCount),
      modelCell(submission),
      averageCell(standing, ranking.best.includes(submission.slug)),
      ...domains.map((domain) => {
        const inDomain = domainStanding(domain, submission.slug);
        const ranked = inDomain?.status === 'ranked';
        return {
          text: ranked ? formatScore(inDomain.average) : '–',
          ...(ranked
            ? {}
            : {
                title: `Not every ${domain} task has a result (${inDomain?.coverage.done ?? 0} of ${inDomain?.coverage.total ?? 0})`,
              }),
          sortValue: ranked ? sortValueOf(inDomain.average) : '',
          best: ranked && (track.byDomain[domain]?.best.includes(submission.slug) ?? false),
        };
      }),
      ...tasks.map((task) =>
        scoreCell(entry, task, track.byTask[task.id]?.best.includes(submission.slug) ?? false),
      ),
      {
        text: formatParameters(submission.parameters),
        ...(submission.parameters === null
          ? {}
          : { title: `${formatCount(submission.parameters)} values` }),
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
    ];
    return {
      submission,
      standing,
      markers: markersOf(submission),
      searchText: [submission.modelName, submission.team, submission.affiliation, submission.slug]
        .join(' ')
        .toLocaleLowerCase('en'),
      attestedClean: isAttestedClean(submission),
      cells,
    };
  });
  return {
    track,
    view,
    ranking,
    columns,
    groups,
    ranked: rows.filter((row) => row.standing.status === 'ranked'),
    unranked: rows.filter((row) => row.standing.status !== 'ranked'),
  };
}

/** Why an unranked entry has no rank, in words. */
/**
 * The same in the board's narrow status column (3.4 rem, 2.6 rem on a phone), headed "Tasks":
 * "22/24", where "incomplete: 22 of 24 tasks" was cut to "incompl". A pending entry has 0.
 */
export function unrankedCoverage(standing: Standing): string {
  return `${standing.status === 'pending' ? 0 : standing.coverage.done}/${standing.coverage.total}`;
}

export function unrankedReason(standing: Standing): string {
  return standing.status === 'pending'
    ? 'pending: no result yet'
    : `incomplete: ${standing.coverage.done} of ${standing.coverage.total} tasks`;
}

/** One row of a task's own ranking: rank, model and the score with its interval. */
export interface TaskStandingRow {
  readonly submission: LeaderboardSubmission;
  readonly standing: Standing;
  readonly shared: boolean;
  readonly best: boolean;
}

export function taskStandings(track: LeaderboardTrack, taskId: string, leaderboard: Leaderboard) {
  const ranking = track.byTask[taskId];
  if (!ranking) {
    return [];
  }
  return ranking.standings
    .filter((standing) => standing.status === 'ranked')
    .map((standing): TaskStandingRow => ({
      submission: submissionOf(leaderboard, standing.submission),
      standing,
      shared:
        ranking.standings.filter((other) => other.rank !== null && other.rank === standing.rank)
          .length > 1,
      best: ranking.best.includes(standing.submission),
    }));
}

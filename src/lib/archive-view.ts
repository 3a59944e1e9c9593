/**
 * The archive page's tables: an edition's entries per track, teams first by their official rank,
 * then the baselines, each with its printed average and the one recomputed from its task scores.
 */
import {
  recomputeArchive,
  type ArchiveEdition,
  type ArchiveEntry,
  type ArchiveTask,
  type RecomputedAverage,
} from '../../schemas/archive.ts';
import { METRICS } from '../../schemas/metrics.ts';
import { column, type Column } from './leaderboard-view.ts';

export interface ArchiveRow {
  readonly entry: ArchiveEntry;
  readonly officialRank: number | undefined;
  readonly printed: number | undefined;
  readonly recomputed: RecomputedAverage | undefined;
  readonly scores: Readonly<Record<string, number>>;
}

export interface ArchiveTrackView {
  readonly track: 'A' | 'B';
  readonly tasks: readonly ArchiveTask[];
  readonly rows: readonly ArchiveRow[];
}

export function archiveTracks(edition: ArchiveEdition): ArchiveTrackView[] {
  const recomputed = recomputeArchive(edition);
  return (['A', 'B'] as const).map((track) => {
    const key = track === 'A' ? 'trackA' : 'trackB';
    const tasks = edition.tasks.filter((task) => task[key]);
    const rows = edition.entries.flatMap((entry): ArchiveRow[] => {
      const data = entry[key];
      if (!data) {
        return [];
      }
      const all = data.printed.find((printed) => printed.scope === 'all');
      return [
        {
          entry,
          officialRank: data.officialRank,
          printed: all?.value,
          recomputed: recomputed.find(
            (row) => row.entry === entry.id && row.track === track && row.scope === 'all',
          ),
          scores: data.scores,
        },
      ];
    });
    // Teams by official rank, then baselines by printed average.
    rows.sort(
      (a, b) =>
        Number(a.entry.kind === 'baseline') - Number(b.entry.kind === 'baseline') ||
        (a.officialRank ?? Infinity) - (b.officialRank ?? Infinity) ||
        (b.printed ?? 0) - (a.printed ?? 0),
    );
    return { track, tasks, rows };
  });
}

/** The columns of an archived track: identity, printed and recomputed averages, every task. */
export function archiveColumns(view: ArchiveTrackView): Column[] {
  return [
    column('rank', 'Rank', 'Official rank; baselines were not ranked', 'entry', {
      sticky: true,
      firstOrder: 'ascending',
    }),
    column('team', 'Team', 'Team or baseline model', 'entry', { sortType: 'text', sticky: true }),
    column('affiliation', 'Affiliation', 'Affiliation of the team', 'entry', { sortType: 'text' }),
    column('report', 'Report', 'Technical report submitted with the entry', 'entry', {
      sortType: 'text',
    }),
    column(
      'printed',
      'Printed average',
      'The weighted average as the source printed it',
      'averages',
    ),
    column(
      'recomputed',
      'Recomputed',
      'Sum of printed score x weight over the tasks, divided by the sum of the weights',
      'averages',
    ),
    ...view.tasks.map((task) =>
      column(
        `task-${task.id}`,
        task.name,
        `${METRICS[task.metric].label}. Weight ${task.weight}.${task.private ? ' Private data.' : ''}`,
        'averages',
      ),
    ),
  ];
}

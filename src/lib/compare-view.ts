/**
 * The compare page: 2 to 4 submissions side by side, per task and overall, each against the
 * first one, with whether the difference is significant under the paired bootstrap. The
 * significance is read from the pipeline's rankings (an entry "beats" another when its average
 * is higher and higher in at least 97.5% of the paired resamples: `Standing.beatenBy`); nothing
 * is computed here. The same functions render the page on the server and, in the browser,
 * re-render it for another choice of submissions.
 */
import type { Leaderboard, Ranking } from '../../schemas/leaderboard.ts';
import { parsePositions } from '../../schemas/ranks.ts';
import { formatDifference, formatScore } from './format.ts';

/** One ranking, compactly: the ranked entries in order, their averages and who beats whom. */
export interface CompareRanking {
  readonly id: string;
  readonly name: string;
  /** Indices into `CompareData.submissions`, ranked entries in rank order. */
  readonly order: readonly number[];
  /** Average of each ranked entry, by position. */
  readonly values: readonly number[];
  /** Per position: [leading, others] of `beatenBy` (positions are 1-based), or null. */
  readonly beatenBy: readonly ([number, readonly number[]] | null)[];
  /** Scores of entries not ranked here (a partial average), by submission index. */
  readonly partial: Readonly<Record<number, number>>;
}

export interface CompareData {
  readonly submissions: readonly { readonly slug: string; readonly label: string }[];
  readonly tracks: Readonly<Record<'A' | 'B', readonly CompareRanking[]>>;
}

function compactRanking(
  id: string,
  name: string,
  ranking: Ranking,
  index: ReadonlyMap<string, number>,
): CompareRanking {
  const ranked = ranking.standings.filter((standing) => standing.status === 'ranked');
  const partial: Record<number, number> = {};
  for (const standing of ranking.standings) {
    if (standing.status === 'incomplete' && standing.average !== null) {
      partial[index.get(standing.submission) ?? -1] = standing.average;
    }
  }
  return {
    id,
    name,
    order: ranked.map((standing) => index.get(standing.submission) ?? -1),
    values: ranked.map((standing) => Number((standing.average ?? 0).toFixed(4))),
    beatenBy: ranked.map((standing) =>
      standing.beatenBy
        ? [standing.beatenBy.leading, parsePositions(standing.beatenBy.others)]
        : null,
    ),
    partial,
  };
}

export function compareData(leaderboard: Leaderboard): CompareData {
  const submissions = leaderboard.submissions.map((submission) => ({
    slug: submission.slug,
    label: `${submission.modelName} ${submission.modelVersion} (${submission.team})`,
  }));
  const index = new Map(submissions.map((submission, i) => [submission.slug, i]));
  const track = (id: 'A' | 'B') => {
    const data = leaderboard.tracks[id];
    return [
      compactRanking('overall', 'Weighted average', data.overall, index),
      ...data.tasks.flatMap((taskId) => {
        const ranking = data.byTask[taskId];
        const name = leaderboard.tasks.find((task) => task.id === taskId)?.name ?? taskId;
        return ranking ? [compactRanking(taskId, name, ranking, index)] : [];
      }),
    ];
  };
  return { submissions, tracks: { A: track('A'), B: track('B') } };
}

/** How an entry compares with the first one chosen. */
export type Verdict =
  'reference' | 'better' | 'worse' | 'not separable' | 'not ranked' | 'no result';

export interface CompareCell {
  readonly value: number | null;
  /** The value is a partial average (the entry is not ranked here). */
  readonly partial: boolean;
  /** Value minus the reference's value. */
  readonly difference: number | null;
  readonly verdict: Verdict;
}

export interface CompareRow {
  readonly id: string;
  readonly name: string;
  readonly cells: readonly CompareCell[];
}

function beats(ranking: CompareRanking, above: number, below: number): boolean {
  const entry = ranking.beatenBy[below];
  if (!entry) {
    return false;
  }
  const [leading, others] = entry;
  const position = above + 1;
  return position <= leading || others.includes(position);
}

/** The rows for `chosen` (submission indices, the first one the reference) on one track. */
export function compareRows(
  data: CompareData,
  track: 'A' | 'B',
  chosen: readonly number[],
): CompareRow[] {
  return data.tracks[track].map((ranking) => {
    const positions = chosen.map((submission) => ranking.order.indexOf(submission));
    const valueOf = (slot: number): { value: number | null; partial: boolean } => {
      const position = positions[slot] ?? -1;
      if (position >= 0) {
        return { value: ranking.values[position] ?? null, partial: false };
      }
      const partial = ranking.partial[chosen[slot] ?? -1];
      return { value: partial ?? null, partial: partial !== undefined };
    };
    const reference = valueOf(0);
    const referencePosition = positions[0] ?? -1;
    const cells = chosen.map((_, slot): CompareCell => {
      const own = valueOf(slot);
      const position = positions[slot] ?? -1;
      let verdict: Verdict;
      if (slot === 0) {
        verdict = own.value === null ? 'no result' : 'reference';
      } else if (own.value === null) {
        verdict = 'no result';
      } else if (position < 0 || referencePosition < 0) {
        verdict = 'not ranked';
      } else if (position < referencePosition) {
        verdict = beats(ranking, position, referencePosition) ? 'better' : 'not separable';
      } else {
        verdict = beats(ranking, referencePosition, position) ? 'worse' : 'not separable';
      }
      return {
        ...own,
        difference:
          slot === 0 || own.value === null || reference.value === null
            ? null
            : own.value - reference.value,
        verdict,
      };
    });
    return { id: ranking.id, name: ranking.name, cells };
  });
}

/** The default choice: the first three ranked entries of Track A (or as many as there are). */
export function defaultChoice(data: CompareData): number[] {
  return (data.tracks.A[0]?.order ?? []).slice(0, 3);
}

export const VERDICT_TEXT: Readonly<Record<Verdict, string>> = {
  reference: 'reference',
  better: 'significantly better',
  worse: 'significantly worse',
  'not separable': 'not separable',
  'not ranked': 'not ranked here (partial result)',
  'no result': 'no result',
};

const VERDICT_MARK: Readonly<Record<Verdict, string>> = {
  reference: '',
  better: '▲',
  worse: '▼',
  'not separable': '≈',
  'not ranked': '',
  'no result': '',
};

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );
}

/**
 * The comparison table of one track as HTML, the one renderer of both the server-built page and
 * the browser's re-render. Every text is escaped (team names come from pull requests).
 */
export function compareTableHtml(
  data: CompareData,
  track: 'A' | 'B',
  title: string,
  chosen: readonly number[],
  submissionUrl: (slug: string) => string,
): string {
  const rows = compareRows(data, track, chosen);
  const heads = chosen
    .map((index, slot) => {
      const submission = data.submissions[index];
      const label = escapeHtml(submission?.label ?? '');
      const link = `<a href="${escapeHtml(submissionUrl(submission?.slug ?? ''))}">${label}</a>`;
      return `<th scope="col" class="numeric">${link}${slot === 0 ? '<span class="detail">reference</span>' : ''}</th>`;
    })
    .join('');
  const body = rows
    .map((row) => {
      const cells = row.cells
        .map((cell) => {
          const value =
            cell.value === null ? '–' : `${formatScore(cell.value)}${cell.partial ? '*' : ''}`;
          const difference =
            cell.difference === null
              ? ''
              : `<span class="detail">${formatDifference(cell.difference)} ${VERDICT_MARK[cell.verdict]}</span>`;
          return `<td class="numeric verdict-${cell.verdict.replace(' ', '-')}" title="${escapeHtml(VERDICT_TEXT[cell.verdict])}">${value}${difference}<span class="visually-hidden"> (${escapeHtml(VERDICT_TEXT[cell.verdict])})</span></td>`;
        })
        .join('');
      const name =
        row.id === 'overall' ? `<strong>${escapeHtml(row.name)}</strong>` : escapeHtml(row.name);
      return `<tr><th scope="row">${name}</th>${cells}</tr>`;
    })
    .join('');
  return `<table class="plain compare"><caption>${escapeHtml(title)}: each entry against the first (▲ significantly better, ▼ significantly worse, ≈ not separable, under the paired bootstrap)</caption><thead><tr><th scope="col">Task</th>${heads}</tr></thead><tbody>${body}</tbody></table>`;
}

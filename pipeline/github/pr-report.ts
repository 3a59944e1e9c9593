/**
 * The preliminary report of a submission pull request, and the comment that shows it.
 *
 * `buildPrReport` runs in the unprivileged pull-request job, from the checker's JSON and the
 * smoke evaluation's leaderboard. `renderPrComment` runs in the comment job, which has write
 * access to pull requests and so treats the report as hostile: it is validated with the schema,
 * task names come from this repository's registry rather than the report, and every message is
 * escaped so it cannot add markdown, HTML or @-mentions.
 */
import { CheckReport } from '../../schemas/check-report.ts';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { PR_REPORT_SCHEMA_VERSION, PrReport } from '../../schemas/pr-report.ts';
import { allTasks } from '../tasks/registry.ts';

export function buildPrReport(input: {
  readonly pullRequest: number;
  readonly headSha: string;
  readonly submission: string;
  readonly check: CheckReport;
  readonly leaderboard: Leaderboard | undefined;
}): PrReport {
  const { leaderboard } = input;
  const entryOf = (track: 'A' | 'B') =>
    leaderboard?.tracks[track].entries.find((entry) => entry.submission === input.submission);
  const standingOf = (track: 'A' | 'B') =>
    leaderboard?.tracks[track].overall.standings.find(
      (standing) => standing.submission === input.submission,
    );
  const rankOf = (track: 'A' | 'B') => {
    const standing = standingOf(track);
    const ranked = leaderboard?.tracks[track].overall.standings.filter(
      (other) => other.status === 'ranked',
    ).length;
    return standing?.rank && ranked
      ? {
          rank: standing.rank,
          best: standing.rankInterval?.best ?? null,
          worst: standing.rankInterval?.worst ?? null,
          of: ranked,
        }
      : null;
  };
  const rowA = entryOf('A');
  const rowB = entryOf('B');
  return PrReport.parse({
    schemaVersion: PR_REPORT_SCHEMA_VERSION,
    pullRequest: input.pullRequest,
    headSha: input.headSha,
    submission: input.submission,
    check: {
      passed: input.check.passed,
      items: input.check.checks
        .filter((item) => item.status === 'fail')
        .slice(0, 40)
        .map((item) => ({ id: item.id, status: item.status, message: item.message.slice(0, 500) })),
    },
    scores: (leaderboard?.tasks ?? []).map((task) => ({
      task: task.id,
      trackA: rowA?.scores[task.id] ?? null,
      trackB: rowB?.scores[task.id] ?? null,
    })),
    averages: { A: standingOf('A')?.average ?? null, B: standingOf('B')?.average ?? null },
    ranks: { A: rankOf('A'), B: rankOf('B') },
  });
}

/** Plain text for a markdown table cell or paragraph: no markup, links, HTML or mentions. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!|~<>&]/g, (char) => `&#${char.charCodeAt(0)};`)
    .replace(/@/g, '@\u200b');
}

const score = (value: number | null) => (value === null ? '–' : value.toFixed(3));

/** "2 of 4 (interval 2–3)", as the site shows the rank. */
const rank = (value: PrReport['ranks']['A']) =>
  value === null
    ? '–'
    : `${value.rank} of ${value.of}` +
      (value.best === null || value.worst === null
        ? ''
        : ` (interval ${value.best === value.worst ? value.best : `${value.best}–${value.worst}`})`);

export function renderPrComment(report: PrReport): string {
  const names = new Map(allTasks().map((task) => [task.id, task.name]));
  const name = (id: string) => names.get(id) ?? id;
  const lines = [
    '<!-- audio-encoder-leaderboard:preliminary -->',
    `### Preliminary results for \`${report.submission}\``,
    '',
    `Commit \`${report.headSha.slice(0, 12)}\`. Demo suite only, on a CPU runner: a smoke test, not an official score. Official results come from the evaluation workflow after the pull request is merged.`,
    '',
    report.check.passed
      ? '**Submission checker: passed.**'
      : `**Submission checker: ${report.check.items.length} problem${report.check.items.length === 1 ? '' : 's'}.**`,
    ...report.check.items.map((item) => `- \`${item.id}\`: ${escapeMarkdown(item.message)}`),
    '',
  ];
  if (report.scores.length > 0) {
    lines.push(
      '| Task | Track A | Track B |',
      '| --- | ---: | ---: |',
      ...report.scores.map(
        (row) =>
          `| ${escapeMarkdown(name(row.task))} | ${score(row.trackA)} | ${score(row.trackB)} |`,
      ),
      `| **Weighted average** | **${score(report.averages.A)}** | **${score(report.averages.B)}** |`,
      `| Rank on the demo board | ${rank(report.ranks.A)} | ${rank(report.ranks.B)} |`,
    );
  } else {
    lines.push('No scores: the smoke evaluation did not run or produced no result.');
  }
  return lines.join('\n') + '\n';
}

/**
 * Downloadable forms of the leaderboard: one CSV per track and a BibTeX file. CSV follows
 * RFC 4180 (fields with a comma, quote or line break are quoted, quotes doubled, CRLF line ends);
 * text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
 * return) is prefixed with an apostrophe, because team names come from pull requests.
 */
import { DOMAINS } from '../../schemas/common.ts';
import type { Leaderboard } from '../../schemas/leaderboard.ts';

function csvField(value: string | number | null): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(values: readonly (string | number | null)[]): string {
  return values.map(csvField).join(',');
}

/**
 * UTF-8 byte-order mark. Excel reads a CSV without one in the machine's legacy code page, which
 * garbles non-ASCII names (Université, Chinese team names); with it Excel and LibreOffice both
 * read UTF-8, and RFC 4180 readers that do not expect it see it only before the first header.
 */
export const CSV_BOM = '\uFEFF';

/**
 * The rows of one track in board order: rank as the site shows it, its interval, status,
 * identity and attestations, the averages with intervals, coverage, then every task score.
 */
export function trackCsv(leaderboard: Leaderboard, trackId: 'A' | 'B'): string {
  const track = leaderboard.tracks[trackId];
  const domains = DOMAINS.filter((domain) => track.byDomain[domain] !== undefined);
  const header = [
    'rank',
    'rank_best',
    'rank_worst',
    'status',
    'submission',
    'team',
    'affiliation',
    'model',
    'model_version',
    'baseline',
    'training_data',
    'evaluation_overlap',
    'weighted_average',
    'weighted_average_low',
    'weighted_average_high',
    ...domains.map((domain) => `${domain}_average`),
    'tasks_done',
    'tasks_total',
    ...track.tasks.flatMap((task) => [task, `${task}_low`, `${task}_high`]),
  ];
  const entries = new Map(track.entries.map((entry) => [entry.submission, entry]));
  const lines = track.overall.standings.map((standing) => {
    const submission = leaderboard.submissions.find(
      (candidate) => candidate.slug === standing.submission,
    );
    const entry = entries.get(standing.submission);
    return csvLine([
      standing.rank,
      standing.rankInterval?.best ?? null,
      standing.rankInterval?.worst ?? null,
      standing.status,
      standing.submission,
      submission?.team ?? '',
      submission?.affiliation ?? '',
      submission?.modelName ?? '',
      submission?.modelVersion ?? '',
      submission?.baseline === true ? 'yes' : 'no',
      submission?.trainingDataAvailability ?? '',
      submission?.evaluationDataOverlap ?? '',
      standing.average,
      standing.averageInterval?.low ?? null,
      standing.averageInterval?.high ?? null,
      ...domains.map((domain) => {
        const inDomain = track.byDomain[domain]?.standings.find(
          (candidate) => candidate.submission === standing.submission,
        );
        return inDomain?.status === 'ranked' ? inDomain.average : null;
      }),
      standing.coverage.done,
      standing.coverage.total,
      ...track.tasks.flatMap((task) => [
        entry?.scores[task] ?? null,
        entry?.intervals[task]?.low ?? null,
        entry?.intervals[task]?.high ?? null,
      ]),
    ]);
  });
  return CSV_BOM + [csvLine(header), ...lines].join('\r\n') + '\r\n';
}

/** BibTeX for this leaderboard and for the two works it rebuilds. */
export function citationBibtex(options: {
  readonly siteUrl: string | undefined;
  readonly year: number;
}): string {
  // Without a deployment URL (a local build) the entry has no howpublished field rather than an
  // empty \url{}.
  const howPublished =
    options.siteUrl === undefined ? '' : `  howpublished = {\\url{${options.siteUrl}}},\n`;
  return `@misc{audio_encoder_leaderboard,
  title        = {Audio Encoder Leaderboard: {X-ARES} Track A and Track B, computed at build time},
  year         = {${options.year}},
${howPublished}  note         = {Protocol x-ares-0.1.3 with the deviations stated on its methodology page}
}

@inproceedings{zhang2025xares,
  title         = {{X-ARES}: A Comprehensive Framework for Assessing Audio Encoder Performance},
  author        = {Zhang, Junbo and Dinkel, Heinrich and Niu, Yadong and Liu, Chenyu and Cheng, Si and Zhao, Anbei and Luan, Jian},
  booktitle     = {Proc. Interspeech},
  year          = {2025},
  eprint        = {2505.16369},
  archivePrefix = {arXiv}
}

@misc{zhang2025icmechallenge,
  title         = {The {ICME} 2025 Audio Encoder Capability Challenge},
  author        = {Zhang, Junbo and Dinkel, Heinrich and Song, Qiong and Wang, Helen and Niu, Yadong and Cheng, Si and Xin, Xiaofeng and Li, Ke and Wang, Wenwu and Wang, Yujun and Luan, Jian},
  year          = {2025},
  eprint        = {2501.15302},
  archivePrefix = {arXiv}
}
`;
}

/**
 * Downloadable forms of the leaderboard: one CSV per track and a BibTeX file. CSV follows
 * RFC 4180 (fields with a comma, quote or line break are quoted, quotes doubled, CRLF line ends);
 * text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
 * return) is prefixed with an apostrophe, because team names come from pull requests.
 */
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

/** The rows of one track: identity, averages with intervals, coverage, then every task score. */
export function trackCsv(leaderboard: Leaderboard, trackId: 'A' | 'B'): string {
  const track = leaderboard.tracks[trackId];
  const header = [
    'rank',
    'rank_best',
    'rank_worst',
    'submission',
    'team',
    'affiliation',
    'model',
    'model_version',
    'baseline',
    'weighted_average',
    'weighted_average_low',
    'weighted_average_high',
    'speech_average',
    'sound_average',
    'music_average',
    'tasks_done',
    'tasks_total',
    ...track.tasks.flatMap((task) => [task, `${task}_low`, `${task}_high`]),
  ];
  const lines = track.rows.map((row) => {
    const submission = leaderboard.submissions.find(
      (candidate) => candidate.slug === row.submission,
    );
    return csvLine([
      row.rank,
      row.rankInterval?.best ?? null,
      row.rankInterval?.worst ?? null,
      row.submission,
      submission?.team ?? '',
      submission?.affiliation ?? '',
      submission?.modelName ?? '',
      submission?.modelVersion ?? '',
      submission?.baseline === true ? 'yes' : 'no',
      row.average,
      row.averageInterval?.low ?? null,
      row.averageInterval?.high ?? null,
      row.domainAverages.speech ?? null,
      row.domainAverages.sound ?? null,
      row.domainAverages.music ?? null,
      row.coverage.done,
      row.coverage.total,
      ...track.tasks.flatMap((task) => [
        row.scores[task] ?? null,
        row.intervals[task]?.low ?? null,
        row.intervals[task]?.high ?? null,
      ]),
    ]);
  });
  return [csvLine(header), ...lines].join('\r\n') + '\r\n';
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

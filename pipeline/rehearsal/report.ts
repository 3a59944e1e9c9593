/** The rehearsal's figures as text tables: data, evaluation per protocol, and the control. */
import type { PairFigures, RehearsalReport, TaskFigures } from './rehearse.ts';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

const seconds = (value: number | null | undefined) => (value == null ? '-' : value.toFixed(1));
const score = (value: number | null | undefined) => (value == null ? '-' : value.toFixed(3));
const mib = (bytes: number | null | undefined) =>
  bytes == null || bytes === 0 ? '-' : (bytes / 2 ** 20).toFixed(0);

/**
 * "Clearly above chance": a fifth of the way from chance to the best score the test set allows
 * (0.1 above a chance of 0.5 when a perfect head scores 1). The way, not a fixed margin: FSD50K's
 * mAP averages over all 200 classes, so at a small scale even a perfect head scores about 0.2.
 */
export const ABOVE_CHANCE_SHARE = 0.2;

function chanceThreshold(chance: number, ceiling: number): number {
  return chance + ABOVE_CHANCE_SHARE * (ceiling - chance);
}

export function aboveChance(value: number | null, chance: number, ceiling: number): boolean {
  return value !== null && value >= chanceThreshold(chance, ceiling);
}

/** The control is at chance when it is not clearly above it. */
export function atChance(
  value: number | null | undefined,
  chance: number,
  ceiling: number,
): boolean {
  return value !== null && value !== undefined && value < chanceThreshold(chance, ceiling);
}

function dataTable(report: RehearsalReport): string {
  return table(
    [
      'task',
      'clips',
      'audio h',
      'classes',
      'chance',
      'best',
      'generate s',
      'fetch+verify s',
      ...report.protocols.map((p) => `evaluate s (${p})`),
      'peak MiB (main)',
    ],
    report.tasks.map((task: TaskFigures) => [
      task.task,
      String(Object.values(task.clips).reduce((a, b) => a + b, 0)),
      (task.audioSeconds / 3600).toFixed(3),
      task.classesPresent === undefined ? '-' : String(task.classesPresent),
      score(task.chance),
      score(task.ceiling),
      seconds(task.generateSeconds),
      seconds(task.fetchVerifySeconds),
      ...report.protocols.map((protocol) => seconds(task.evaluateSeconds[protocol])),
      mib(task.mainPeakRssBytes),
    ]),
  );
}

function pairTable(report: RehearsalReport, protocol: string): string {
  const levels = new Map(report.tasks.map((task) => [task.task, task]));
  const rows = report.pairs
    .filter((pair) => pair.protocol === protocol)
    .map((pair: PairFigures) => [
      pair.task,
      pair.submission,
      seconds(pair.encodeStageSeconds),
      seconds(pair.modelSeconds),
      seconds(pair.trackASeconds),
      seconds(pair.trackBSeconds),
      mib(pair.encoderPeakRssBytes),
      score(pair.trackA),
      score(pair.trackB),
      aboveChance(
        pair.trackA,
        levels.get(pair.task)?.chance ?? 0,
        levels.get(pair.task)?.ceiling ?? 1,
      )
        ? 'yes'
        : 'no',
    ]);
  return table(
    [
      'task',
      'submission',
      'encode s',
      'model s',
      'track A s',
      'track B s',
      'encoder MiB',
      'track A',
      'track B',
      'above chance',
    ],
    rows,
  );
}

function controlTable(report: RehearsalReport): string {
  return table(
    ['task', 'chance', 'control (log-mel, labels off by one)', 'at chance'],
    report.tasks.map((task) => [
      task.task,
      score(task.chance),
      score(task.controlScore),
      atChance(task.controlScore, task.chance, task.ceiling) ? 'yes' : 'no',
    ]),
  );
}

export function formatRehearsal(report: RehearsalReport): string {
  const parts = [
    `rehearsal of ${report.tasks.length} public X-ARES tasks at scale ${report.scale} (seed ${report.seed}), ${report.totalSeconds.toFixed(0)} s in all`,
    '',
    'data (chance: the score of a head that learned nothing; best: of a perfect head on this test set; above chance: a fifth of the way from one to the other)',
    dataTable(report),
  ];
  for (const protocol of report.protocols) {
    parts.push(
      '',
      `evaluation, protocol ${protocol} (encode s: the whole encode stage; model s: inside the encoder)`,
      pairTable(report, protocol),
    );
  }
  if (report.tasks.some((task) => task.controlScore !== undefined)) {
    parts.push('', "control: every clip carries the next clip's labels", controlTable(report));
  }
  if (report.failures.length > 0) {
    parts.push(
      '',
      `failed (${report.failures.length}):`,
      ...report.failures.map((line) => `  - ${line}`),
    );
  }
  parts.push(
    '',
    `discovery: ${report.discovery.length} task files rewritten; left out: ${report.leftOut.length === 0 ? 'nothing' : report.leftOut.join('; ')}`,
    `leaderboard rebuilds: ${report.scoringSeconds.toFixed(1)} s; site: ${report.siteSeconds === null ? 'not built' : `${report.siteSeconds.toFixed(1)} s`}`,
  );
  return `${parts.join('\n')}\n`;
}

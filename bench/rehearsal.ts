/**
 * What a full official rebuild costs: the rehearsal (pipeline/rehearsal/) of every public
 * X-ARES task at three scales, each stage's seconds fitted against the task's audio hours
 * (bench/rehearsal-model.ts) and extrapolated to the real suite's hours (datasets.ts), per
 * submission: on this machine, on a 4-core GitHub-hosted runner, and on a GPU runner. Then how
 * `plan`'s matrix spreads a rebuild of ten submissions over its jobs, against the 6-hour limit of
 * a GitHub-hosted job. The report (markdown) goes to stderr and `<out>/rehearsal-bench.md`.
 */
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureExampleModels } from '../pipeline/example-encoders/examples.ts';
import { createMemoryLogger } from '../pipeline/log.ts';
import { REHEARSAL_DATASETS, type RehearsalDataset } from '../pipeline/rehearsal/datasets.ts';
import { getTask } from '../pipeline/tasks/registry.ts';
import type { TaskDefinition } from '../schemas/task.ts';
import { audioHours } from '../pipeline/rehearsal/docs.ts';
import { rehearse, type RehearsalReport } from '../pipeline/rehearsal/rehearse.ts';
import { DEFAULT_MAX_JOBS } from '../pipeline/run/matrix.ts';
import { repeat, type Row } from './measure.ts';
import { OrtSession } from '../pipeline/runtime/ort.ts';
import { BATCH_CLIPS, BATCH_SECONDS, exportTransformer85m, noiseBatch } from './transformer-85m.ts';
import { PLUMBING_FLOORS } from '../pipeline/rehearsal/generate.ts';
import {
  atHours,
  balancedLoad,
  fitLine,
  jobsWithin,
  proportionality,
  roundRobinLoad,
  type Point,
} from './rehearsal-model.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** A GitHub-hosted job stops after six hours. */
const JOB_LIMIT_SECONDS = 6 * 3600;
/** Submissions of the rebuild `plan` is asked to split. */
const REBUILD_SUBMISSIONS = 10;
/**
 * The 85.5M transformer on a GPU, from docs/gpu.md (H200, onnxruntime-node WebGPU, fp32):
 * 16 clips of 10 s in 71.7 ms, 2,232 times real time. An upper bound on the GPU runner's encoder
 * time for the examples, which are smaller.
 */
const GPU_REAL_TIME_FACTOR = 160 / 0.0717;

export interface RehearsalBenchOptions {
  readonly scales: readonly number[];
  readonly repetitions: number;
  readonly submissions: readonly string[];
  /** Where the rehearsals run (one folder per scale) and the report is written. */
  readonly out: string;
}

type Stage = 'fetch' | 'encode' | 'model' | 'trackA' | 'trackB';
const STAGES: readonly Stage[] = ['fetch', 'encode', 'model', 'trackA', 'trackB'];

export interface Measured {
  readonly scale: number;
  readonly report: RehearsalReport;
}

function stageSeconds(
  report: RehearsalReport,
  task: string,
  submission: string,
  stage: Stage,
): number {
  if (stage === 'fetch') {
    return report.tasks.find((entry) => entry.task === task)?.fetchVerifySeconds ?? 0;
  }
  const pair = report.pairs.find((entry) => entry.task === task && entry.submission === submission);
  const value = {
    encode: pair?.encodeStageSeconds,
    model: pair?.modelSeconds,
    trackA: pair?.trackASeconds,
    trackB: pair?.trackBSeconds,
  }[stage];
  return value ?? 0;
}

function hoursOf(report: RehearsalReport, task: string): number {
  return (report.tasks.find((entry) => entry.task === task)?.audioSeconds ?? 0) / 3600;
}

const hours = (seconds: number) => (seconds / 3600).toFixed(1);

/**
 * Seconds per stage of one submission on every task at the real size, from the fits; the model's
 * seconds times `modelFactor` (an encoder of the same output shape, `modelFactor` times slower).
 */
/**
 * Track B's kNN compares every test item with every training item, so its time grows with the
 * product of the two, not with the audio: the rehearsal's scales measure it as about 0 s and a
 * straight line cannot carry it to the real size. It is bounded instead from docs/performance.md's
 * kNN row on this machine: 5,000 queries x 100,000 items x 768 dimensions in 4.01 s.
 */
const KNN_MULTIPLY_ADDS_PER_SECOND = (5_000 * 100_000 * 768) / 4.01;

/** Items a clip of the dataset is scored as (its crops, at least one). */
function itemsPerClip(dataset: RehearsalDataset, task: TaskDefinition): number {
  return task.cropSeconds === undefined
    ? 1
    : Math.max(1, Math.floor(dataset.meanSeconds / task.cropSeconds));
}

/**
 * The kNN's seconds on the real suite's items: the test split against the train split, or each
 * fold against the other folds, `dims` multiply-adds per pair of items.
 */
export function knnSeconds(dataset: RehearsalDataset, task: TaskDefinition, dims: number): number {
  if (!task.trackB) {
    return 0;
  }
  const items = (group: string) => (dataset.clips[group] ?? 0) * itemsPerClip(dataset, task);
  const groups = Object.keys(dataset.clips);
  const pairs =
    task.splits.kind === 'folds'
      ? groups.reduce((sum, fold) => {
          const all = groups.reduce((total, group) => total + items(group), 0);
          return sum + items(fold) * (all - items(fold));
        }, 0)
      : items('test') * items('train');
  return (pairs * dims) / KNN_MULTIPLY_ADDS_PER_SECOND;
}

function extrapolate(
  measured: readonly Measured[],
  submission: string,
  dims: number,
  modelFactor = 1,
) {
  return REHEARSAL_DATASETS.map((dataset) => {
    const real = audioHours(dataset);
    const perStage = Object.fromEntries(
      STAGES.map((stage) => {
        const points: Point[] = measured.map(({ report }) => ({
          hours: hoursOf(report, dataset.task),
          seconds: stageSeconds(report, dataset.task, submission, stage),
        }));
        const line = fitLine(points);
        return [stage, { seconds: atHours(line, real), proportion: proportionality(points) }];
      }),
    ) as Record<Stage, { seconds: number; proportion: number }>;
    // The model runs inside the encode stage: fitted apart, noise can put it above.
    if (perStage.model.seconds > perStage.encode.seconds) {
      perStage.model = { ...perStage.model, seconds: perStage.encode.seconds };
    }
    const knn = knnSeconds(dataset, getTask(dataset.task), dims);
    if (knn > perStage.trackB.seconds) {
      perStage.trackB = { ...perStage.trackB, seconds: knn };
    }
    if (modelFactor !== 1) {
      const extra = perStage.model.seconds * (modelFactor - 1);
      perStage.model = { ...perStage.model, seconds: perStage.model.seconds + extra };
      perStage.encode = { ...perStage.encode, seconds: perStage.encode.seconds + extra };
    }
    return { task: dataset.task, realHours: real, perStage };
  });
}

/** A runner's seconds for one pair: the stages it runs, scaled as the runner would run them. */
function runnerSeconds(
  stages: Record<Stage, { seconds: number }>,
  realHours: number,
  runner: '2-core' | '4-core' | 'gpu',
): number {
  const model = stages.model.seconds;
  const rest = Math.max(
    0,
    stages.encode.seconds - stages.model.seconds + stages.trackA.seconds + stages.trackB.seconds,
  );
  switch (runner) {
    case '2-core':
      return model + rest;
    case '4-core':
      // At best twice as fast as two cores: the encoder and the heads use every core.
      return (model + rest) / 2;
    case 'gpu':
      // The 85.5M transformer's GPU time bounds any smaller model's; a model smaller still (the
      // log-mel baseline) is no slower than on the runner's 4 cores.
      return Math.min((realHours * 3600) / GPU_REAL_TIME_FACTOR, model / 2) + rest / 2;
  }
}

/** Median CPU seconds of one 16 x 10 s batch through the model at `path`, after a warm-up. */
async function batchSeconds(path: string, repetitions: number): Promise<number> {
  const session = await OrtSession.create(path, { label: path });
  try {
    const feeds = await noiseBatch(path);
    await session.run(feeds);
    return await repeat(repetitions, () => session.run(feeds));
  } finally {
    await session.release();
  }
}

/**
 * How many times slower the 85.5M transformer encodes than the random-transformer example on
 * this machine's CPU, on the same batch: both emit 768-wide frames every 40 ms, so their heads
 * cost the same and only the model stage scales.
 */
export async function transformer85mFactor(repetitions: number): Promise<LargeModelFactor> {
  const out = await mkdtemp(join(tmpdir(), 'bench-rehearsal-85m-'));
  try {
    const exported = exportTransformer85m(ROOT, out);
    if ('skipped' in exported) {
      return exported;
    }
    const large = await batchSeconds(exported.model, repetitions);
    const example = await batchSeconds(
      join(ROOT, 'submissions', 'random-transformer', 'model.onnx'),
      repetitions,
    );
    const audio = BATCH_CLIPS * BATCH_SECONDS;
    return {
      factor: large / example,
      note: `on ${BATCH_CLIPS} x ${BATCH_SECONDS} s, CPU provider, every core: the 85.5M transformer ${large.toFixed(2)} s (${(audio / large).toFixed(0)}x real time), random-transformer ${example.toFixed(2)} s (${(audio / example).toFixed(0)}x real time), factor ${(large / example).toFixed(2)}`,
    };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

export async function rehearsalBenchRows(options: RehearsalBenchOptions): Promise<Row[]> {
  await mkdir(options.out, { recursive: true });
  const submissionsDir = await mkdtemp(join(tmpdir(), 'bench-rehearsal-submissions-'));
  await ensureExampleModels(join(ROOT, 'submissions'), createMemoryLogger());
  for (const slug of options.submissions) {
    await cp(join(ROOT, 'submissions', slug), join(submissionsDir, slug), { recursive: true });
  }
  const measured: Measured[] = [];
  for (const scale of options.scales) {
    const report = await rehearse({
      out: join(options.out, `scale-${scale}`),
      scale,
      submissionsDir,
      protocols: ['leaderboard'],
      control: false,
      // The data grows with the scale (not with the floors that keep heads learning).
      floors: PLUMBING_FLOORS,
      buildSite: false,
      logger: createMemoryLogger(),
    });
    measured.push({ scale, report });
    process.stderr.write(
      `bench: rehearsal at scale ${scale} took ${report.totalSeconds.toFixed(0)} s\n`,
    );
  }
  const large = options.submissions.includes('random-transformer')
    ? await transformer85mFactor(options.repetitions)
    : undefined;
  const { text, rows } = rehearsalBenchReport(measured, options.submissions, large);
  await writeFile(join(options.out, 'rehearsal-bench.md'), text);
  process.stderr.write(text);
  return rows;
}

/** The embedding width a submission's manifest declares (the heads' cost grows with it). */
function embeddingDims(slug: string): number {
  const manifest = JSON.parse(
    readFileSync(join(ROOT, 'submissions', slug, 'manifest.json'), 'utf8'),
  ) as { embeddingDim: number };
  return manifest.embeddingDim;
}

/** The 85.5M transformer's model stage against random-transformer's (see transformer85mFactor). */
export type LargeModelFactor = { factor: number; note: string } | { skipped: string };

/**
 * The report of measured rehearsals (`<out>/scale-<s>/rehearsal.json` holds each): the stages and
 * memory per scale, the full rebuild extrapolated per submission and runner, and plan's matrix.
 */
export function rehearsalBenchReport(
  measured: readonly Measured[],
  submissions: readonly string[],
  large: LargeModelFactor | undefined,
): { text: string; rows: Row[] } {
  const lines: string[] = [
    `# Rehearsal bench: ${availableParallelism()} cores, scales ${measured.map(({ scale }) => scale).join(', ')}, submissions ${submissions.join(', ')}`,
    '',
    '## Measured (seconds per stage and audio hours, each scale)',
    '',
    '| task | submission | ' +
      measured.map(({ scale }) => `h @${scale}`).join(' | ') +
      ' | ' +
      STAGES.map((stage) => measured.map(({ scale }) => `${stage} @${scale}`).join(' | ')).join(
        ' | ',
      ) +
      ' |',
    '| --- | --- | ' +
      measured.map(() => '---:').join(' | ') +
      ' | ' +
      STAGES.map(() => measured.map(() => '---:').join(' | ')).join(' | ') +
      ' |',
  ];
  for (const submission of submissions) {
    for (const dataset of REHEARSAL_DATASETS) {
      lines.push(
        `| ${dataset.task} | ${submission} | ` +
          measured.map(({ report }) => hoursOf(report, dataset.task).toFixed(3)).join(' | ') +
          ' | ' +
          STAGES.map((stage) =>
            measured
              .map(({ report }) => stageSeconds(report, dataset.task, submission, stage).toFixed(1))
              .join(' | '),
          ).join(' | ') +
          ' |',
      );
    }
  }
  // Memory: the main process (decode, heads, scoring) per task, and the encoder's child process
  // per pair; streaming keeps both nearly flat in the audio, which the three scales show.
  const mib = (bytes: number | null | undefined) => ((bytes ?? 0) / 2 ** 20).toFixed(0);
  const scalesHeader = measured.map(({ scale }) => `@${scale}`);
  lines.push(
    '',
    '## Peak resident memory (MiB) at each scale',
    '',
    '| task | main ' +
      scalesHeader.join(' | main ') +
      ' | ' +
      submissions.map((s) => `${s} encoder ${scalesHeader.join(` | ${s} encoder `)}`).join(' | ') +
      ' |',
    '| --- | ' +
      measured.map(() => '---:').join(' | ') +
      ' | ' +
      submissions.map(() => measured.map(() => '---:').join(' | ')).join(' | ') +
      ' |',
  );
  for (const dataset of REHEARSAL_DATASETS) {
    const main = measured.map(({ report }) =>
      mib(report.tasks.find((entry) => entry.task === dataset.task)?.mainPeakRssBytes),
    );
    const encoders = submissions.map((submission) =>
      measured
        .map(({ report }) =>
          mib(
            report.pairs.find(
              (pair) => pair.task === dataset.task && pair.submission === submission,
            )?.encoderPeakRssBytes,
          ),
        )
        .join(' | '),
    );
    lines.push(`| ${dataset.task} | ${main.join(' | ')} | ${encoders.join(' | ')} |`);
  }
  const rows: Row[] = [];
  const rebuild = new Map<string, Record<'4-core' | 'gpu', number[]>>();
  const estimates: { name: string; from: string; factor: number }[] = submissions.map(
    (submission) => ({ name: submission, from: submission, factor: 1 }),
  );
  if (large !== undefined) {
    if ('skipped' in large) {
      lines.push('', `The 85.5M transformer was skipped: ${large.skipped}.`);
    } else {
      lines.push('', `Model stage of the 85.5M transformer: random-transformer's ${large.note}.`);
      estimates.push({
        name: 'transformer 85.5M',
        from: 'random-transformer',
        factor: large.factor,
      });
    }
  }
  for (const { name: submission, from, factor } of estimates) {
    const perTask = extrapolate(measured, from, embeddingDims(from), factor);
    lines.push(
      '',
      `## ${submission}: a full rebuild (scale 1.0), extrapolated` +
        (factor === 1
          ? ''
          : ` (random-transformer's stages, its model ${factor.toFixed(2)} times slower)`),
      '',
      'Track B is the larger of its fitted line and the kNN bound at the real number of items (knnSeconds).',
      '',
      '| task | audio h | fetch+verify h | encode stage h | of it, model h | Track A h | Track B h | proportional (encode, Track A) | 2-core h | 4-core h | GPU h |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
    );
    const costs: Record<'4-core' | 'gpu', number[]> = { '4-core': [], gpu: [] };
    let totals = { '2-core': 0, '4-core': 0, gpu: 0 };
    for (const entry of perTask) {
      const stages = entry.perStage;
      const model = stages.model.seconds;
      const encode = stages.encode.seconds;
      const cost = {
        '2-core': runnerSeconds(stages, entry.realHours, '2-core'),
        '4-core': runnerSeconds(stages, entry.realHours, '4-core'),
        gpu: runnerSeconds(stages, entry.realHours, 'gpu'),
      };
      totals = {
        '2-core': totals['2-core'] + cost['2-core'],
        '4-core': totals['4-core'] + cost['4-core'],
        gpu: totals.gpu + cost.gpu,
      };
      costs['4-core'].push(cost['4-core']);
      costs.gpu.push(cost.gpu);
      lines.push(
        `| ${entry.task} | ${entry.realHours.toFixed(0)} | ${hours(stages.fetch.seconds)} | ${hours(encode)} | ${hours(model)} | ${hours(stages.trackA.seconds)} | ${hours(stages.trackB.seconds)} | ${stages.encode.proportion.toFixed(2)}, ${stages.trackA.proportion.toFixed(2)} | ${hours(cost['2-core'])} | ${hours(cost['4-core'])} | ${hours(cost.gpu)} |`,
      );
    }
    lines.push(
      `| all | | | | | | | | ${hours(totals['2-core'])} | ${hours(totals['4-core'])} | ${hours(totals.gpu)} |`,
    );
    rebuild.set(submission, costs);
    rows.push({
      name: `full rebuild, ${submission}, one protocol`,
      baseline: '2 cores (extrapolated), s',
      baselineSeconds: totals['2-core'],
      measured: 'GPU runner (bound), s',
      measuredSeconds: totals.gpu,
      note: `${submission}: ${hours(totals['2-core'])} h on 2 cores, ${hours(totals['4-core'])} h on a 4-core runner at best, ${hours(totals.gpu)} h on a GPU runner (encoder bounded by docs/gpu.md), per protocol`,
    });
  }
  // Ten submissions like the most expensive one estimated, both protocols, per kind of runner.
  const heaviest = [...rebuild.entries()].sort(
    (a, b) => b[1]['4-core'].reduce((x, y) => x + y, 0) - a[1]['4-core'].reduce((x, y) => x + y, 0),
  )[0];
  if (heaviest) {
    const [submission, perRunner] = heaviest;
    lines.push(
      '',
      `## plan: ${REBUILD_SUBMISSIONS} submissions like ${submission}, both protocols`,
      '',
      '| runner | pairs | jobs | longest job h | against 6 h | runner hours | longest pair h | longest job, longest-first h | jobs for 6 h (--max-jobs) |',
      '| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    );
    for (const runner of ['4-core', 'gpu'] as const) {
      const perTask = perRunner[runner];
      // plan deals each protocol's pending pairs (submission by submission, task by task) into
      // the same jobs: with two protocols of equal cost, every job gets its share twice.
      const pairs = Array.from({ length: REBUILD_SUBMISSIONS }, () => perTask).flat();
      const one = roundRobinLoad(pairs, Math.min(DEFAULT_MAX_JOBS, pairs.length));
      const planned = { jobs: one.jobs, longest: 2 * one.longest, total: 2 * one.total };
      const bound = balancedLoad([...pairs, ...pairs], planned.jobs);
      // plan deals both protocols' pairs alike, so the jobs that fit one protocol's share in
      // half the limit fit both.
      const needed = jobsWithin(pairs, JOB_LIMIT_SECONDS / 2);
      lines.push(
        `| ${runner === 'gpu' ? 'GPU' : '4-core'} | ${2 * pairs.length} | ${planned.jobs} | ${hours(planned.longest)} | ${planned.longest > JOB_LIMIT_SECONDS ? 'over' : 'within'} | ${hours(planned.total)} | ${hours(Math.max(...perTask))} | ${hours(bound.longest)} | ${needed === undefined ? 'none: one pair is longer' : String(needed)} |`,
      );
    }
  }
  return { text: `${lines.join('\n')}\n`, rows };
}

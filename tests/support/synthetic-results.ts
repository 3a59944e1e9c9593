/**
 * A results folder of many synthetic submissions on the 27 X-ARES tasks, valid against every
 * schema, for the site's browser tests and the site benchmark (never for the real board): result
 * and measurement files with paired bootstrap replicates, failure records, and the
 * leaderboard.json, efficiency.json and status.json that scoring them gives.
 *
 * What a board of that size has and a demo board does not: near ties and clear gaps, entries
 * evaluated on some tasks only and entries not evaluated at all, failed pairs, baselines, long and
 * non-ASCII names, and every training-data attestation.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGGREGATE_LINE_WIDTH, formatJson } from '../../schemas/json-text.ts';
import { Efficiency, Leaderboard } from '../../schemas/leaderboard.ts';
import { SubmissionManifest } from '../../schemas/manifest.ts';
import { DEFAULT_PROTOCOL, PROTOCOLS } from '../../schemas/protocols.ts';
import { withDigest } from '../../schemas/result-digest.ts';
import {
  MEASUREMENTS_SCHEMA_VERSION,
  RESULT_SCHEMA_VERSION,
  TaskMeasurementsFile,
  TaskResultFile,
  type TaskResult,
} from '../../schemas/result.ts';
import {
  efficiencyFile,
  failureFile,
  leaderboardFile,
  measurementsFile,
  resultFile,
  statusFile,
} from '../../schemas/results-layout.ts';
import { FailureRecord, StatusFile } from '../../schemas/status.ts';
import type { TaskDefinition } from '../../schemas/task.ts';
import { interval95 } from '../../schemas/statistics.ts';
import {
  buildEfficiency,
  buildLeaderboard,
  buildStatus,
  type ResultTable,
} from '../../pipeline/scoring/aggregate.ts';
import { BOOTSTRAP_REPLICATES } from '../../pipeline/metrics/bootstrap.ts';
import { getSuite, suiteTasks } from '../../pipeline/suites/index.ts';
import type { Submission } from '../../pipeline/submissions/scan.ts';
import { ENGINE_VERSION } from '../../pipeline/protocol.ts';
import { SeededRandom } from '../../pipeline/util/random.ts';

export interface SyntheticOptions {
  readonly submissions: number;
  /** Bootstrap replicates per result (the pipeline stores 1000). */
  readonly replicates?: number;
  readonly seed?: number;
}

const TEAMS = [
  'Université Paris-Saclay',
  '清华大学 语音与音频技术实验室',
  'Audio Lab',
  'Speech and Hearing Group of a Very Long Institute Name That Goes On and On',
  'Ørsted Acoustics',
  'München Signal Processing',
  'Independent',
];
const MODELS = ['dasheng', 'whisper-enc', 'beats', 'wav2vec', 'eat', 'ced', 'atst', 'byol-a'];

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The 27 X-ARES tasks, the disabled ones enabled so every column has scores. */
export function syntheticTasks(): TaskDefinition[] {
  return suiteTasks(getSuite('xares')).map((task) => ({ ...task, disabled: false }));
}

function manifestOf(index: number, random: SeededRandom): SubmissionManifest {
  const team = TEAMS[index % TEAMS.length] as string;
  const model = MODELS[index % MODELS.length] as string;
  const availability = (['public', 'public', 'public', 'not-public', 'unknown'] as const)[
    index % 5
  ];
  return SubmissionManifest.parse({
    team: index % 11 === 3 ? `${team} ${index}` : team,
    affiliation: `${team}, department ${index % 4}`,
    model: {
      name:
        index % 13 === 5
          ? `${model}-extremely-long-model-name-with-many-parts-${index}`
          : `${model}-${index}`,
      version: `${1 + (index % 3)}.0`,
    },
    description: `Synthetic entry ${index} for the site tests.`,
    license: 'MIT',
    trainingData: {
      description: 'Synthetic.',
      availability,
      evaluationOverlap: index % 7 === 6 ? 'unknown' : 'none',
    },
    encoder: {
      file: 'model.onnx',
      sha256: sha(`model ${index}`),
      sizeBytes: 1000 + Math.round(random.uniform(0, 1e6)),
    },
    sampleRate: 16000,
    embeddingDim: 768,
    hopMs: 40,
    maxInputSeconds: 10,
    baseline: index % 50 === 0,
  });
}

/** Write the folder; returns the leaderboard it holds. */
export async function writeSyntheticResults(
  dir: string,
  options: SyntheticOptions,
): Promise<Leaderboard> {
  const random = new SeededRandom(options.seed ?? 1, 'synthetic-results');
  const replicates = options.replicates ?? BOOTSTRAP_REPLICATES;
  const tasks = syntheticTasks();
  const suite = { ...getSuite('xares'), taskIds: tasks.map((task) => task.id) };
  const protocol = PROTOCOLS[DEFAULT_PROTOCOL];
  const submissions: Submission[] = [];
  const parameters = new Map<string, number>();
  const results = new Map<string, Map<string, TaskResult>>();
  // Per task a difficulty, and per resample a shared shift: replicates are paired across entries.
  const difficulty = new Map(tasks.map((task) => [task.id, random.uniform(0.2, 0.6)]));
  const shared = new Map(
    tasks.map((task) => [
      task.id,
      Float64Array.from({ length: replicates }, () => random.normal()),
    ]),
  );
  for (let index = 0; index < options.submissions; index++) {
    const slug = `synthetic-${String(index).padStart(4, '0')}`;
    const manifest = manifestOf(index, random);
    const submission: Submission = {
      slug,
      dir: join(dir, 'submissions', slug),
      manifestPath: join(dir, 'submissions', slug, 'manifest.json'),
      manifest,
      modelPath: join(dir, 'submissions', slug, 'model.onnx'),
      modelSha256: manifest.encoder.sha256,
    };
    submissions.push(submission);
    parameters.set(slug, Math.round(10 ** random.uniform(5, 9)));
    // Some entries share a quality (near ties), some stand out.
    const quality = index % 9 === 4 ? 0.55 : random.uniform(0.2, 0.95);
    // Every 17th entry is evaluated on some tasks only; every 41st (from the 28th) on none.
    const pending = index % 41 === 27;
    const partial = index % 17 === 16;
    const byTask = new Map<string, TaskResult>();
    for (const [position, task] of tasks.entries()) {
      if (pending || (partial && position % 3 === 0)) {
        continue;
      }
      if (index % 29 === 7 && position === 2) {
        await writeFile(
          await prepared(failureFile(dir, slug, task.id)),
          formatJson(FailureRecord, {
            schemaVersion: 1,
            submission: slug,
            task: task.id,
            modelSha256: submission.modelSha256,
            failedAt: '2026-11-30T12:00:00.000Z',
            cause: 'submission',
            message: `${slug}/model.onnx: the encoder process ended abnormally (signal SIGSEGV) while encoding ${task.id}-test-000000.tar`,
          }),
        );
        continue;
      }
      const base = (difficulty.get(task.id) as number) + 0.4 * quality;
      const width = random.uniform(0.005, 0.04);
      const trackOutcome = (offset: number) => {
        const score = Math.min(1, Math.max(0, base + offset + 0.02 * random.normal()));
        const values = Array.from({ length: replicates }, (_, b) =>
          Number(
            Math.min(
              1,
              Math.max(
                0,
                score +
                  width *
                    (0.7 * ((shared.get(task.id) as Float64Array)[b] as number) +
                      0.7 * random.normal()),
              ),
            ).toFixed(4),
          ),
        );
        return { score, interval: interval95(values), replicates: values };
      };
      const trackA = trackOutcome(0);
      const trackB = task.trackB ? trackOutcome(-0.15) : null;
      const fingerprint = sha(`${slug}/${task.id}`);
      const result = await withDigest({
        schemaVersion: RESULT_SCHEMA_VERSION,
        suite: suite.id,
        submission: slug,
        task: task.id,
        metric: task.metric,
        fingerprint,
        trackA: {
          ...trackA,
          folds: [
            {
              fold: 'all',
              score: trackA.score,
              bestEpoch: 1,
              validScore: trackA.score,
              testItems: 100,
            },
          ],
        },
        trackB: trackB
          ? { ...trackB, folds: [{ fold: 'all', score: trackB.score, testItems: 100 }] }
          : null,
        samples: { test: 100 },
        audioSeconds: 1000,
        notes: [],
        provenance: {
          protocol: protocol.id,
          engineVersion: ENGINE_VERSION,
          pipelineCommit: 'synthetic',
          modelSha256: submission.modelSha256,
          taskVersion: task.version,
          shards: { 'test.tar': sha(task.id) },
          seed: 42,
          onnxruntime: '1.30.0',
          executionProvider: 'cpu',
          embeddingPrecision: 'float32',
          bootstrap: { replicates, seed: 42 },
        },
      });
      byTask.set(task.id, TaskResultFile.parse(JSON.parse(formatJson(TaskResultFile, result))));
      await writeFile(
        await prepared(resultFile(dir, slug, task.id)),
        formatJson(TaskResultFile, result),
      );
      const seconds = random.uniform(1, 100);
      await writeFile(
        measurementsFile(dir, slug, task.id),
        formatJson(TaskMeasurementsFile, {
          schemaVersion: MEASUREMENTS_SCHEMA_VERSION,
          submission: slug,
          task: task.id,
          fingerprint,
          evaluatedAt: '2026-12-01T09:00:00.000Z',
          encodeSeconds: seconds,
          encodedSeconds: seconds * 10 ** random.uniform(1, 3.5),
          realTimeFactor: 100,
          headSeconds: 1,
          peakRssBytes: 500_000_000,
          executionProvider: 'cpu',
          host: { cpu: 'Synthetic CPU', cores: 2, platform: 'linux-x64' },
        }),
      );
    }
    results.set(slug, byTask);
  }
  const table: ResultTable = results;
  const leaderboard = buildLeaderboard(suite, protocol, tasks, submissions, table, parameters);
  await writeFile(
    await prepared(leaderboardFile(dir)),
    formatJson(Leaderboard, leaderboard, AGGREGATE_LINE_WIDTH),
  );
  await writeFile(
    efficiencyFile(dir),
    formatJson(Efficiency, await buildEfficiency(dir, table, leaderboard)),
  );
  await writeFile(
    statusFile(dir),
    formatJson(StatusFile, await buildStatus(dir, tasks, submissions, table), AGGREGATE_LINE_WIDTH),
  );
  return leaderboard;
}

async function prepared(path: string): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  return path;
}

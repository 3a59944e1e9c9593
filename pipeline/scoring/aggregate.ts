/**
 * Aggregation of per-task results into the leaderboard, as X-ARES `metrics.weighted_average`
 * computes it: sum(score * weight) / sum(weight) over the tasks that ran. A task that did not run
 * has weight 0 (it drops out; coverage says so), a task that ran and scored 0 counts in full.
 *
 * Uncertainty comes from the per-task bootstrap replicates stored in each result. They are
 * paired (replicate b resamples the same test items for every submission), so replicate b of a
 * weighted average, and the ranking of all submissions on replicate b, are meaningful: the 95%
 * intervals of averages and ranks are percentiles over b.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DOMAINS, type Domain, type Track } from '../../schemas/common.ts';
import {
  Efficiency,
  Leaderboard,
  LEADERBOARD_SCHEMA_VERSION,
  type LeaderboardRow,
  type LeaderboardSubmission,
  type LeaderboardTask,
  type LeaderboardTrack,
} from '../../schemas/leaderboard.ts';
import { TaskMeasurements, TaskResult, type Interval } from '../../schemas/result.ts';
import { weightedAverage } from '../../schemas/scoring.ts';
import {
  efficiencyFile,
  leaderboardFile,
  measurementsFile,
  resultFile,
} from '../../schemas/results-layout.ts';
import type { ProtocolInfo } from '../../schemas/protocols.ts';
import type { TaskDefinition } from '../../schemas/task.ts';
import { scanOnnxModel } from '../check/onnx-scan.ts';
import { readJsonFile, writeJsonAtomic } from '../io/files.ts';
import { interval95 } from '../metrics/bootstrap.ts';
import type { SuiteDefinition } from '../suites/index.ts';
import type { Submission } from '../submissions/scan.ts';

export { weightedAverage, type WeightedScore } from '../../schemas/scoring.ts';

/**
 * Replicate b of the weighted average is the weighted average of the tasks' replicates b; null
 * when a task that ran has no replicates, or they differ in number.
 */
export function averageReplicates(
  entries: readonly { readonly replicates: readonly number[]; readonly weight: number }[],
): Float64Array | null {
  const count = entries[0]?.replicates.length ?? 0;
  const total = entries.reduce((sum, entry) => sum + entry.weight, 0);
  if (count === 0 || total === 0 || entries.some((entry) => entry.replicates.length !== count)) {
    return null;
  }
  const out = new Float64Array(count);
  for (const { replicates, weight } of entries) {
    for (let b = 0; b < count; b++) {
      out[b] = (out[b] as number) + ((replicates[b] as number) * weight) / total;
    }
  }
  return out;
}

/** 1 + the number of values strictly greater than `values[i]`: equal values share a rank. */
export function competitionRanks(values: readonly number[]): number[] {
  return values.map((value) => 1 + values.filter((other) => other > value).length);
}

/**
 * 95% interval of each row's rank over the replicates: the 2.5th and 97.5th percentiles of the
 * ranks it gets when every row is ranked on replicate b, for each b.
 */
export function rankIntervals(
  replicates: readonly Float64Array[],
): { best: number; worst: number }[] {
  const count = replicates[0]?.length ?? 0;
  const ranksPerRow = replicates.map(() => new Int32Array(count));
  for (let b = 0; b < count; b++) {
    const values = replicates.map((row) => row[b] as number);
    competitionRanks(values).forEach((rank, row) => {
      (ranksPerRow[row] as Int32Array)[b] = rank;
    });
  }
  return ranksPerRow.map((ranks) => {
    const sorted = Int32Array.from(ranks).sort();
    return {
      best: sorted[Math.floor(0.025 * (count - 1))] as number,
      worst: sorted[Math.ceil(0.975 * (count - 1))] as number,
    };
  });
}

/** Results by submission slug, then task id. */
export type ResultTable = ReadonlyMap<string, ReadonlyMap<string, TaskResult>>;

function trackOf(result: TaskResult | undefined, track: Track) {
  if (!result) {
    return null;
  }
  return track === 'A' ? result.trackA : result.trackB;
}

function trackRows(
  track: Track,
  tasks: readonly TaskDefinition[],
  submissions: readonly Submission[],
  results: ResultTable,
): LeaderboardRow[] {
  const prepared = submissions.map((submission) => {
    const byTask = results.get(submission.slug);
    const scores: Record<string, number | null> = {};
    const intervals: Record<string, Interval | null> = {};
    const replicateEntries: { replicates: readonly number[]; weight: number }[] = [];
    for (const task of tasks) {
      const outcome = trackOf(byTask?.get(task.id), track);
      scores[task.id] = outcome?.score ?? null;
      intervals[task.id] = outcome?.interval ?? null;
      if (outcome && task.weight > 0) {
        replicateEntries.push({ replicates: outcome.replicates, weight: task.weight });
      }
    }
    const entries = (filter: (task: TaskDefinition) => boolean) =>
      tasks.filter(filter).map((task) => ({ score: scores[task.id] ?? null, weight: task.weight }));
    const domainAverages = Object.fromEntries(
      DOMAINS.map((domain: Domain) => [
        domain,
        weightedAverage(entries((task) => task.domain === domain)),
      ]),
    ) as Record<Domain, number | null>;
    const replicates = averageReplicates(replicateEntries);
    return {
      submission: submission.slug,
      average: weightedAverage(entries(() => true)) ?? 0,
      averageInterval: replicates ? interval95(replicates) : null,
      replicates,
      domainAverages,
      coverage: {
        done: tasks.filter((task) => scores[task.id] !== null).length,
        total: tasks.length,
      },
      scores,
      intervals,
    };
  });
  prepared.sort((a, b) => b.average - a.average || a.submission.localeCompare(b.submission));
  const ranks = competitionRanks(prepared.map((row) => row.average));
  const allReplicates = prepared.map((row) => row.replicates);
  const rankRange = allReplicates.every((row): row is Float64Array => row !== null)
    ? rankIntervals(allReplicates)
    : undefined;
  return prepared.map(({ replicates: _replicates, ...row }, index) => ({
    ...row,
    rank: ranks[index] as number,
    rankInterval: rankRange?.[index] ?? null,
  }));
}

function taskSummary(task: TaskDefinition, results: ResultTable): LeaderboardTask {
  // Split sizes depend only on the data and the crop rule, so any submission's result will do.
  const example = [...results.keys()]
    .sort()
    .map((slug) => results.get(slug)?.get(task.id))
    .find((result) => result !== undefined);
  return {
    id: task.id,
    version: task.version,
    name: task.name,
    description: task.description,
    domain: task.domain,
    dataset: task.dataset.name,
    type: task.type,
    metric: task.metric,
    classes: 'classes' in task.labels ? [...task.labels.classes] : [],
    weight: task.weight,
    trackB: task.trackB,
    private: task.private,
    splitSizes: example ? { ...example.samples } : {},
    folds: task.splits.kind === 'folds' ? task.splits.folds.length : 0,
  };
}

function submissionSummary(
  submission: Submission,
  parameters: ReadonlyMap<string, number>,
): LeaderboardSubmission {
  const { manifest } = submission;
  return {
    slug: submission.slug,
    team: manifest.team,
    affiliation: manifest.affiliation,
    modelName: manifest.model.name,
    modelVersion: manifest.model.version,
    description: manifest.description,
    links: { ...manifest.links },
    license: manifest.license,
    baseline: manifest.baseline,
    modelSha256: submission.modelSha256,
    sampleRate: manifest.sampleRate,
    embeddingDim: manifest.embeddingDim,
    hopMs: manifest.hopMs,
    maxInputSeconds: manifest.maxInputSeconds,
    trainingData: manifest.trainingData.description,
    parameters: parameters.get(submission.slug) ?? null,
  };
}

/** Values stored in each submission's ONNX model, read from the model files. */
export async function modelParameters(
  submissions: readonly Submission[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const submission of submissions) {
    const scan = scanOnnxModel(await readFile(submission.modelPath), submission.modelPath);
    if (scan.structure) {
      counts.set(submission.slug, scan.structure.parameters);
    }
  }
  return counts;
}

export function buildLeaderboard(
  suite: SuiteDefinition,
  protocol: ProtocolInfo,
  tasks: readonly TaskDefinition[],
  submissions: readonly Submission[],
  results: ResultTable,
  parameters: ReadonlyMap<string, number> = new Map(),
): Leaderboard {
  const active = tasks.filter((task) => !task.disabled);
  const trackB = active.filter((task) => task.trackB);
  const track = (
    id: Track,
    title: string,
    trackTasks: readonly TaskDefinition[],
  ): LeaderboardTrack => ({
    track: id,
    title,
    tasks: trackTasks.map((task) => task.id),
    rows: trackRows(id, trackTasks, submissions, results),
  });
  return {
    schemaVersion: LEADERBOARD_SCHEMA_VERSION,
    suite: {
      id: suite.id,
      name: suite.name,
      description: suite.description,
      protocol: protocol.id,
    },
    tasks: active.map((task) => taskSummary(task, results)),
    submissions: submissions.map((submission) => submissionSummary(submission, parameters)),
    tracks: {
      A: track('A', 'Track A: linear probe', active),
      B: track('B', 'Track B: kNN', trackB),
    },
  };
}

/**
 * Read the stored result of every (submission, task), keeping only results whose model hash is
 * the submission's current one: a result for an older model is stale and never shown.
 */
export async function readResults(
  resultsDir: string,
  tasks: readonly TaskDefinition[],
  submissions: readonly Submission[],
): Promise<ResultTable> {
  const table = new Map<string, Map<string, TaskResult>>();
  for (const submission of submissions) {
    const byTask = new Map<string, TaskResult>();
    for (const task of tasks) {
      const path = resultFile(resultsDir, submission.slug, task.id);
      if (!existsSync(path)) {
        continue;
      }
      const result = await readJsonFile(path, TaskResult, 'task result');
      if (result.provenance.modelSha256 === submission.modelSha256 && result.task === task.id) {
        byTask.set(task.id, result);
      }
    }
    table.set(submission.slug, byTask);
  }
  return table;
}

/**
 * Speed and memory per submission, from the measurements beside the results it uses: a
 * separate file because these numbers differ from run to run.
 */
export async function buildEfficiency(
  resultsDir: string,
  results: ResultTable,
): Promise<Efficiency> {
  const submissions: Efficiency['submissions'] = [];
  for (const [slug, byTask] of [...results].sort(([a], [b]) => a.localeCompare(b))) {
    let encodeSeconds = 0;
    let encodedSeconds = 0;
    let peakRssBytes = 0;
    const providers = new Set<string>();
    const hosts = new Set<string>();
    let measured = 0;
    for (const [task, result] of byTask) {
      const path = measurementsFile(resultsDir, slug, task);
      if (!existsSync(path)) {
        continue;
      }
      const measurements = await readJsonFile(path, TaskMeasurements, 'task measurements');
      if (measurements.fingerprint !== result.fingerprint) {
        continue;
      }
      measured += 1;
      encodeSeconds += measurements.encodeSeconds;
      encodedSeconds += measurements.encodedSeconds;
      peakRssBytes = Math.max(peakRssBytes, measurements.peakRssBytes);
      providers.add(measurements.executionProvider);
      const { cpu, cores, gpu } = measurements.host;
      hosts.add(gpu ? `${gpu} (${cpu}, ${cores} cores)` : `${cpu}, ${cores} cores`);
    }
    submissions.push({
      submission: slug,
      tasksMeasured: measured,
      encodeSeconds,
      encodedSeconds,
      realTimeFactor: encodeSeconds > 0 ? encodedSeconds / encodeSeconds : null,
      peakRssBytes: peakRssBytes > 0 ? peakRssBytes : null,
      executionProviders: [...providers].sort(),
      hosts: [...hosts].sort(),
    });
  }
  return { schemaVersion: LEADERBOARD_SCHEMA_VERSION, submissions };
}

export async function writeLeaderboard(
  resultsDir: string,
  leaderboard: Leaderboard,
): Promise<void> {
  await writeJsonAtomic(leaderboardFile(resultsDir), Leaderboard, leaderboard);
}

export async function writeEfficiency(resultsDir: string, efficiency: Efficiency): Promise<void> {
  await writeJsonAtomic(efficiencyFile(resultsDir), Efficiency, efficiency);
}

/**
 * Rebuild leaderboard.json and efficiency.json from the results stored under `resultsDir`, the
 * results folder of one protocol.
 */
export async function rebuildLeaderboard(
  resultsDir: string,
  suite: SuiteDefinition,
  protocol: ProtocolInfo,
  tasks: readonly TaskDefinition[],
  submissions: readonly Submission[],
): Promise<Leaderboard> {
  const results = await readResults(resultsDir, tasks, submissions);
  const leaderboard = buildLeaderboard(
    suite,
    protocol,
    tasks,
    submissions,
    results,
    await modelParameters(submissions),
  );
  await writeLeaderboard(resultsDir, leaderboard);
  await writeEfficiency(resultsDir, await buildEfficiency(resultsDir, results));
  return leaderboard;
}

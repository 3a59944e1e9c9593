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
import { dirname, sep } from 'node:path';
import { existsSync } from 'node:fs';
import type { Track } from '../../schemas/common.ts';
import {
  Efficiency,
  Leaderboard,
  LEADERBOARD_SCHEMA_VERSION,
  type LeaderboardSubmission,
  type LeaderboardTask,
  type LeaderboardTrack,
} from '../../schemas/leaderboard.ts';
import { TaskMeasurements, type TaskResult } from '../../schemas/result.ts';
import { buildTrack, paretoFront, type TaskOutcome } from '../../schemas/scoring.ts';
import {
  efficiencyFile,
  failureFile,
  leaderboardFile,
  measurementsFile,
  resultFile,
  statusFile,
} from '../../schemas/results-layout.ts';
import {
  FailureRecord,
  STATUS_SCHEMA_VERSION,
  StatusFile,
  type PairStatus,
} from '../../schemas/status.ts';
import type { ProtocolInfo } from '../../schemas/protocols.ts';
import type { TaskDefinition } from '../../schemas/task.ts';
import { modelStructure } from '../check/scan-cache.ts';
import { PipelineError } from '../errors.ts';
import { AGGREGATE_LINE_WIDTH, readJsonFile, writeJsonAtomic } from '../io/files.ts';
import type { SuiteDefinition } from '../suites/index.ts';
import { skipReason } from '../tasks/availability.ts';
import type { BrokenSubmission, Submission } from '../submissions/scan.ts';
import { readStoredResult } from './stored-result.ts';

export { averageReplicates, weightedAverage } from '../../schemas/statistics.ts';

export { competitionRanks } from '../../schemas/ranks.ts';

/** Results by submission slug, then task id. */
export type ResultTable = ReadonlyMap<string, ReadonlyMap<string, TaskResult>>;

function trackOf(result: TaskResult | undefined, track: Track): TaskOutcome | null {
  const outcome = track === 'A' ? result?.trackA : result?.trackB;
  return outcome ?? null;
}

function track(
  id: Track,
  title: string,
  tasks: readonly TaskDefinition[],
  submissions: readonly Submission[],
  results: ResultTable,
  parameters: ReadonlyMap<string, number>,
): LeaderboardTrack {
  return buildTrack({
    track: id,
    title,
    tasks,
    submissions: submissions.map((submission) => submission.slug),
    outcome: (slug, task) => trackOf(results.get(slug)?.get(task), id),
    parameters,
  });
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
    trainingDataAvailability: manifest.trainingData.availability,
    evaluationDataOverlap: manifest.trainingData.evaluationOverlap,
    parameters: parameters.get(submission.slug) ?? null,
  };
}

/** Values stored in each submission's ONNX model, scanned once per model (check/scan-cache.ts). */
export async function modelParameters(
  submissions: readonly Submission[],
  cacheDir: string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const submission of submissions) {
    const structure = await modelStructure(submission, cacheDir);
    if (structure) {
      counts.set(submission.slug, structure.parameters);
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
      A: track('A', 'Track A: linear probe', active, submissions, results, parameters),
      B: track('B', 'Track B: kNN', trackB, submissions, results, parameters),
    },
  };
}

/**
 * Read the stored result of every (submission, task), keeping only results whose model hash is
 * the submission's current one: a result for an older model is stale and never shown. A result
 * that is damaged or edited (its digest) stops the rebuild, every such file named, so that no
 * leaderboard is ever built from it.
 */
export async function readResults(
  resultsDir: string,
  tasks: readonly TaskDefinition[],
  submissions: readonly Submission[],
): Promise<ResultTable> {
  const table = new Map<string, Map<string, TaskResult>>();
  const problems: string[] = [];
  for (const submission of submissions) {
    const byTask = new Map<string, TaskResult>();
    for (const task of tasks) {
      const stored = await readStoredResult(resultFile(resultsDir, submission.slug, task.id));
      if (stored.status === 'invalid') {
        problems.push(stored.problem);
        continue;
      }
      if (stored.status === 'missing') {
        continue;
      }
      const { result } = stored;
      if (result.provenance.modelSha256 === submission.modelSha256 && result.task === task.id) {
        byTask.set(task.id, result);
      }
    }
    table.set(submission.slug, byTask);
  }
  if (problems.length > 0) {
    throw new PipelineError(
      'RESULT_INVALID',
      `the leaderboard was not rebuilt: ${problems.length} stored result${problems.length === 1 ? ' is' : 's are'} not usable:\n  - ${problems.join('\n  - ')}`,
      {
        hint: 'run `npm run evaluate`: it recomputes exactly these pairs (add --submission or --task to limit it), then rebuilds the leaderboard',
      },
    );
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
  leaderboard: Leaderboard,
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
  const speed = new Map(
    submissions.flatMap((entry) =>
      entry.realTimeFactor === null ? [] : [[entry.submission, entry.realTimeFactor] as const],
    ),
  );
  const front = (track: Track) =>
    paretoFront(
      leaderboard.tracks[track].overall.standings.flatMap((standing) => {
        const factor = speed.get(standing.submission);
        return standing.status === 'ranked' && standing.average !== null && factor !== undefined
          ? [{ submission: standing.submission, score: standing.average, cost: factor }]
          : [];
      }),
      'higher',
    );
  return {
    schemaVersion: LEADERBOARD_SCHEMA_VERSION,
    submissions,
    paretoSpeed: { A: front('A'), B: front('B') },
  };
}

/**
 * Where every (submission, task) pair stands: done (a current result), failed (a failure record
 * for the current model), skipped (the task cannot run here), or pending.
 */
/**
 * A broken folder's message with the runner's submissions folder written as "submissions/": an
 * absolute path means nothing on the site and differs between machines.
 */
function repositoryPaths(text: string, folderDir: string): string {
  return text.replaceAll(`${dirname(folderDir)}${sep}`, `submissions${sep}`);
}

export async function buildStatus(
  resultsDir: string,
  tasks: readonly TaskDefinition[],
  submissions: readonly Submission[],
  results: ResultTable,
  broken: readonly BrokenSubmission[] = [],
): Promise<StatusFile> {
  const pairs: PairStatus[] = [];
  for (const submission of submissions) {
    for (const task of tasks.filter((candidate) => !candidate.disabled)) {
      const pair = { submission: submission.slug, task: task.id };
      const result = results.get(submission.slug)?.get(task.id);
      if (result) {
        const path = measurementsFile(resultsDir, submission.slug, task.id);
        const measurements = existsSync(path)
          ? await readJsonFile(path, TaskMeasurements, 'task measurements')
          : undefined;
        pairs.push({
          ...pair,
          state: 'done',
          reason: null,
          date: measurements?.evaluatedAt ?? null,
        });
        continue;
      }
      const failurePath = failureFile(resultsDir, submission.slug, task.id);
      const failure = existsSync(failurePath)
        ? await readJsonFile(failurePath, FailureRecord, 'failure record')
        : undefined;
      if (failure && failure.modelSha256 === submission.modelSha256) {
        pairs.push({
          ...pair,
          state: 'failed',
          reason: `${{ data: 'the task data', submission: 'the model', environment: 'the machine' }[failure.cause]}: ${failure.message}`,
          date: failure.failedAt,
        });
        continue;
      }
      const skipped = skipReason(task);
      pairs.push({
        ...pair,
        state: skipped === undefined ? 'pending' : 'skipped',
        reason: skipped ?? null,
        date: null,
      });
    }
  }
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    pairs,
    brokenFolders: [...broken]
      .sort((a, b) => a.folder.localeCompare(b.folder))
      .map((folder) => ({
        folder: folder.folder,
        message: repositoryPaths(folder.message, folder.dir).slice(0, 4000),
        hint:
          folder.hint === undefined
            ? null
            : repositoryPaths(folder.hint, folder.dir).slice(0, 1000),
      })),
  };
}

export async function writeLeaderboard(
  resultsDir: string,
  leaderboard: Leaderboard,
): Promise<void> {
  await writeJsonAtomic(
    leaderboardFile(resultsDir),
    Leaderboard,
    leaderboard,
    AGGREGATE_LINE_WIDTH,
  );
}

export async function writeEfficiency(resultsDir: string, efficiency: Efficiency): Promise<void> {
  await writeJsonAtomic(efficiencyFile(resultsDir), Efficiency, efficiency);
}

/**
 * Rebuild leaderboard.json and efficiency.json from the results stored under `resultsDir`, the
 * results folder of one protocol; `cacheDir` keeps the models' scanned parameter counts.
 */
export async function rebuildLeaderboard(
  resultsDir: string,
  suite: SuiteDefinition,
  protocol: ProtocolInfo,
  tasks: readonly TaskDefinition[],
  submissions: readonly Submission[],
  cacheDir: string,
  broken: readonly BrokenSubmission[],
): Promise<Leaderboard> {
  const results = await readResults(resultsDir, tasks, submissions);
  const leaderboard = buildLeaderboard(
    suite,
    protocol,
    tasks,
    submissions,
    results,
    await modelParameters(submissions, cacheDir),
  );
  await writeLeaderboard(resultsDir, leaderboard);
  await writeEfficiency(resultsDir, await buildEfficiency(resultsDir, results, leaderboard));
  await writeJsonAtomic(
    statusFile(resultsDir),
    StatusFile,
    await buildStatus(resultsDir, tasks, submissions, results, broken),
    AGGREGATE_LINE_WIDTH,
  );
  return leaderboard;
}

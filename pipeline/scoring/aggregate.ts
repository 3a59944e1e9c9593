/**
 * Aggregation of per-task results into the leaderboard, as X-ARES `metrics.weighted_average`
 * computes it: sum(score * weight) / sum(weight) over the tasks that ran. A task that did not run
 * has weight 0 (it drops out; coverage says so), a task that ran and scored 0 counts in full.
 */
import { existsSync } from 'node:fs';
import { DOMAINS, type Domain, type Track } from '../../schemas/common.ts';
import {
  Leaderboard,
  LEADERBOARD_SCHEMA_VERSION,
  type LeaderboardRow,
  type LeaderboardSubmission,
  type LeaderboardTask,
  type LeaderboardTrack,
} from '../../schemas/leaderboard.ts';
import { TaskResult } from '../../schemas/result.ts';
import { leaderboardFile, resultFile } from '../../schemas/results-layout.ts';
import type { TaskDefinition } from '../../schemas/task.ts';
import { readJsonFile, writeJsonAtomic } from '../io/files.ts';
import { PROTOCOL } from '../protocol.ts';
import type { SuiteDefinition } from '../suites/index.ts';
import type { Submission } from '../submissions/scan.ts';

export interface WeightedScore {
  readonly score: number | null;
  readonly weight: number;
}

/** sum(score * weight) / sum(weight) over entries with a score; null when that weight is 0. */
export function weightedAverage(entries: Iterable<WeightedScore>): number | null {
  let weighted = 0;
  let total = 0;
  for (const { score, weight } of entries) {
    if (score === null) {
      continue;
    }
    weighted += score * weight;
    total += weight;
  }
  return total > 0 ? weighted / total : null;
}

/** Results by submission slug, then task id. */
export type ResultTable = ReadonlyMap<string, ReadonlyMap<string, TaskResult>>;

function trackScore(result: TaskResult | undefined, track: Track): number | null {
  if (!result) {
    return null;
  }
  return track === 'A' ? result.trackA.score : (result.trackB?.score ?? null);
}

function trackRows(
  track: Track,
  tasks: readonly TaskDefinition[],
  submissions: readonly Submission[],
  results: ResultTable,
): LeaderboardRow[] {
  const rows = submissions.map((submission): LeaderboardRow => {
    const byTask = results.get(submission.slug);
    const scores: Record<string, number | null> = {};
    for (const task of tasks) {
      scores[task.id] = trackScore(byTask?.get(task.id), track);
    }
    const entries = (filter: (task: TaskDefinition) => boolean) =>
      tasks.filter(filter).map((task) => ({ score: scores[task.id] ?? null, weight: task.weight }));
    const domainAverages = Object.fromEntries(
      DOMAINS.map((domain: Domain) => [
        domain,
        weightedAverage(entries((task) => task.domain === domain)),
      ]),
    ) as Record<Domain, number | null>;
    return {
      submission: submission.slug,
      average: weightedAverage(entries(() => true)) ?? 0,
      domainAverages,
      coverage: {
        done: tasks.filter((task) => scores[task.id] !== null).length,
        total: tasks.length,
      },
      scores,
    };
  });
  return rows.sort((a, b) => b.average - a.average || a.submission.localeCompare(b.submission));
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

function submissionSummary(submission: Submission): LeaderboardSubmission {
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
  };
}

export function buildLeaderboard(
  suite: SuiteDefinition,
  tasks: readonly TaskDefinition[],
  submissions: readonly Submission[],
  results: ResultTable,
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
    suite: { id: suite.id, name: suite.name, description: suite.description, protocol: PROTOCOL },
    tasks: active.map((task) => taskSummary(task, results)),
    submissions: submissions.map(submissionSummary),
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

export async function writeLeaderboard(
  resultsDir: string,
  leaderboard: Leaderboard,
): Promise<void> {
  await writeJsonAtomic(leaderboardFile(resultsDir), Leaderboard, leaderboard);
}

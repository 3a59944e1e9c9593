import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as broken from '../../helpers/broken-encoders.ts';
import { PROTOCOLS } from '../../../schemas/protocols.ts';
import type { TaskResult } from '../../../schemas/result.ts';
import type { TaskDefinition } from '../../../schemas/task.ts';
import { TaskDefinition as TaskSchema } from '../../../schemas/task.ts';
import {
  averageReplicates,
  buildLeaderboard,
  modelParameters,
  competitionRanks,
  rankIntervals,
  weightedAverage,
} from '../../../pipeline/scoring/aggregate.ts';
import type { Submission } from '../../../pipeline/submissions/scan.ts';
import { SubmissionManifest } from '../../../schemas/manifest.ts';

describe('weightedAverage (X-ARES metrics.weighted_average)', () => {
  it('is sum(score * weight) / sum(weight)', () => {
    // (0.5 * 2000 + 0.8 * 400 + 0.2 * 100) / 2500 = 1340 / 2500 = 0.536
    expect(
      weightedAverage([
        { score: 0.5, weight: 2000 },
        { score: 0.8, weight: 400 },
        { score: 0.2, weight: 100 },
      ]),
    ).toBeCloseTo(0.536, 12);
  });

  it('drops tasks that did not run but counts a score of 0 in full', () => {
    expect(
      weightedAverage([
        { score: 0.9, weight: 1 },
        { score: null, weight: 1000 },
      ]),
    ).toBeCloseTo(0.9, 12);
    expect(
      weightedAverage([
        { score: 0.9, weight: 1 },
        { score: 0, weight: 2 },
      ]),
    ).toBeCloseTo(0.3, 12);
  });

  it('is null when no weight is left', () => {
    expect(weightedAverage([])).toBeNull();
    expect(
      weightedAverage([
        { score: null, weight: 5 },
        { score: 0.4, weight: 0 },
      ]),
    ).toBeNull();
  });
});

function task(
  id: string,
  domain: 'speech' | 'sound' | 'music',
  weight: number,
  trackB: boolean,
): TaskDefinition {
  return TaskSchema.parse({
    id,
    version: 1,
    name: id,
    description: 'test task',
    domain,
    dataset: { name: 'test' },
    type: 'clip',
    metric: 'accuracy',
    labels: { kind: 'single', key: 'label', classes: ['a', 'b'] },
    splits: { kind: 'standard', train: ['train.tar'], valid: ['valid.tar'], test: ['test.tar'] },
    source: { kind: 'generated', generator: 'none' },
    trackB,
    weight,
  });
}

function submission(slug: string): Submission {
  const sha = slug.charCodeAt(0).toString(16).padStart(2, '0').repeat(32);
  return {
    slug,
    dir: `submissions/${slug}`,
    manifestPath: `submissions/${slug}/manifest.json`,
    modelPath: `submissions/${slug}/model.onnx`,
    modelSha256: sha,
    manifest: SubmissionManifest.parse({
      team: `Team ${slug}`,
      affiliation: 'Lab',
      model: { name: slug, version: '1' },
      description: 'd',
      license: 'MIT',
      trainingData: { description: 'none', publicDataOnly: true, excludesEvaluationData: true },
      encoder: { file: 'model.onnx', sha256: sha, sizeBytes: 1 },
      sampleRate: 16000,
      embeddingDim: 8,
      hopMs: 10,
      maxInputSeconds: 10,
    }),
  };
}

/** Three bootstrap replicates around the score: score - 0.1, score, score + 0.1 (clamped). */
function replicatesOf(score: number): number[] {
  return [Math.max(0, score - 0.1), score, Math.min(1, score + 0.1)];
}

function result(slug: string, taskId: string, a: number, b: number | null): TaskResult {
  const fold = { fold: 'all', score: a, bestEpoch: 1, validScore: a, testItems: 10 };
  const track = (score: number) => ({
    score,
    interval: { low: Math.max(0, score - 0.1), high: Math.min(1, score + 0.1) },
    replicates: replicatesOf(score),
  });
  return {
    schemaVersion: 2,
    suite: 'test',
    submission: slug,
    task: taskId,
    metric: 'accuracy',
    fingerprint: '0'.repeat(64),
    trackA: { ...track(a), folds: [fold] },
    trackB: b === null ? null : { ...track(b), folds: [{ fold: 'all', score: b, testItems: 10 }] },
    samples: { train: 1, valid: 1, test: 10 },
    audioSeconds: 1,
    notes: [],
    provenance: {
      protocol: 'p',
      engineVersion: 1,
      pipelineCommit: 'c',
      modelSha256: '0'.repeat(64),
      taskVersion: 1,
      shards: {},
      seed: 42,
      onnxruntime: '1',
      executionProvider: 'cpu',
      embeddingPrecision: 'float32',
      bootstrap: { replicates: 3, seed: 42 },
    },
  };
}

describe('buildLeaderboard', () => {
  const tasks = [
    task('speech_a', 'speech', 300, true),
    task('sound_b', 'sound', 100, false),
    task('music_c', 'music', 100, true),
  ];
  const suite = { id: 'test', name: 'Test', description: 'd', taskIds: tasks.map((t) => t.id) };
  const submissions = [submission('alpha'), submission('bravo'), submission('charlie')];
  const results = new Map([
    [
      'alpha',
      new Map([
        ['speech_a', result('alpha', 'speech_a', 0.6, 0.5)],
        ['sound_b', result('alpha', 'sound_b', 0.9, null)],
        ['music_c', result('alpha', 'music_c', 0.2, 0.1)],
      ]),
    ],
    ['bravo', new Map([['speech_a', result('bravo', 'speech_a', 0.8, 0.4)]])],
    [
      'charlie',
      new Map([
        ['speech_a', result('charlie', 'speech_a', 0, 0)],
        ['sound_b', result('charlie', 'sound_b', 0, null)],
        ['music_c', result('charlie', 'music_c', 0, 0)],
      ]),
    ],
  ]);
  const leaderboard = buildLeaderboard(suite, PROTOCOLS.leaderboard, tasks, submissions, results);

  it('averages Track A over every task that ran, weighting by the task weight', () => {
    const rows = leaderboard.tracks.A.rows;
    // alpha: (0.6*300 + 0.9*100 + 0.2*100) / 500 = 0.58; bravo ran one task: 0.8; charlie: 0.
    expect(rows.map((row) => [row.submission, row.average])).toEqual([
      ['bravo', 0.8],
      ['alpha', expect.closeTo(0.58, 12)],
      ['charlie', 0],
    ]);
    expect(rows.map((row) => row.coverage)).toEqual([
      { done: 1, total: 3 },
      { done: 3, total: 3 },
      { done: 3, total: 3 },
    ]);
  });

  it('averages Track B over the kNN tasks only', () => {
    expect(leaderboard.tracks.B.tasks).toEqual(['speech_a', 'music_c']);
    const alpha = leaderboard.tracks.B.rows.find((row) => row.submission === 'alpha');
    // (0.5*300 + 0.1*100) / 400 = 0.4
    expect(alpha?.average).toBeCloseTo(0.4, 12);
    expect(alpha?.coverage).toEqual({ done: 2, total: 2 });
  });

  it('reports per-domain averages, null where no task of the domain ran', () => {
    const bravo = leaderboard.tracks.A.rows.find((row) => row.submission === 'bravo');
    expect(bravo?.domainAverages).toEqual({ speech: 0.8, sound: null, music: null });
    expect(bravo?.scores).toEqual({ speech_a: 0.8, sound_b: null, music_c: null });
  });

  it('ranks by average and gives each row the interval of its averaged replicates', () => {
    const rows = leaderboard.tracks.A.rows;
    expect(rows.map((row) => row.rank)).toEqual([1, 2, 3]);
    // alpha's replicates: (0.5*300 + 0.8*100 + 0.1*100) / 500 = 0.48, then 0.58, then
    // (0.7*300 + 1.0*100 + 0.3*100) / 500 = 0.68; the 2.5th/97.5th percentiles of three values
    // interpolate between them: 0.48 + 0.05 * 0.1 = 0.485 and 0.68 - 0.005 = 0.675.
    const alpha = rows.find((row) => row.submission === 'alpha');
    expect(alpha?.averageInterval?.low).toBeCloseTo(0.485, 9);
    expect(alpha?.averageInterval?.high).toBeCloseTo(0.675, 9);
    expect(alpha?.intervals['speech_a']).toEqual({ low: 0.5, high: 0.7 });
    // Replicates: bravo 0.7/0.8/0.9, alpha 0.48/0.58/0.68, charlie 0/0/0.1: ranks never change.
    expect(rows.map((row) => row.rankInterval)).toEqual([
      { best: 1, worst: 1 },
      { best: 2, worst: 2 },
      { best: 3, worst: 3 },
    ]);
  });

  it('breaks ties by slug so the order is stable', () => {
    const tied = buildLeaderboard(
      suite,
      PROTOCOLS.leaderboard,
      tasks,
      [submission('zulu'), submission('alpha')],
      new Map(),
    );
    expect(tied.tracks.A.rows.map((row) => row.submission)).toEqual(['alpha', 'zulu']);
  });
});

describe('bootstrap aggregation', () => {
  it('averages replicates with the task weights, replicate by replicate', () => {
    const average = averageReplicates([
      { replicates: [0.2, 0.4], weight: 3 },
      { replicates: [0.6, 0.0], weight: 1 },
    ]);
    // (0.2*3 + 0.6) / 4 = 0.3 and (0.4*3 + 0) / 4 = 0.3.
    expect(average?.length).toBe(2);
    expect(average?.[0]).toBeCloseTo(0.3, 12);
    expect(average?.[1]).toBeCloseTo(0.3, 12);
    expect(averageReplicates([{ replicates: [], weight: 1 }])).toBeNull();
    expect(
      averageReplicates([
        { replicates: [0.1], weight: 1 },
        { replicates: [0.1, 0.2], weight: 1 },
      ]),
    ).toBeNull();
  });

  it('gives equal values the same competition rank', () => {
    expect(competitionRanks([0.5, 0.9, 0.5, 0.1])).toEqual([2, 1, 2, 4]);
  });

  it('takes the 2.5th and 97.5th percentile ranks over the replicates', () => {
    // 41 replicates: the interval is ranks[1] and ranks[39] of each row's sorted ranks.
    const a = new Float64Array(41).fill(0.9);
    const b = new Float64Array(41).fill(0.5);
    // b beats a on replicates 0, 1 and 2: a's sorted ranks are 1 x 38 then 2 x 3, so its worst
    // (index 39) is 2; b's are 1 x 3 then 2 x 38, so its best (index 1) is 1.
    b[0] = 0.95;
    b[1] = 0.95;
    b[2] = 0.95;
    expect(rankIntervals([a, b])).toEqual([
      { best: 1, worst: 2 },
      { best: 1, worst: 2 },
    ]);
    // A single upset out of 41 stays inside the 2.5% tail.
    const c = new Float64Array(41).fill(0.5);
    c[0] = 0.95;
    expect(rankIntervals([a, c])).toEqual([
      { best: 1, worst: 1 },
      { best: 2, worst: 2 },
    ]);
  });
});

describe('submission facts on the leaderboard', () => {
  it('counts the values stored in each model and carries the manifest facts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parameters-'));
    const modelPath = join(dir, 'model.onnx');
    await writeFile(modelPath, broken.validLogMel());
    const logMel = { ...submission('alpha'), modelPath };
    const counts = await modelParameters([logMel]);
    // DFT basis 402 x 400, filterbank 201 x 64 and 13 values of small constants (see the checker test).
    expect(counts).toEqual(new Map([['alpha', 402 * 400 + 201 * 64 + 13]]));

    const only = task('sound_b', 'sound', 100, true);
    const leaderboard = buildLeaderboard(
      { id: 'test', name: 'Test', description: 'd', taskIds: [only.id] },
      PROTOCOLS.leaderboard,
      [only],
      [logMel, submission('bravo')],
      new Map(),
      counts,
    );
    expect(
      leaderboard.submissions.map((entry) => [
        entry.slug,
        entry.parameters,
        entry.maxInputSeconds,
        entry.trainingData,
      ]),
    ).toEqual([
      ['alpha', 173_677, 10, 'none'],
      ['bravo', null, 10, 'none'],
    ]);
  });
});

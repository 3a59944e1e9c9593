import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as broken from '../../support/broken-encoders.ts';
import { PROTOCOLS } from '../../../schemas/protocols.ts';
import type { TaskResult } from '../../../schemas/result.ts';
import type { TaskDefinition } from '../../../schemas/task.ts';
import { TaskDefinition as TaskSchema } from '../../../schemas/task.ts';
import {
  averageReplicates,
  buildLeaderboard,
  modelParameters,
  competitionRanks,
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
      trainingData: { description: 'none', availability: 'public', evaluationOverlap: 'none' },
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
    schemaVersion: 3,
    digest: null,
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

  const standings = (track: 'A' | 'B') => leaderboard.tracks[track].overall.standings;

  it('ranks only the entries with every task, weighting by the task weight', () => {
    // alpha: (0.6*300 + 0.9*100 + 0.2*100) / 500 = 0.58; charlie: 0; bravo ran one task of three.
    expect(
      standings('A').map((standing) => [
        standing.submission,
        standing.status,
        standing.rank,
        standing.average,
      ]),
    ).toEqual([
      ['alpha', 'ranked', 1, expect.closeTo(0.58, 12)],
      ['charlie', 'ranked', 2, 0],
      // A partial average of 0.8 is listed below, not ranked above alpha.
      ['bravo', 'incomplete', null, 0.8],
    ]);
    expect(standings('A').map((standing) => standing.coverage)).toEqual([
      { done: 3, total: 3 },
      { done: 3, total: 3 },
      { done: 1, total: 3 },
    ]);
    expect(leaderboard.tracks.A.entries.map((entry) => entry.submission)).toEqual([
      'alpha',
      'charlie',
      'bravo',
    ]);
  });

  it('averages Track B over the kNN tasks only', () => {
    expect(leaderboard.tracks.B.tasks).toEqual(['speech_a', 'music_c']);
    const alpha = standings('B').find((standing) => standing.submission === 'alpha');
    // (0.5*300 + 0.1*100) / 400 = 0.4
    expect(alpha?.average).toBeCloseTo(0.4, 12);
    expect(alpha?.coverage).toEqual({ done: 2, total: 2 });
  });

  it('ranks each domain over its own tasks, and each task on its own', () => {
    const speech = leaderboard.tracks.A.byDomain.speech?.standings ?? [];
    // bravo has the only speech task, so it is ranked there, first.
    expect(speech.map((standing) => [standing.submission, standing.rank])).toEqual([
      ['bravo', 1],
      ['alpha', 2],
      ['charlie', 3],
    ]);
    expect(
      leaderboard.tracks.A.byDomain.sound?.standings.map((standing) => standing.status),
    ).toEqual(['ranked', 'ranked', 'pending']);
    expect(Object.keys(leaderboard.tracks.A.byTask)).toEqual(['speech_a', 'sound_b', 'music_c']);
    expect(leaderboard.tracks.A.entries[2]?.scores).toEqual({
      speech_a: 0.8,
      sound_b: null,
      music_c: null,
    });
  });

  it('gives each ranked entry the interval of its averaged replicates and a rank interval', () => {
    // alpha's replicates: (0.5*300 + 0.8*100 + 0.1*100) / 500 = 0.48, then 0.58, then
    // (0.7*300 + 1.0*100 + 0.3*100) / 500 = 0.68; the 2.5th/97.5th percentiles of three values
    // interpolate between them: 0.48 + 0.05 * 0.1 = 0.485 and 0.68 - 0.005 = 0.675.
    const alpha = standings('A')[0];
    expect(alpha?.averageInterval?.low).toBeCloseTo(0.485, 9);
    expect(alpha?.averageInterval?.high).toBeCloseTo(0.675, 9);
    expect(leaderboard.tracks.A.entries[0]?.intervals['speech_a']).toEqual({ low: 0.5, high: 0.7 });
    // alpha (0.48/0.58/0.68) is above charlie (0/0/0.1) in every resample: it beats it.
    expect(standings('A').map((standing) => standing.rankInterval)).toEqual([
      { best: 1, worst: 1 },
      { best: 2, worst: 2 },
      null,
    ]);
  });

  it('breaks ties by slug so the order is stable, and lists entries without results as pending', () => {
    const tied = buildLeaderboard(
      suite,
      PROTOCOLS.leaderboard,
      tasks,
      [submission('zulu'), submission('alpha')],
      new Map(),
    );
    expect(
      tied.tracks.A.overall.standings.map((standing) => [standing.submission, standing.status]),
    ).toEqual([
      ['alpha', 'pending'],
      ['zulu', 'pending'],
    ]);
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
});

describe('submission facts on the leaderboard', () => {
  it('scans each model once: a rebuild reads the count stored under its sha256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parameters-cache-'));
    const cacheDir = join(dir, 'cache');
    const modelPath = join(dir, 'model.onnx');
    await writeFile(modelPath, broken.validLogMel());
    const logMel = { ...submission('alpha'), modelPath };
    const first = await modelParameters([logMel], cacheDir);
    // Bytes that no longer decode: only a rescan would notice, and the same sha256 is not rescanned.
    await writeFile(modelPath, 'not an onnx model');
    expect(await modelParameters([logMel], cacheDir)).toEqual(first);
    // Another sha256 is another model, scanned afresh (and this one has no structure to count).
    const changed = { ...logMel, modelSha256: 'b'.repeat(64) };
    expect(await modelParameters([changed], cacheDir)).toEqual(new Map());
  });

  it('counts the values stored in each model and carries the manifest facts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parameters-'));
    const modelPath = join(dir, 'model.onnx');
    await writeFile(modelPath, broken.validLogMel());
    const logMel = { ...submission('alpha'), modelPath };
    const counts = await modelParameters([logMel], join(dir, 'cache'));
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

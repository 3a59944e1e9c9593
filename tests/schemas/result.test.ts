import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resultIntegrityProblem } from '../../schemas/result-digest.ts';
import { Interval, TaskMeasurements, TaskResult } from '../../schemas/result.ts';
import {
  failureFile,
  measurementsFile,
  pairOfResultFile,
  resultFile,
} from '../../schemas/results-layout.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', name), 'utf8'));

describe('result files of schema version 1', () => {
  it('still parse, upgraded to version 3 without an interval or a digest', async () => {
    const result = TaskResult.parse(fixture('results-v1/demo_sound_events.json'));
    expect(result.schemaVersion).toBe(3);
    // Without a digest it can be shown as what it is, but is never scored as it stands.
    expect(result.digest).toBeNull();
    expect(await resultIntegrityProblem(result, 'v1.json')).toMatch(
      /^v1\.json: \/digest is missing: the file was written before results carried digests/,
    );
    expect(result.trackA).toMatchObject({ score: 0.75, interval: null, replicates: [] });
    expect(result.trackB).toMatchObject({ score: 0.3, interval: null, replicates: [] });
    expect(result.provenance.bootstrap).toEqual({ replicates: 0, seed: 42 });
    expect(result.notes).toEqual(['upgraded from a version 1 result: no bootstrap interval']);
  });

  it('upgrade version 1 measurements, deriving the audio encoded from the real-time factor', () => {
    const measurements = TaskMeasurements.parse({
      schemaVersion: 1,
      submission: 'logmel-baseline',
      task: 'demo_sound_events',
      fingerprint: '5'.repeat(64),
      evaluatedAt: '2026-11-22T10:00:00.000Z',
      encodeSeconds: 2,
      realTimeFactor: 150,
      peakRssBytes: 1000,
      host: { cpu: 'x', cores: 2, platform: 'linux-x64' },
    });
    expect(measurements).toMatchObject({ schemaVersion: 2, encodedSeconds: 300, headSeconds: 0 });
  });

  it('reject a version 2 claim with version 1 content, and an inverted interval', () => {
    const v1 = fixture('results-v1/demo_sound_events.json') as object;
    expect(TaskResult.safeParse({ ...v1, schemaVersion: 2 }).success).toBe(false);
    expect(Interval.safeParse({ low: 0.6, high: 0.5 }).success).toBe(false);
    expect(Interval.safeParse({ low: 0.5, high: 0.5 }).success).toBe(true);
  });
});

describe('pairOfResultFile', () => {
  it('reads back the pair resultFile placed, and nothing else', () => {
    expect(pairOfResultFile(resultFile('/r/results/xares', 'my-model', 'esc50'))).toEqual({
      submission: 'my-model',
      task: 'esc50',
    });
    expect(pairOfResultFile(measurementsFile('/r', 'my-model', 'esc50'))).toBeUndefined();
    expect(pairOfResultFile(failureFile('/r', 'my-model', 'esc50'))).toBeUndefined();
    expect(pairOfResultFile('/r/leaderboard.json')).toBeUndefined();
  });
});

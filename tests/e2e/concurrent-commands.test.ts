/**
 * Commands that share a results folder or a site folder wait for each other (issue 19, finding
 * 9): a `score` started beside an `evaluate` waits for it instead of overwriting its leaderboard;
 * two builds wait for each other. (Stopping a run: tests/e2e/interrupt.test.ts.)
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { leaderboardFile } from '../../schemas/results-layout.ts';
import { BUDGETS } from '../support/budgets.ts';
import { copyOfDemoWorld } from '../support/demo-world.ts';
import { launch, leaderboardProblems, lockHolder, until } from '../support/pipeline-process.ts';

const SLUG = 'logmel-baseline';

describe('commands sharing a folder', { timeout: BUDGETS.pipelineRun }, () => {
  it('makes a score started beside an evaluate wait, so the newer leaderboard is kept', async () => {
    // No embeddings: evaluate encodes, so it still holds the lock when score starts.
    const { work } = await copyOfDemoWorld('lock-score-', {
      without: ['embeddings'],
      results: false,
    });
    const evaluating = launch(work, ['evaluate', '--submission', SLUG, '--task', 'demo_tags']);
    await until(async () => (await lockHolder(work)) !== undefined, 'evaluate to start');
    const scoring = launch(work, ['score']);
    expect((await evaluating.exited).code).toBe(0);
    expect((await scoring.exited).code).toBe(0);
    expect(scoring.output()).toMatch(/is in use by `pipeline evaluate .*`.*waiting for it/);
    const board = Leaderboard.parse(
      JSON.parse(await readFile(leaderboardFile(join(work, 'results')), 'utf8')),
    );
    const entry = board.tracks.A.entries.find((candidate) => candidate.submission === SLUG);
    expect(entry?.scores['demo_tags']).toEqual(expect.any(Number));
    expect(await leaderboardProblems(join(work, 'results'))).toEqual([]);
  });

  it('makes a second build wait for the first instead of colliding in .astro/ and dist/', async () => {
    // With the world's results: both builds reuse them and only build the site.
    const { work } = await copyOfDemoWorld('lock-builds-', { without: ['embeddings'] });
    const site = {
      LEADERBOARD_OUT_DIR: join(work, 'dist'),
      LEADERBOARD_ASTRO_CACHE_DIR: join(work, 'astro-cache'),
    };
    const args = ['build', '--submission', SLUG, '--task', 'demo_tags'];
    const builds = [launch(work, args, 'node', site), launch(work, args, 'node', site)];
    const outcomes = await Promise.all(builds.map((build) => build.exited));
    expect(outcomes.map((outcome) => outcome.code)).toEqual([0, 0]);
    expect(
      builds.filter((build) => /is in use by `pipeline build/.test(build.output())),
    ).toHaveLength(1);
    expect(existsSync(join(work, 'dist', 'index.html'))).toBe(true);
  });
});

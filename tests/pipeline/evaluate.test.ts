import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { failureSummary } from '../../pipeline/run/failures.ts';
import { evaluate, type EvaluateSummary } from '../../pipeline/run/loop.ts';
import { shardOf } from '../../pipeline/run/plan.ts';
import { PipelineError } from '../../pipeline/errors.ts';
import { createMemoryLogger } from '../../pipeline/log.ts';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { leaderboardFile, resultFile, statusFile } from '../../schemas/results-layout.ts';
import { StatusFile } from '../../schemas/status.ts';
import { readJsonFile } from '../../pipeline/io/files.ts';
import {
  externalData,
  nanOutput,
  validLogMel,
  writeSubmission,
} from '../support/broken-encoders.ts';

describe('evaluate with a broken submission among good ones', () => {
  let work: string;
  let error: unknown;
  let logger: ReturnType<typeof createMemoryLogger>;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'evaluate-broken-'));
    const submissions = join(work, 'submissions');
    await writeSubmission(submissions, 'good-encoder', validLogMel());
    await writeSubmission(submissions, 'nan-encoder', nanOutput());
    // Right frames, wrong declared hop: only the checker's dynamic checks see it.
    await writeSubmission(submissions, 'wrong-hop', validLogMel(), { hopMs: 20 });
    // A model the checker would refuse, as if it had reached main without the checker.
    await writeSubmission(submissions, 'leaky-encoder', externalData());
    logger = createMemoryLogger();
    error = await evaluate({
      suiteId: 'demo',
      resultsDir: join(work, 'results'),
      cacheDir: join(work, 'cache'),
      submissionsDir: submissions,
      task: 'demo_sound_events',
      replicates: 50,
      logger,
    }).then(
      (summary: EvaluateSummary) => summary,
      (caught: unknown) => caught,
    );
  });

  it('fails that pair alone, names the problem, and still writes the rest', async () => {
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).message).toBe(
      "3 (submission, task) pairs failed in the submission's model: leaky-encoder x demo_sound_events, nan-encoder x demo_sound_events, wrong-hop x demo_sound_events",
    );
    // Refused by the static scan before onnxruntime loaded it: no encoder ran for it.
    expect(logger.lines.join('\n')).toMatch(
      /error: leaky-encoder x demo_sound_events: model refused by the static ONNX scan, not loaded: .*external data is not accepted/,
    );
    expect(
      logger.lines.filter((line) => line.includes('leaky-encoder x demo_sound_events: evaluating')),
    ).toEqual([]);
    // Refused by the checker's dynamic checks, run once per model before anything is encoded.
    expect(logger.lines.join('\n')).toMatch(
      /error: nan-encoder x demo_sound_events: not evaluated: the checker rejects this encoder \(npm run check -- .*nan-encoder shows the full report\): silence: digital silence gives \d+ NaN or infinite values/,
    );
    expect(logger.lines.join('\n')).toMatch(
      /error: wrong-hop x demo_sound_events: not evaluated: the checker rejects this encoder .*frame-rate: the manifest declares hopMs 20, but the encoder emits one frame every 10\.00 ms .*\(fix: set hopMs to 10: /,
    );
    for (const slug of ['nan-encoder', 'wrong-hop']) {
      expect(
        logger.lines.filter((line) => line.includes(`${slug} x demo_sound_events: evaluating`)),
      ).toEqual([]);
    }
    const results = join(work, 'results');
    expect(existsSync(resultFile(results, 'good-encoder', 'demo_sound_events'))).toBe(true);
    expect(existsSync(resultFile(results, 'nan-encoder', 'demo_sound_events'))).toBe(false);
    const leaderboard = await readJsonFile(leaderboardFile(results), Leaderboard, 'leaderboard');
    const standings = leaderboard.tracks.A.overall.standings;
    expect(
      standings.map((standing) => [standing.submission, standing.status, standing.coverage.done]),
    ).toEqual([
      ['good-encoder', 'incomplete', 1],
      ['leaky-encoder', 'pending', 0],
      ['nan-encoder', 'pending', 0],
      ['wrong-hop', 'pending', 0],
    ]);
    // The status page says why the two have no result.
    const status = await readJsonFile(statusFile(results), StatusFile, 'status');
    const failed = status.pairs.filter((pair) => pair.state === 'failed');
    expect(failed.map((pair) => [pair.submission, pair.task])).toEqual([
      ['leaky-encoder', 'demo_sound_events'],
      ['nan-encoder', 'demo_sound_events'],
      ['wrong-hop', 'demo_sound_events'],
    ]);
    expect(failed[1]?.reason).toMatch(
      /^the model: not evaluated: the checker rejects this encoder/,
    );
  });

  it("checks each model once: a rerun reads the checker's stored verdicts", async () => {
    const rerun = createMemoryLogger();
    const second = await evaluate({
      suiteId: 'demo',
      resultsDir: join(work, 'results'),
      cacheDir: join(work, 'cache'),
      submissionsDir: join(work, 'submissions'),
      task: 'demo_sound_events',
      replicates: 50,
      logger: rerun,
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect((second as PipelineError).message).toBe((error as PipelineError).message);
    expect(rerun.lines.filter((line) => line.includes('running the checker'))).toEqual([]);
    expect(rerun.lines.join('\n')).toMatch(/error: wrong-hop x demo_sound_events: not evaluated/);
  });
});

describe('shardOf', () => {
  it('deals the pending work round-robin so the shards cover it exactly once', () => {
    const work = Array.from({ length: 11 }, (_, i) => i);
    const shards = [1, 2, 3].map((index) => shardOf(work, { index, count: 3 }));
    expect(shards).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7, 10],
      [2, 5, 8],
    ]);
    expect(shardOf(work, undefined)).toEqual(work);
  });
});

describe('failureSummary', () => {
  it('says what failed and gives only the fixes that fit', () => {
    const data = failureSummary([{ id: 'a x t1', message: 'm', cause: 'data' }]);
    expect(data.message).toBe('1 (submission, task) pair failed on its data: a x t1');
    expect(data.hint).toContain('fix the data named above');
    expect(data.hint).not.toContain('submissions');
    const machine = failureSummary([{ id: 'a x t1', message: 'm', cause: 'environment' }]);
    expect(machine.message).toBe(
      '1 (submission, task) pair failed on this machine (a process killed from outside, the disk): a x t1',
    );
    expect(machine.hint).toContain('nothing needs fixing in the submissions or the data');
    expect(machine.hint).not.toContain('fix the submissions');
    const all = failureSummary([
      { id: 'a x t1', message: 'm', cause: 'submission' },
      { id: 'b x t1', message: 'm', cause: 'data' },
    ]);
    expect(all.hint).toMatch(/fix the data named above .* and fix the submissions named above/);
  });
});

describe('evaluate with no submissions', () => {
  it('refuses an empty submissions folder instead of emptying the leaderboard, unless asked', async () => {
    const work = await mkdtemp(join(tmpdir(), 'evaluate-empty-'));
    const submissions = join(work, 'submissions');
    await mkdir(join(submissions, '_template'), { recursive: true });
    const options = {
      suiteId: 'demo',
      resultsDir: join(work, 'results'),
      cacheDir: join(work, 'cache'),
      submissionsDir: submissions,
      task: 'demo_sound_events',
      logger: createMemoryLogger(),
    };
    const error = await evaluate(options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).message).toBe(
      `${submissions} holds no submission folders, so the leaderboard would be emptied`,
    );
    expect((error as PipelineError).hint).toMatch(/--allow-empty/);
    expect(existsSync(leaderboardFile(join(work, 'results')))).toBe(false);
    await evaluate({ ...options, allowEmpty: true });
    const leaderboard = await readJsonFile(
      leaderboardFile(join(work, 'results')),
      Leaderboard,
      'leaderboard',
    );
    expect(leaderboard.tracks.A.overall.standings).toEqual([]);
  });
});

describe('evaluate with broken submission folders beside a good one (issue 19, finding 6)', () => {
  it('fails only the broken folders, each named with its fix, and scores the good one', async () => {
    const work = await mkdtemp(join(tmpdir(), 'evaluate-folders-'));
    const submissions = join(work, 'submissions');
    await writeSubmission(submissions, 'good-encoder', validLogMel(), { team: 'Team A' });
    await writeSubmission(submissions, 'My Encoder', validLogMel());
    await mkdir(join(submissions, 'no-manifest'), { recursive: true });
    await writeSubmission(submissions, 'long-team', validLogMel(), { team: 'x'.repeat(5000) });
    // Reads the same as "Team A" once case is folded: a newcomer passing for that team.
    await writeSubmission(submissions, 'look-alike', validLogMel(), { team: 'TEAM A' });
    const folderManifest = await writeSubmission(submissions, 'folder-manifest', validLogMel());
    await rm(join(folderManifest, 'manifest.json'));
    await mkdir(join(folderManifest, 'manifest.json'));
    const logger = createMemoryLogger();
    const results = join(work, 'results');
    const error = await evaluate({
      suiteId: 'demo',
      resultsDir: results,
      cacheDir: join(work, 'cache'),
      submissionsDir: submissions,
      task: 'demo_sound_events',
      replicates: 50,
      logger,
    }).catch((caught: unknown) => caught);
    expect(existsSync(resultFile(results, 'good-encoder', 'demo_sound_events'))).toBe(true);
    const leaderboard = await readJsonFile(leaderboardFile(results), Leaderboard, 'leaderboard');
    expect(leaderboard.submissions.map((entry) => entry.slug)).toEqual(['good-encoder']);
    expect(error).toBeInstanceOf(PipelineError);
    // Folders, not pairs of a model: none of their pairs ran (issue 27, finding 10).
    expect((error as PipelineError).message).toBe(
      '5 submission folders could not be loaded, so none of their pairs ran: folder-manifest, long-team, My Encoder, no-manifest, look-alike',
    );
    expect((error as PipelineError).hint).toContain('fix the folders named above');
    // The status page lists them, with paths relative to the repository.
    const status = await readJsonFile(statusFile(results), StatusFile, 'status');
    expect(status.brokenFolders.map((folder) => folder.folder)).toEqual([
      'folder-manifest',
      'long-team',
      'look-alike',
      'My Encoder',
      'no-manifest',
    ]);
    expect(status.brokenFolders.find((folder) => folder.folder === 'no-manifest')).toEqual({
      folder: 'no-manifest',
      message: 'submissions/no-manifest: no manifest.json',
      hint: 'copy submissions/_template/manifest.json into the folder and fill it in',
    });
    expect(JSON.stringify(status)).not.toContain(submissions);
    const log = logger.lines.join('\n');
    expect(log).toContain(
      `${join(submissions, 'My Encoder')}: folder name "My Encoder" is not a valid submission slug`,
    );
    expect(log).toContain(`${join(submissions, 'no-manifest')}: no manifest.json`);
    expect(log).toContain(`${join(submissions, 'folder-manifest', 'manifest.json')} is a folder`);
    expect(log).toMatch(
      new RegExp(
        `${join(submissions, 'long-team', 'manifest.json')}: invalid submission manifest\\n.*/team`,
      ),
    );
    expect(log).toContain(
      `${join(submissions, 'look-alike', 'manifest.json')}: team "TEAM A" looks the same as "Team A"`,
    );
  });
});

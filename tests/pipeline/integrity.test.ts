/**
 * Integrity end to end (issue 19, findings 1, 2 and 7): a stored artefact that a score depends
 * on and that was changed after the pipeline wrote it is never scored. A damaged embedding cache
 * file is encoded again (and the fact logged); an edited or truncated result is recomputed by
 * evaluate and refused by score, merge and the site's cross-check with the file and the field.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { temporaryPath } from '../../pipeline/io/files.ts';
import { evaluate } from '../../pipeline/run/loop.ts';
import { PipelineError } from '../../pipeline/errors.ts';
import { createMemoryLogger } from '../../pipeline/log.ts';
import { rebuildLeaderboard } from '../../pipeline/scoring/aggregate.ts';
import { mergeResults } from '../../pipeline/run/merge.ts';
import { PROTOCOLS } from '../../schemas/protocols.ts';
import { getSuite, suiteTasks } from '../../pipeline/suites/index.ts';
import { scanSubmissions } from '../../pipeline/submissions/scan.ts';
import { crossCheckLeaderboard } from '../../schemas/cross-check.ts';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { TaskResult } from '../../schemas/result.ts';
import { leaderboardFile, resultFile } from '../../schemas/results-layout.ts';
import { validLogMel, writeSubmission } from '../support/broken-encoders.ts';

const TASK = 'demo_tags';
const SLUG = 'good-encoder';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

describe('integrity of stored embeddings and results', { timeout: 600_000 }, () => {
  let work: string;
  let submissions: string;
  let results: string;
  let cache: string;
  let path: string;
  let original: string;
  const run = async () => {
    const logger = createMemoryLogger();
    const outcome = await evaluate({
      suiteId: 'demo',
      resultsDir: results,
      cacheDir: cache,
      submissionsDir: submissions,
      task: TASK,
      replicates: 50,
      logger,
    });
    return { outcome, log: logger.lines.join('\n') };
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'integrity-'));
    submissions = join(work, 'submissions');
    results = join(work, 'results');
    cache = join(work, 'cache');
    await writeSubmission(submissions, SLUG, validLogMel());
    await run();
    path = resultFile(results, SLUG, TASK);
    original = await readFile(path, 'utf8');
  });

  it('encodes a cache file again when its values were damaged, and scores as before', async () => {
    const embeddings = filesUnder(join(cache, 'embeddings')).filter((file) =>
      file.endsWith('.emb'),
    );
    expect(embeddings.length).toBeGreaterThan(0);
    // The issue's damage: 8 values of one test shard set to NaN or bit-flipped.
    const target = embeddings.find((file) => file.includes('test')) ?? embeddings.at(0) ?? '';
    const bytes = await readFile(target);
    const end = bytes.length - 32;
    for (let i = 0; i < 8; i++) {
      const at = end - 4 * (1 + i * 37);
      if (i % 2 === 0) {
        bytes.writeFloatLE(Number.NaN, at);
      } else {
        bytes[at + 3] = (bytes[at + 3] as number) ^ 0x40;
      }
    }
    await writeFile(target, bytes);
    await rm(path);
    const { log } = await run();
    expect(log).toMatch(/their checksum/);
    expect(log).toContain(target);
    expect(await readFile(path, 'utf8')).toBe(original);
  });

  it('recomputes an edited result instead of reusing it, naming the field', async () => {
    const edited = JSON.parse(original) as { trackA: { score: number } };
    edited.trackA.score = 0.915;
    await writeFile(path, JSON.stringify(edited, null, 2));
    const { outcome, log } = await run();
    expect(outcome.evaluated).toEqual([`${SLUG} x ${TASK}`]);
    expect(log).toContain(`${path}: /trackA/score is 0.915, but the mean of /trackA/folds is`);
    expect(await readFile(path, 'utf8')).toBe(original);
  });

  it('recomputes a truncated result instead of stopping the run, and removes stale temporary files', async () => {
    await writeFile(path, original.slice(0, original.length / 2));
    // What kill -9 between a write and its rename leaves (pid 2^22 + 1 is above Linux's limit).
    const leftover = temporaryPath(path, 4194305);
    await writeFile(leftover, original.slice(0, 100));
    const { outcome, log } = await run();
    expect(existsSync(leftover)).toBe(false);
    expect(log).toContain(`removed 1 temporary file that an interrupted run left (${leftover})`);
    expect(outcome.evaluated).toEqual([`${SLUG} x ${TASK}`]);
    expect(log).toContain(`${path}: invalid JSON`);
    expect(await readFile(path, 'utf8')).toBe(original);
  });

  it('refuses an edited result in score (the leaderboard rebuild), merge and the site cross-check', async () => {
    const before = await readFile(leaderboardFile(results), 'utf8');
    // An edit that keeps the file self-consistent: only the digest shows it.
    const edited = JSON.parse(original) as {
      trackA: { score: number; folds: { score: number }[] };
    };
    const delta = edited.trackA.score > 0.5 ? -0.1 : 0.1;
    edited.trackA.score = Number((edited.trackA.score + delta).toFixed(6));
    for (const fold of edited.trackA.folds) {
      fold.score = Number((fold.score + delta).toFixed(6));
    }
    await writeFile(path, JSON.stringify(edited, null, 2));
    const expected = `${path}: /digest does not match the rest of the file: the file was changed after the pipeline wrote it`;

    const suite = getSuite('demo');
    const scanned = await scanSubmissions(submissions, cache);
    const rebuilt = await rebuildLeaderboard(
      results,
      suite,
      PROTOCOLS.leaderboard,
      suiteTasks(suite),
      scanned,
      cache,
      [],
    ).catch((error: unknown) => error);
    expect(rebuilt).toBeInstanceOf(PipelineError);
    expect((rebuilt as PipelineError).message).toContain(expected);
    expect((rebuilt as PipelineError).hint).toMatch(/npm run evaluate/);
    // Nothing was written from it.
    expect(await readFile(leaderboardFile(results), 'utf8')).toBe(before);

    const shardJob = join(work, 'shard-1');
    await cp(join(results, 'runs'), join(shardJob, 'runs'), { recursive: true });
    const merged = await mergeResults({
      suiteId: 'demo',
      resultsDir: join(work, 'merged'),
      cacheDir: cache,
      submissionsDir: submissions,
      from: [shardJob],
      logger: createMemoryLogger(),
    }).catch((error: unknown) => error);
    expect(merged).toBeInstanceOf(PipelineError);
    expect((merged as PipelineError).message).toContain(
      `${join(shardJob, 'runs', SLUG, `${TASK}.json`)}: /digest does not match`,
    );

    const board = Leaderboard.parse(JSON.parse(before));
    const stored = TaskResult.parse(JSON.parse(await readFile(path, 'utf8')));
    expect(
      await crossCheckLeaderboard(board, 'leaderboard.json', [{ file: path, result: stored }]),
    ).toEqual([expect.stringContaining(expected)]);
    await writeFile(path, original);
  });

  it("refuses a result at another pair's place by name, in score, merge and the site cross-check (issue 27, finding 6)", async () => {
    const other = 'other-encoder';
    await writeSubmission(submissions, other, validLogMel());
    const misplaced = resultFile(results, other, TASK);
    await mkdir(join(misplaced, '..'), { recursive: true });
    await writeFile(misplaced, original);
    const expected = `${misplaced}: /submission is "${SLUG}", but the file is in runs/${other}/: a result copied or moved to another pair's place is not used`;
    try {
      const suite = getSuite('demo');
      const rebuilt = await rebuildLeaderboard(
        results,
        suite,
        PROTOCOLS.leaderboard,
        suiteTasks(suite),
        await scanSubmissions(submissions, cache),
        cache,
        [],
      ).catch((error: unknown) => error);
      expect(rebuilt).toBeInstanceOf(PipelineError);
      expect((rebuilt as PipelineError).message).toContain(expected);

      const shardJob = join(work, 'shard-misplaced');
      await cp(join(results, 'runs'), join(shardJob, 'runs'), { recursive: true });
      const merged = await mergeResults({
        suiteId: 'demo',
        resultsDir: join(work, 'merged-misplaced'),
        cacheDir: cache,
        submissionsDir: submissions,
        from: [shardJob],
        logger: createMemoryLogger(),
      }).catch((error: unknown) => error);
      expect(merged).toBeInstanceOf(PipelineError);
      expect((merged as PipelineError).message).toContain(
        `${join(shardJob, 'runs', other, `${TASK}.json`)}: /submission is "${SLUG}"`,
      );

      const board = Leaderboard.parse(JSON.parse(await readFile(leaderboardFile(results), 'utf8')));
      const stored = TaskResult.parse(JSON.parse(original));
      expect(
        await crossCheckLeaderboard(board, 'leaderboard.json', [
          { file: misplaced, result: stored },
        ]),
      ).toEqual([expect.stringContaining(expected)]);
    } finally {
      await rm(join(submissions, other), { recursive: true, force: true });
      await rm(join(misplaced, '..'), { recursive: true, force: true });
    }
  });
});

/**
 * The evaluation workflow's data path, run locally: `plan` lists the missing work as a matrix,
 * each shard runs as its own `evaluate --shard i/n` process into its own folder (an artifact in
 * CI), and `merge` validates the folders and rebuilds the leaderboard. The merged results must
 * equal one unsharded run byte for byte, and merge must refuse altered or misplaced files.
 */
import { execFile } from 'node:child_process';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { protocolResultsDir, resultFile } from '../../schemas/results-layout.ts';
import { createMemoryLogger } from '../../pipeline/log.ts';
import { mergeResults } from '../../pipeline/run/merge.ts';
import { REPOSITORY_ROOT } from '../support/build-site.ts';
import { rewriteResult } from '../support/results.ts';
import { BUDGETS } from '../support/budgets.ts';
import { copyOfDemoWorld } from '../support/demo-world.ts';

const TASK = 'demo_sound_events';
const SLUGS = ['logmel-baseline', 'random-conv', 'random-transformer'];

let work: string;
const environment = () => ({
  ...process.env,
  LEADERBOARD_CACHE_DIR: join(work, 'cache'),
  LEADERBOARD_SUBMISSIONS_DIR: join(REPOSITORY_ROOT, 'submissions'),
});

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(REPOSITORY_ROOT, 'pipeline', 'cli.ts'), ...args, '--log-format', 'plain'],
    { cwd: REPOSITORY_ROOT, env: environment(), maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}

const folder = (name: string) => join(work, name);

/** Every result and the leaderboard, of both protocols. */
async function resultsOf(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const protocol of ['leaderboard', 'xares-0.1.3'] as const) {
    const protocolDir = protocolResultsDir(dir, protocol);
    for (const slug of SLUGS) {
      files[`${protocol}/${slug}`] = await readFile(resultFile(protocolDir, slug, TASK), 'utf8');
    }
    files[`${protocol}/leaderboard.json`] = await readFile(
      join(protocolDir, 'leaderboard.json'),
      'utf8',
    );
  }
  return files;
}

const mergeOptions = (from: string[], resultsDir: string) => ({
  suiteId: 'demo',
  resultsDir,
  cacheDir: join(work, 'cache'),
  submissionsDir: join(REPOSITORY_ROOT, 'submissions'),
  from,
  logger: createMemoryLogger(),
});

beforeAll(async () => {
  // The world's shards, checker verdicts and embeddings: what this file tests is planning,
  // sharding and merging, so the runs below only train and score heads.
  ({ work } = await copyOfDemoWorld('shards-', { results: false }));
  // The reference: one unsharded run, under both protocols as the workflows run it.
  await cli(
    'evaluate',
    '--protocol',
    'all',
    '--suite',
    'demo',
    '--task',
    TASK,
    '--results-dir',
    folder('whole'),
  );
}, BUDGETS.demoWorld);

describe('plan, two shards and merge', () => {
  it(
    'gives the same results and leaderboard as one unsharded run',
    async () => {
      const plan = JSON.parse(
        await cli(
          'plan',
          '--protocol',
          'all',
          '--suite',
          'demo',
          '--task',
          TASK,
          '--max-jobs',
          '2',
          '--results-dir',
          folder('merged'),
        ),
      ) as { include: { shard: string; pairs: number }[] };
      // Each protocol's three pairs are dealt round-robin to the two jobs.
      expect(plan).toEqual({
        include: [
          { shard: '1/2', pairs: 4 },
          { shard: '2/2', pairs: 2 },
        ],
      });

      // Each shard is its own process with its own results folder, as on separate runners.
      await Promise.all(
        plan.include.map(({ shard }, index) =>
          cli(
            'evaluate',
            '--protocol',
            'all',
            '--suite',
            'demo',
            '--task',
            TASK,
            '--shard',
            shard,
            '--results-dir',
            folder(`shard-${index}`),
          ),
        ),
      );
      const shardFiles = await Promise.all(
        [0, 1].map(async (index) => readdir(join(folder(`shard-${index}`), 'runs'))),
      );
      expect(shardFiles.flat().sort()).toEqual(SLUGS);

      // The folders as the workflows upload them: every protocol's runs/, no leaderboard.
      for (const index of [0, 1]) {
        for (const protocol of ['leaderboard', 'xares-0.1.3'] as const) {
          await rm(
            join(protocolResultsDir(folder(`shard-${index}`), protocol), 'leaderboard.json'),
          );
        }
      }
      await cli(
        'merge',
        '--protocol',
        'all',
        folder('shard-0'),
        folder('shard-1'),
        '--suite',
        'demo',
        '--results-dir',
        folder('merged'),
      );
      expect(await resultsOf(folder('merged'))).toEqual(await resultsOf(folder('whole')));

      // Nothing is left to do, and merging the same folders again changes nothing.
      expect(
        JSON.parse(
          await cli(
            'plan',
            '--protocol',
            'all',
            '--suite',
            'demo',
            '--task',
            TASK,
            '--results-dir',
            folder('merged'),
          ),
        ),
      ).toEqual({ include: [] });
      const again = await mergeResults(
        mergeOptions([folder('shard-0'), folder('shard-1')], folder('merged')),
      );
      expect(again).toEqual({ merged: [], unchanged: SLUGS.map((slug) => `${slug} x ${TASK}`) });
    },
    BUDGETS.pipelineRun,
  );
});

describe('merge refuses what evaluation did not produce', () => {
  /** A copy of the unsharded run's runs/ folder, altered by `change`. */
  async function altered(name: string, change: (dir: string) => Promise<void>): Promise<string> {
    const dir = folder(name);
    await cp(join(folder('whole'), 'runs'), dir, { recursive: true });
    await change(dir);
    return dir;
  }

  async function editResult(
    dir: string,
    slug: string,
    edit: (result: Record<string, unknown>) => void,
  ) {
    await rewriteResult(join(dir, slug, `${TASK}.json`), edit);
  }

  async function refusal(from: string[], destination: string): Promise<string> {
    const error = await mergeResults(mergeOptions(from, destination)).then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    expect(error?.message).toMatch(/^refusing to merge/);
    // Nothing was written.
    await expect(readdir(destination)).rejects.toThrow();
    return error?.message ?? '';
  }

  it('refuses a result whose fingerprint is not that of the current inputs', async () => {
    const dir = await altered('stale', (d) =>
      editResult(d, 'random-conv', (result) => {
        result['fingerprint'] = 'f'.repeat(64);
      }),
    );
    const message = await refusal([dir], folder('out-stale'));
    expect(message).toContain(join(dir, 'random-conv', `${TASK}.json`));
    expect(message).toContain('does not match the current inputs');
  });

  it('refuses two copies of one result that differ', async () => {
    const dir = await altered('edited', (d) =>
      editResult(d, 'logmel-baseline', (result) => {
        (result['trackA'] as { score: number }).score = 0.99;
      }),
    );
    const message = await refusal([join(folder('whole'), 'runs'), dir], folder('out-edited'));
    expect(message).toContain('differs from');
    expect(message).toContain('one of them was altered');
  });

  it('refuses a result filed under another submission, and files that are not results', async () => {
    const dir = await altered('misplaced', async (d) => {
      await cp(
        join(d, 'random-conv', `${TASK}.json`),
        join(d, 'logmel-baseline', 'demo_timbre.json'),
      );
      await writeFile(join(d, 'random-conv', 'notes.txt'), 'hello');
      await rm(join(d, 'random-transformer'), { recursive: true });
      await writeFile(join(d, 'stray.json'), '{}');
    });
    const message = await refusal([dir], folder('out-misplaced'));
    expect(message).toContain(
      'is the result of random-conv x demo_sound_events, not of the folder',
    );
    expect(message).toContain(`${join(dir, 'random-conv', 'notes.txt')}: unexpected file`);
    expect(message).toContain(`${join(dir, 'stray.json')}: expected only submission folders`);
  });

  it('will not overwrite a stored result with a different one of the same fingerprint', async () => {
    const destination = folder('out-overwrite');
    await cp(folder('whole'), destination, { recursive: true });
    const dir = await altered('overwrite', (d) =>
      editResult(d, 'random-transformer', (result) => {
        (result['trackA'] as { score: number }).score = 0.5;
      }),
    );
    const before = await resultsOf(destination);
    const error = await mergeResults(mergeOptions([dir], destination)).then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    expect(error?.message).toContain('refusing to overwrite it');
    expect(await resultsOf(destination)).toEqual(before);
  });
});

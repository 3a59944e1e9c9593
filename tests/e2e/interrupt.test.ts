/**
 * Stopping and killing evaluate (issue 19, findings 3, 4 and 9): SIGTERM to npm and SIGINT to
 * node stop the whole process tree, rebuild the leaderboard from what finished and say what was
 * kept; a `score` started beside an `evaluate` waits for it instead of overwriting its
 * leaderboard; and kill -9 at 20 seeded random moments never changes what a rerun ends with.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossCheckLeaderboard } from '../../schemas/cross-check.ts';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { TaskResult } from '../../schemas/result.ts';
import { leaderboardFile, runsDir } from '../../schemas/results-layout.ts';
import { SeededRandom } from '../../pipeline/util/random.ts';
import { REPOSITORY_ROOT } from '../helpers/build-site.ts';

const SLUG = 'logmel-baseline';

interface Run {
  readonly pid: number;
  readonly kill: (signal: NodeJS.Signals) => void;
  /** Output so far (the node process's, which outlives npm's). */
  readonly output: () => string;
  /** Resolves when the launched process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when every process writing to the output has ended (npm's child included). */
  readonly closed: Promise<void>;
}

function launch(
  work: string,
  args: readonly string[],
  via: 'node' | 'npm' = 'node',
  environment: Record<string, string> = {},
): Run {
  const [command, argv] =
    via === 'npm'
      ? ['npm', ['run', '--silent', 'pipeline', '--', ...args]]
      : [process.execPath, ['pipeline/cli.ts', ...args]];
  const child = spawn(command, argv, {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      LEADERBOARD_RESULTS_DIR: join(work, 'results'),
      LEADERBOARD_CACHE_DIR: join(work, 'cache'),
      LEADERBOARD_SUBMISSIONS_DIR: join(REPOSITORY_ROOT, 'submissions'),
      CI: 'true',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return {
    pid: child.pid ?? 0,
    kill: (signal) => child.kill(signal),
    output: () => output,
    exited: new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        resolve({ code, signal });
      });
    }),
    closed: new Promise((resolve) => {
      child.stderr.on('close', () => {
        resolve();
      });
    }),
  };
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > 240_000) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid holding the results lock, once a process holds it. */
async function lockHolder(work: string): Promise<number | undefined> {
  try {
    const text = await readFile(join(work, 'results', '.lock'), 'utf8');
    return (JSON.parse(text) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

/** The result files and the leaderboard, by path: what must not depend on interruptions. */
async function deterministicFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) {
    return files;
  }
  for (const name of await readdir(dir, { recursive: true, encoding: 'utf8' })) {
    if (
      name.endsWith('.json') &&
      !name.endsWith('.measurements.json') &&
      !name.endsWith('efficiency.json') &&
      !name.endsWith('status.json')
    ) {
      files.set(name, await readFile(join(dir, name), 'utf8'));
    }
  }
  return files;
}

/** Problems of the leaderboard against the results beside it (the site build's check). */
async function leaderboardProblems(results: string): Promise<string[]> {
  const board = Leaderboard.parse(JSON.parse(await readFile(leaderboardFile(results), 'utf8')));
  const runs = [];
  for (const name of await readdir(runsDir(results), { recursive: true, encoding: 'utf8' })) {
    if (name.endsWith('.json') && !name.includes('.measurements') && !name.includes('.failure')) {
      const file = join(runsDir(results), name);
      runs.push({ file, result: TaskResult.parse(JSON.parse(await readFile(file, 'utf8'))) });
    }
  }
  return await crossCheckLeaderboard(board, 'leaderboard.json', runs);
}

async function temporaryFiles(work: string): Promise<string[]> {
  return (await readdir(work, { recursive: true, encoding: 'utf8' })).filter(
    (name) => name.endsWith('.tmp') || name.endsWith('.lock'),
  );
}

describe('evaluate asked to stop', { timeout: 600_000 }, () => {
  /** A cache with the demo data and the checker's verdicts, but no embeddings. */
  let prepared: string;
  beforeAll(async () => {
    prepared = await mkdtemp(join(tmpdir(), 'interrupt-prepared-'));
    const run = launch(prepared, ['evaluate', '--submission', SLUG, '--task', 'demo_tags']);
    expect((await run.exited).code).toBe(0);
    await rm(join(prepared, 'cache', 'embeddings'), { recursive: true, force: true });
    await rm(join(prepared, 'results'), { recursive: true, force: true });
  });

  async function fresh(name: string): Promise<string> {
    const work = await mkdtemp(join(tmpdir(), `interrupt-${name}-`));
    await cp(join(prepared, 'cache'), join(work, 'cache'), { recursive: true });
    return work;
  }

  it('stops the whole tree on SIGTERM to npm, rebuilds the leaderboard and says what was kept', async () => {
    const work = await fresh('npm');
    const run = launch(work, ['evaluate', '--submission', SLUG], 'npm');
    await until(() => /Track A/.test(run.output()), 'the first result');
    const node = await lockHolder(work);
    expect(node).toBeDefined();
    run.kill('SIGTERM');
    await run.exited;
    await run.closed;
    await until(() => !isRunning(node ?? 0), 'the node process to end');
    expect(run.output()).toMatch(/interrupted by SIGTERM .*: kept [1-9]\d* results? evaluated/);
    expect(run.output()).toContain('leaderboard rebuilt in');
    // Not every task ran: it stopped, it did not finish the work after npm was gone.
    const results = [...(await deterministicFiles(join(work, 'results'))).keys()];
    expect(results.filter((name) => name.startsWith('runs/')).length).toBeLessThan(7);
    expect(await leaderboardProblems(join(work, 'results'))).toEqual([]);
    expect(await temporaryFiles(work)).toEqual([]);
  });

  it('exits 130 on SIGINT to node and 143 on SIGTERM, with the leaderboard rebuilt', async () => {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const work = await fresh(signal);
      const run = launch(work, ['evaluate', '--submission', SLUG]);
      await until(() => /Track A/.test(run.output()), 'the first result');
      run.kill(signal);
      expect((await run.exited).code).toBe(code);
      expect(run.output()).toMatch(new RegExp(`interrupted by ${signal}: kept`));
      expect(await leaderboardProblems(join(work, 'results'))).toEqual([]);
      expect(await temporaryFiles(work)).toEqual([]);
    }
  });

  it('makes a score started beside an evaluate wait, so the newer leaderboard is kept', async () => {
    const work = await fresh('score');
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
    const work = await fresh('builds');
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

  it('ends with the same bytes after kill -9 at 20 random moments, leaving no temporary file', async () => {
    const args = ['evaluate', '--submission', SLUG, '--task', 'demo_tags'];
    const reference = await fresh('reference');
    const started = Date.now();
    expect((await launch(reference, args).exited).code).toBe(0);
    const duration = Date.now() - started;
    const expected = await deterministicFiles(join(reference, 'results'));
    expect(expected.size).toBe(2);

    const random = new SeededRandom(19, 'kill moments');
    const work = await fresh('killed');
    for (let attempt = 0; attempt < 20; attempt++) {
      // A fresh start each time (no results, no embeddings), killed anywhere in a whole run:
      // data checks, encoding, the head, the result writes, the leaderboard rebuild.
      await rm(join(work, 'results'), { recursive: true, force: true });
      await rm(join(work, 'cache', 'embeddings'), { recursive: true, force: true });
      const run = launch(work, args);
      const moment = random.uniform(0, duration);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, moment)), run.exited]);
      run.kill('SIGKILL');
      await run.exited;
      const rerun = launch(work, args);
      const outcome = await rerun.exited;
      expect({ attempt, moment, code: outcome.code }).toEqual({ attempt, moment, code: 0 });
      const files = await deterministicFiles(join(work, 'results'));
      expect({ attempt, moment, files }).toEqual({ attempt, moment, files: expected });
      expect(await temporaryFiles(work)).toEqual([]);
    }
  });
});

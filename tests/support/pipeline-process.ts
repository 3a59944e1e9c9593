/**
 * Pipeline commands run as a user runs them, in a child process, and what a test reads back of
 * their results: the interruption tests, the kill soak and the determinism tests share these.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crossCheckLeaderboard } from '../../schemas/cross-check.ts';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { TaskResult } from '../../schemas/result.ts';
import { leaderboardFile, runsDir } from '../../schemas/results-layout.ts';
import { REPOSITORY_ROOT } from './build-site.ts';
import { BUDGETS } from './budgets.ts';

export interface Run {
  readonly pid: number;
  readonly kill: (signal: NodeJS.Signals) => void;
  /** Output so far (the node process's, which outlives npm's). */
  readonly output: () => string;
  /** Resolves when the launched process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when every process writing to the output has ended (npm's child included). */
  readonly closed: Promise<void>;
  /** Close the reading end of its output, as `| head` does once it has its lines. */
  readonly closeOutput: () => void;
}

export function launch(
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
    closeOutput: () => {
      child.stdout.destroy();
      child.stderr.destroy();
    },
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

export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > BUDGETS.pipelineRun) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid holding the results lock, once a process holds it. */
export async function lockHolder(work: string): Promise<number | undefined> {
  try {
    const text = await readFile(join(work, 'results', '.lock'), 'utf8');
    return (JSON.parse(text) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

/** The result files and the leaderboard, by path: what must not depend on interruptions. */
export async function deterministicFiles(dir: string): Promise<Map<string, string>> {
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
export async function leaderboardProblems(results: string): Promise<string[]> {
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

export async function temporaryFiles(work: string): Promise<string[]> {
  return (await readdir(work, { recursive: true, encoding: 'utf8' })).filter(
    (name) => name.endsWith('.leaderboard-tmp') || name.endsWith('.tmp') || name.endsWith('.lock'),
  );
}

/**
 * Results depend on the inputs only: not on the encoder batch size (no padding ever reaches the
 * encoder), and not on whether a run was killed and resumed (embeddings are cached per shard,
 * heads are seeded).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../pipeline/run/loop.ts';
import { createMemoryLogger } from '../../pipeline/log.ts';
import { resultFile } from '../../schemas/results-layout.ts';
import { REPOSITORY_ROOT } from '../helpers/build-site.ts';

/** Every deterministic file under a results folder (measurements hold timings and are left out). */
async function deterministicFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
      } else if (
        !entry.name.endsWith('.measurements.json') &&
        entry.name !== 'efficiency.json' &&
        entry.name !== 'status.json'
      ) {
        files.set(relative(dir, path), await readFile(path, 'utf8'));
      }
    }
  };
  await walk(dir);
  return files;
}

async function embeddingFiles(cacheDir: string): Promise<string[]> {
  const root = join(cacheDir, 'embeddings');
  if (!existsSync(root)) {
    return [];
  }
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.name.endsWith('.emb')) {
        found.push(path);
      }
    }
  };
  await walk(root);
  return found;
}

describe('results do not depend on the encoder batch size', () => {
  const runs = new Map<number, Map<string, string>>();

  beforeAll(async () => {
    for (const batchSize of [1, 16]) {
      const work = await mkdtemp(join(tmpdir(), `batch-${batchSize}-`));
      for (const task of ['demo_sound_events', 'demo_timbre']) {
        await evaluate({
          suiteId: 'demo',
          resultsDir: join(work, 'results'),
          cacheDir: join(work, 'cache'),
          submissionsDir: join(REPOSITORY_ROOT, 'submissions'),
          task,
          encodeBatchSize: batchSize,
          replicates: 200,
          logger: createMemoryLogger(),
        });
      }
      runs.set(batchSize, await deterministicFiles(join(work, 'results')));
    }
  });

  it('writes byte-identical results and leaderboard with batches of 1 and of 16 crops', () => {
    const one = runs.get(1);
    const sixteen = runs.get(16);
    // Three examples x two tasks, plus the leaderboard.
    expect(one?.size).toBe(7);
    expect(sixteen).toEqual(one);
  });
});

// Two full CLI evaluations and a killed one, about 15 s on an idle 2-core machine.
describe('a run killed with SIGKILL mid-task', { timeout: 300_000 }, () => {
  const slug = 'random-transformer';
  const task = 'demo_speech';

  function runCli(work: string, onStderr?: (text: string) => void) {
    const child = spawn(
      process.execPath,
      ['pipeline/cli.ts', 'evaluate', '--submission', slug, '--task', task],
      {
        cwd: REPOSITORY_ROOT,
        env: {
          ...process.env,
          LEADERBOARD_RESULTS_DIR: join(work, 'results'),
          LEADERBOARD_CACHE_DIR: join(work, 'cache'),
          CI: 'true',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      onStderr?.(stderr);
    });
    const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>(
      (resolve) => {
        child.on('exit', (code, signal) => {
          resolve({ code, signal, stderr });
        });
      },
    );
    return { child, done };
  }

  it('loses no finished shard and ends with the same bytes as a run never interrupted', async () => {
    const reference = await mkdtemp(join(tmpdir(), 'uninterrupted-'));
    expect((await runCli(reference).done).code).toBe(0);

    const work = await mkdtemp(join(tmpdir(), 'killed-'));
    const cacheDir = join(work, 'cache');
    const interrupted = runCli(work);
    // Kill as soon as the first shard's embeddings reach the cache: the other shards and the
    // head's training are still to come.
    let cachedAtKill: string[] = [];
    while (cachedAtKill.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      cachedAtKill = await embeddingFiles(cacheDir);
    }
    interrupted.child.kill('SIGKILL');
    const killed = await interrupted.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(resultFile(join(work, 'results'), slug, task))).toBe(false);

    const resumed = await runCli(work).done;
    expect(resumed.code).toBe(0);
    // The shards finished before the kill were read from the cache, not encoded again.
    expect(resumed.stderr).toMatch(/encoded on cpu, [1-9]\d* from the cache/);
    for (const file of cachedAtKill) {
      expect(existsSync(file)).toBe(true);
    }
    expect(await deterministicFiles(join(work, 'results'))).toEqual(
      await deterministicFiles(join(reference, 'results')),
    );
    // Every write is a temporary file renamed into place: after the resumed run no half-written
    // file is left anywhere, in the results or the caches.
    const leftovers = (await readdir(work, { recursive: true })).filter((name) =>
      /\.(tmp|part)$/.test(name),
    );
    expect(leftovers).toEqual([]);
  });
});

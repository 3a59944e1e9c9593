/**
 * docs/organisers.md, "Walk-through: a task from a folder on your own disk", done exactly as
 * written: in a copy of the repository, the task file is taken from the guide's code block (the
 * registry finds it by its folder, so there is nothing else to register), generated shards are
 * put in a folder, and the guide's `data verify` and `evaluate` commands run offline against it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { TaskResult } from '../../schemas/result.ts';
import { resultFile } from '../../schemas/results-layout.ts';
import { encodeWav } from '../../pipeline/audio/wav.ts';
import { packTar, type ShardEntry } from '../../pipeline/data/webdataset.ts';
import { SeededRandom } from '../../pipeline/util/random.ts';
import { REPOSITORY_ROOT } from '../support/build-site.ts';

const TASK = 'door_knocks';
let repo: string;
let data: string;

interface Run {
  readonly code: number;
  readonly output: string;
}

async function cli(env: Record<string, string>, ...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(repo, 'pipeline', 'cli.ts'), ...args, '--log-format', 'plain'],
      {
        cwd: repo,
        env: {
          PATH: process.env['PATH'] ?? '',
          LEADERBOARD_CACHE_DIR: join(repo, '.cache'),
          ...env,
        },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** One second of a decaying 800 Hz knock, or of quiet noise. */
function clip(kind: 'knock' | 'background', random: SeededRandom): Float32Array {
  return Float32Array.from({ length: 16000 }, (_, t) =>
    kind === 'knock'
      ? 0.6 * Math.exp(-t / 1200) * Math.sin((2 * Math.PI * 800 * t) / 16000) +
        0.01 * random.normal()
      : 0.02 * random.normal(),
  );
}

async function writeShard(name: string, count: number, seed: number): Promise<void> {
  const random = new SeededRandom(seed, name);
  const entries: ShardEntry[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2 === 0 ? 'knock' : 'background';
    entries.push(
      { name: `${name}-${i}.wav`, bytes: encodeWav([clip(label, random)], 16000, 'pcm16') },
      { name: `${name}-${i}.json`, bytes: new TextEncoder().encode(JSON.stringify({ label })) },
    );
  }
  await writeFile(join(data, TASK, `${name}-000000.tar`), await packTar(entries));
}

/** The guide's task file: the ts code block that starts with the file's path. */
function taskFileFromGuide(guide: string): string {
  const block =
    /^( *)```ts\n\1(\/\/ pipeline\/tasks\/xares\/door_knocks\.ts\n[\s\S]*?)^\1```/m.exec(guide);
  if (!block?.[2]) {
    throw new Error('docs/organisers.md has no code block for pipeline/tasks/xares/door_knocks.ts');
  }
  // The block sits in a numbered list: drop the list's indentation.
  const indent = block[1] ?? '';
  return block[2]
    .split('\n')
    .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    .join('\n');
}

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'organiser-task-'));
  repo = join(work, 'repo');
  data = join(work, 'leaderboard-data');
  for (const entry of ['package.json', 'pipeline', 'schemas', 'submissions', 'docs']) {
    await cp(join(REPOSITORY_ROOT, entry), join(repo, entry), { recursive: true });
  }
  await symlink(join(REPOSITORY_ROOT, 'node_modules'), join(repo, 'node_modules'));

  // Step 1: shards in a folder, one folder per task id.
  await mkdir(join(data, TASK), { recursive: true });
  await writeShard('train', 24, 1);
  await writeShard('valid', 8, 2);
  await writeShard('test', 8, 3);

  // Step 2: the task file, verbatim from the guide.
  const guide = await readFile(join(repo, 'docs', 'organisers.md'), 'utf8');
  await writeFile(join(repo, 'pipeline', 'tasks', 'xares', `${TASK}.ts`), taskFileFromGuide(guide));
}, 120_000);

// Each test runs the CLI in a child process (one evaluation included).
describe(
  'a task from an organiser folder, as docs/organisers.md walks through it',
  { timeout: 120_000 },
  () => {
    it('data verify without the location says the task was not checked, and fails', async () => {
      const run = await cli({}, 'data', 'verify', '--suite', 'xares', '--task', TASK);
      expect(run.code).toBe(1);
      expect(run.output).toContain(
        'door_knocks: not checked: private data not available (LEADERBOARD_PRIVATE_DATA_URL is not set)',
      );
      expect(run.output).toContain('suite xares: 0 of 1 tasks checked');
      expect(run.output).not.toContain('every shard is present');
    });

    it('data verify records the shard hashes in the lock file (step 3)', async () => {
      const run = await cli(
        { LEADERBOARD_PRIVATE_DATA_URL: data },
        'data',
        'verify',
        '--suite',
        'xares',
        '--task',
        TASK,
      );
      expect(run.output).toContain('recorded 3 first-seen shard hashes');
      expect(run.output).toContain(
        'suite xares: 1 tasks, 3 shards: every shard is present and matches the lock file',
      );
      expect(run.code).toBe(0);
      const lock = JSON.parse(
        await readFile(join(repo, 'pipeline', 'suites', 'xares.lock.json'), 'utf8'),
      ) as { shards: Record<string, string> };
      expect(Object.keys(lock.shards).filter((key) => key.startsWith(`${TASK}/`))).toEqual([
        'door_knocks/test-000000.tar',
        'door_knocks/train-000000.tar',
        'door_knocks/valid-000000.tar',
      ]);
    });

    it('evaluate scores a submission on it offline, from the folder, given as a file:// URL (step 4)', async () => {
      const run = await cli(
        { LEADERBOARD_PRIVATE_DATA_URL: pathToFileURL(data).href },
        'evaluate',
        '--suite',
        'xares',
        '--task',
        TASK,
        '--submission',
        'logmel-baseline',
      );
      expect(run.output).toMatch(/logmel-baseline x door_knocks: Track A [\d.]+ .*Track B [\d.]+/);
      expect(run.code).toBe(0);
      const path = resultFile(join(repo, 'results', 'xares'), 'logmel-baseline', TASK);
      const result = TaskResult.parse(JSON.parse(await readFile(path, 'utf8')));
      expect(result.samples).toEqual({ train: 24, valid: 8, test: 8 });
      // Read in place: nothing was copied into the cache.
      expect(existsSync(join(repo, '.cache', 'data', 'xares', TASK))).toBe(false);
    });

    it('a changed shard stops the run and is named with its folder', async () => {
      await writeShard('test', 8, 99);
      const run = await cli(
        { LEADERBOARD_PRIVATE_DATA_URL: data },
        'data',
        'verify',
        '--suite',
        'xares',
        '--task',
        TASK,
      );
      expect(run.code).toBe(1);
      expect(run.output).toContain(
        `door_knocks/test-000000.tar: ${join(data, TASK, 'test-000000.tar')} has sha256`,
      );
      await writeShard('test', 8, 3);
    });
  },
);

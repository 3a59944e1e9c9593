/**
 * Makes the shards of a task available in the local cache and verifies them against the
 * suite's lock file of sha256 values:
 * - generated (demo) tasks are written by the generator the caller passes in (the suite that
 *   defines them owns it, so data/ never imports suites/);
 * - Zenodo tasks are downloaded shard by shard (resumable, retried, size-capped); the first
 *   download of a shard records its sha256 in the lock file and every later use enforces it, so a
 *   corrupt or tampered cached shard is detected and fetched again;
 * - private (organiser-held) tasks come from the location in LEADERBOARD_PRIVATE_DATA_URL,
 *   which holds `<task>/<shard>.tar`: an https URL (fetched like Zenodo shards, with the bearer
 *   token in LEADERBOARD_PRIVATE_DATA_TOKEN), an absolute folder or a file:// URL (a self-hosted
 *   runner's disk: read in place, never copied), or, only when the organiser sets
 *   LEADERBOARD_ALLOW_PRIVATE_NETWORK=1, an http(s) server on a private or loopback address.
 *   Without a location the task is skipped. A URL or token is never printed: messages name
 *   shards as "<task>/<file>" (a folder, which is no secret, is named).
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnvironment, type RawEnvironment } from '../../schemas/environment.ts';
import type { TaskDefinition } from '../../schemas/task.ts';
import { DataError } from '../errors.ts';
import { writeFileAtomic } from '../io/files.ts';
import type { Logger } from '../log.ts';
import { taskShardNames } from '../tasks/splits.ts';
import { sha256Bytes, sha256File } from '../util/hash.ts';
import { download } from './download.ts';
import type { ShardLock } from './shard-lock.ts';

/** Named in messages; its value is read by schemas/environment.ts like every other variable. */
export const PRIVATE_DATA_URL_VARIABLE = 'LEADERBOARD_PRIVATE_DATA_URL';
/** Largest shard accepted from a download: X-ARES shards are well below this. */
/** Written beside generated shards: which generator made them. */
const GENERATOR_STAMP = '.generator.json';

/** Largest shard accepted from a download: X-ARES shards are well below this. */
export const MAX_SHARD_BYTES = 16 * 1024 ** 3;

/**
 * Where a task's shards are cached: per Zenodo record for Zenodo tasks, so tasks that read one
 * record (the two LibriSpeech tasks) download it once; per task otherwise. Lock entries stay
 * per task.
 */
export function taskDataDir(cacheDir: string, suiteId: string, task: TaskDefinition): string {
  return task.source.kind === 'zenodo'
    ? join(cacheDir, 'data', suiteId, `zenodo-${task.source.record}`)
    : join(cacheDir, 'data', suiteId, task.id);
}

export type PreparedTaskData =
  | {
      readonly status: 'ready';
      readonly dir: string;
      /** sha256 of each shard by file name, as found on disk. */
      readonly shards: Readonly<Record<string, string>>;
      /** Lock entries seen for the first time, to be added to the lock file. */
      readonly newlyLocked: Readonly<Record<string, string>>;
    }
  | { readonly status: 'skipped'; readonly reason: string };

export type ReadyTaskData = Extract<PreparedTaskData, { status: 'ready' }>;

/** Writes the shards of a generated task; the suite that defines generated tasks supplies it. */
export interface ShardGenerator {
  /** Seed of all the generator's data: part of the stamp that lets shards on disk be reused. */
  readonly seed: number;
  /** Every shard of `task`, as file name -> tar bytes. */
  generate(task: TaskDefinition): Promise<ReadonlyMap<string, Uint8Array>>;
}

export interface PrepareOptions {
  readonly cacheDir: string;
  readonly suiteId: string;
  readonly lock: ShardLock;
  /** Where `lock` was read from, named in messages. */
  readonly lockFile: string;
  readonly logger: Logger;
  /** Needed only for generated tasks. */
  readonly generator?: ShardGenerator;
  /** The process environment (tests pass their own); read through schemas/environment.ts. */
  readonly environment?: RawEnvironment;
  /** Tests point this at a local server. */
  readonly zenodoUrl?: string;
  readonly allowLoopbackHttp?: boolean;
  readonly sleep?: (milliseconds: number) => Promise<void>;
}

async function hashExisting(
  dir: string,
  names: readonly string[],
): Promise<Record<string, string> | undefined> {
  const hashes: Record<string, string> = {};
  for (const name of names) {
    const path = join(dir, name);
    if (!existsSync(path)) {
      return undefined;
    }
    hashes[name] = await sha256File(path);
  }
  return hashes;
}

/** A shard whose sha256 is not the one the lock file records. */
interface LockMismatch {
  readonly name: string;
  readonly expected: string;
  readonly found: string;
}

function lockMismatches(
  task: TaskDefinition,
  hashes: Record<string, string>,
  lock: ShardLock,
): LockMismatch[] {
  return Object.entries(hashes).flatMap(([name, found]) => {
    const expected = lock.shards[`${task.id}/${name}`];
    return expected !== undefined && expected !== found ? [{ name, expected, found }] : [];
  });
}

async function prepareGenerated(
  task: TaskDefinition,
  dir: string,
  options: PrepareOptions,
): Promise<PreparedTaskData> {
  const { generator } = options;
  if (generator === undefined) {
    throw new Error(`${task.id} is a generated task, but no shard generator was passed in`);
  }
  const names = taskShardNames(task);
  // Shards on disk are reused only if the same generator (name, version, seed) wrote them.
  const stampPath = join(dir, GENERATOR_STAMP);
  const stamp = JSON.stringify({ generator: task.source, seed: generator.seed, shards: names });
  const stamped = existsSync(stampPath) && (await readFile(stampPath, 'utf8')) === stamp;
  const cached = stamped ? await hashExisting(dir, names) : undefined;
  if (cached) {
    const damaged = lockMismatches(task, cached, options.lock);
    if (damaged.length === 0) {
      return { status: 'ready', dir, shards: cached, newlyLocked: {} };
    }
    for (const { name, expected, found } of damaged) {
      options.logger.warn(
        `${task.id}: cached shard ${name} has sha256 ${found}, the lock file says ${expected} (damaged on disk?); generating the task's shards again`,
      );
    }
  }
  await rm(stampPath, { force: true });
  const progress = options.logger.progress(`generating ${task.id}`, names.length);
  const generated = await generator.generate(task);
  const hashes: Record<string, string> = {};
  for (const name of names) {
    const bytes = generated.get(name);
    if (!bytes) {
      throw new DataError(`${task.id}: generator produced no shard "${name}"`);
    }
    await writeFileAtomic(join(dir, name), bytes);
    hashes[name] = sha256Bytes(bytes);
    progress.tick();
  }
  await writeFileAtomic(stampPath, stamp);
  progress.done(`${names.length} shards`);
  const mismatches = lockMismatches(task, hashes, options.lock);
  if (mismatches.length > 0) {
    options.logger.warn(
      `${task.id}: generated shards differ from ${options.lockFile} (${mismatches.map(({ name, expected, found }) => `${name}: expected ${expected}, found ${found}`).join('; ')}). ` +
        'Results stay valid (they record the hashes actually read) but are not comparable with other machines.',
    );
  }
  return { status: 'ready', dir, shards: hashes, newlyLocked: {} };
}

interface RemoteShards {
  /** URL of a shard; may embed a secret location, so it is never printed. */
  url(name: string): string;
  headers: Record<string, string>;
  /** The organiser's opt-in for a server on a private or loopback address. */
  allowPrivateNetwork?: boolean;
}

async function prepareDownloaded(
  task: TaskDefinition,
  dir: string,
  remote: RemoteShards,
  options: PrepareOptions,
): Promise<PreparedTaskData> {
  const names = taskShardNames(task);
  const shards: Record<string, string> = {};
  const newlyLocked: Record<string, string> = {};
  const progress = options.logger.progress(`fetching ${task.id}`, names.length);
  for (const name of names) {
    const key = `${task.id}/${name}`;
    const expected = options.lock.shards[key];
    const path = join(dir, name);
    if (existsSync(path)) {
      const actual = await sha256File(path);
      if (expected === undefined || actual === expected) {
        shards[name] = actual;
        if (expected === undefined) {
          newlyLocked[key] = actual;
        }
        progress.tick();
        continue;
      }
      options.logger.warn(
        `${key}: cached shard has sha256 ${actual}, the lock file says ${expected}; fetching it again`,
      );
      await rm(path);
    }
    const result = await download({
      url: remote.url(name),
      destination: path,
      sha256: expected,
      maxBytes: MAX_SHARD_BYTES,
      headers: remote.headers,
      label: key,
      ...(options.allowLoopbackHttp === undefined
        ? {}
        : { allowLoopbackHttp: options.allowLoopbackHttp }),
      ...(remote.allowPrivateNetwork ? { allowPrivateNetwork: true } : {}),
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    });
    shards[name] = result.sha256;
    if (expected === undefined) {
      newlyLocked[key] = result.sha256;
    }
    progress.tick();
  }
  progress.done(`${names.length} shards`);
  return { status: 'ready', dir, shards, newlyLocked };
}

/** Ensure every shard of `task` is in the cache and matches the lock (recording first-seen hashes). */
export async function prepareTaskData(
  task: TaskDefinition,
  options: PrepareOptions,
): Promise<PreparedTaskData> {
  const dir = taskDataDir(options.cacheDir, options.suiteId, task);
  const source = task.source;
  const environment = parseEnvironment(options.environment ?? {});
  if (source.kind === 'generated') {
    return prepareGenerated(task, dir, options);
  }
  if (source.kind === 'zenodo') {
    if (!source.filesVerified) {
      throw new DataError(
        `${task.id}: the shard lists are not verified against Zenodo record ${source.record}`,
        {
          hint: `run \`npm run pipeline -- data discover --suite ${options.suiteId} --task ${task.id}\` where zenodo.org is reachable and put the printed lists into pipeline/tasks/`,
        },
      );
    }
    const base = (options.zenodoUrl ?? environment.zenodoUrl).replace(/\/$/, '');
    return prepareDownloaded(
      task,
      dir,
      {
        url: (name) =>
          `${base}/records/${source.record}/files/${encodeURIComponent(name)}?download=1`,
        headers: {},
      },
      options,
    );
  }
  const value = environment.privateDataUrl;
  if (value === undefined) {
    return {
      status: 'skipped',
      reason: `private data not available (${PRIVATE_DATA_URL_VARIABLE} is not set)`,
    };
  }
  if (taskShardNames(task).length === 0) {
    throw new DataError(`${task.id}: private task without shard lists`, {
      hint: `list the shard files of each split in pipeline/tasks/xares/${task.id}.ts`,
    });
  }
  const location = parseDataLocation(value);
  if (location.kind === 'folder') {
    return prepareFolder(task, join(location.path, task.id), options);
  }
  const token = environment.privateDataToken;
  const base = location.url.replace(/\/$/, '');
  return prepareDownloaded(
    task,
    dir,
    {
      url: (name) => `${base}/${task.id}/${encodeURIComponent(name)}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      allowPrivateNetwork: environment.allowPrivateNetwork,
    },
    options,
  );
}

/** Where organiser-held shards live: a folder on this machine, or a server. */
export type DataLocation =
  | { readonly kind: 'folder'; readonly path: string }
  | { readonly kind: 'url'; readonly url: string };

/** Read LEADERBOARD_PRIVATE_DATA_URL: an absolute folder, a file:// URL or an http(s) URL. */
export function parseDataLocation(value: string): DataLocation {
  if (value.startsWith('file:')) {
    try {
      return { kind: 'folder', path: fileURLToPath(value) };
    } catch {
      throw new DataError(`${PRIVATE_DATA_URL_VARIABLE} is not a valid file:// URL`, {
        hint: 'write it as file:///absolute/folder (three slashes), or give the absolute folder itself',
      });
    }
  }
  if (/^https?:\/\//i.test(value)) {
    return { kind: 'url', url: value };
  }
  if (isAbsolute(value)) {
    return { kind: 'folder', path: value };
  }
  // The value is not printed: it may be a mistyped URL that carries a secret.
  throw new DataError(
    `${PRIVATE_DATA_URL_VARIABLE} is neither an absolute folder, a file:// URL nor an http(s) URL`,
    {
      hint: 'set it to the folder that holds <task>/<shard>.tar (for example /srv/leaderboard-data), or to the https URL that serves them',
    },
  );
}

/**
 * Shards read in place from an organiser's folder: each must be there and match the lock file
 * (first-seen hashes are recorded). They are never copied into the cache, and a shard that
 * changed is an error, not something to fetch again.
 */
async function prepareFolder(
  task: TaskDefinition,
  dir: string,
  options: PrepareOptions,
): Promise<PreparedTaskData> {
  const names = taskShardNames(task);
  const missing = names.filter((name) => !existsSync(join(dir, name)));
  if (missing.length > 0) {
    throw new DataError(
      `${task.id}: ${missing.length} of ${names.length} shards missing in ${dir}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
      {
        hint: `put the task's shard files in ${dir} (the folder in ${PRIVATE_DATA_URL_VARIABLE}, then one folder per task id)`,
      },
    );
  }
  const shards: Record<string, string> = {};
  const newlyLocked: Record<string, string> = {};
  const progress = options.logger.progress(`hashing ${task.id}`, names.length);
  for (const name of names) {
    const key = `${task.id}/${name}`;
    const actual = await sha256File(join(dir, name));
    const expected = options.lock.shards[key];
    if (expected !== undefined && expected !== actual) {
      throw new DataError(
        `${key}: ${join(dir, name)} has sha256 ${actual}, but ${options.lockFile} says ${expected}`,
        {
          hint: `restore the original file; if the data really changed, bump the version of ${task.id} and record the new hashes with \`npm run pipeline -- data lock --suite ${options.suiteId} --task ${task.id}\``,
        },
      );
    }
    shards[name] = actual;
    if (expected === undefined) {
      newlyLocked[key] = actual;
    }
    progress.tick();
  }
  progress.done(`${names.length} shards in ${dir}`);
  return { status: 'ready', dir, shards, newlyLocked };
}

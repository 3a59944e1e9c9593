/**
 * Makes the shards of a task available in the local cache and verifies them against the
 * suite's lock file of sha256 values.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Sha256 } from '../../schemas/common.ts';
import { parseJsonText, parseWithFriendlyErrors } from '../../schemas/friendly-errors.ts';
import type { TaskDefinition } from '../../schemas/task.ts';
import { DataError } from '../errors.ts';
import { formatJson, writeFileAtomic } from '../io/files.ts';
import type { Logger } from '../log.ts';
import { generateDemoShards } from '../suites/demo/generate.ts';
import { taskShardNames } from '../tasks/splits.ts';
import { sha256Bytes, sha256File } from '../util/hash.ts';

export const ShardLock = z.strictObject({
  /** sha256 of every shard, keyed "<task id>/<shard file name>". */
  shards: z.record(z.string(), Sha256),
});
export type ShardLock = z.infer<typeof ShardLock>;

export function lockFilePath(suiteId: string): string {
  return join(import.meta.dirname, '..', 'suites', `${suiteId}.lock.json`);
}

export async function readShardLock(suiteId: string): Promise<ShardLock> {
  const path = lockFilePath(suiteId);
  if (!existsSync(path)) {
    return { shards: {} };
  }
  return parseWithFriendlyErrors(
    ShardLock,
    parseJsonText(await readFile(path, 'utf8'), path),
    path,
    'shard lock file',
  );
}

export async function writeShardLock(suiteId: string, lock: ShardLock): Promise<void> {
  const sorted = Object.fromEntries(
    Object.entries(lock.shards).sort(([a], [b]) => a.localeCompare(b)),
  );
  await writeFileAtomic(lockFilePath(suiteId), formatJson(ShardLock, { shards: sorted }));
}

export function taskDataDir(cacheDir: string, suiteId: string, task: TaskDefinition): string {
  return join(cacheDir, 'data', suiteId, task.id);
}

export interface PreparedTaskData {
  readonly dir: string;
  /** sha256 of each shard by file name, as found on disk. */
  readonly shards: Readonly<Record<string, string>>;
}

export interface PrepareOptions {
  cacheDir: string;
  suiteId: string;
  lock: ShardLock;
  logger: Logger;
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

function lockMismatches(
  task: TaskDefinition,
  hashes: Record<string, string>,
  lock: ShardLock,
): string[] {
  return Object.entries(hashes).flatMap(([name, hash]) => {
    const expected = lock.shards[`${task.id}/${name}`];
    return expected !== undefined && expected !== hash
      ? [`${name}: expected ${expected}, found ${hash}`]
      : [];
  });
}

/** Ensure every shard of `task` is in the cache and matches the lock. */
export async function prepareTaskData(
  task: TaskDefinition,
  options: PrepareOptions,
): Promise<PreparedTaskData> {
  const dir = taskDataDir(options.cacheDir, options.suiteId, task);
  const names = taskShardNames(task);
  const cached = await hashExisting(dir, names);
  if (cached && lockMismatches(task, cached, options.lock).length === 0) {
    return { dir, shards: cached };
  }

  if (task.source.kind !== 'generated') {
    throw new DataError(`${task.id}: shards are missing from ${dir}`, {
      hint: `download them first (Zenodo record ${task.source.record})`,
    });
  }
  const progress = options.logger.progress(`generating ${task.id}`, names.length);
  const generated = await generateDemoShards(task);
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
  progress.done(`${names.length} shards`);
  const mismatches = lockMismatches(task, hashes, options.lock);
  if (mismatches.length > 0) {
    options.logger.warn(
      `${task.id}: generated shards differ from ${lockFilePath(options.suiteId)} (${mismatches.join('; ')}). ` +
        'Results stay valid (they record the hashes actually read) but are not comparable with other machines.',
    );
  }
  return { dir, shards: hashes };
}

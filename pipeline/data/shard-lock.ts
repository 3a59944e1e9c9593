/**
 * The suite's lock file of shard sha256 values (`pipeline/suites/<suite>.lock.json`): read by
 * every run, written when shards are seen for the first time or re-locked on purpose.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Sha256 } from '../../schemas/common.ts';
import { parseJsonText, parseWithFriendlyErrors } from '../../schemas/friendly-errors.ts';
import { formatJson, writeFileAtomic } from '../io/files.ts';
import type { Logger } from '../log.ts';

export const ShardLock = z.strictObject({
  /** sha256 of every shard, keyed "<task id>/<shard file name>". */
  shards: z.record(z.string(), Sha256),
});
export type ShardLock = z.infer<typeof ShardLock>;

/** The registered suite's lock file; a rehearsal keeps its own elsewhere. */
export function lockFilePath(suiteId: string): string {
  return join(import.meta.dirname, '..', 'suites', `${suiteId}.lock.json`);
}

export async function readShardLock(path: string): Promise<ShardLock> {
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

export async function writeShardLock(path: string, lock: ShardLock): Promise<void> {
  const sorted = Object.fromEntries(
    Object.entries(lock.shards).sort(([a], [b]) => a.localeCompare(b)),
  );
  await writeFileAtomic(path, formatJson(ShardLock, { shards: sorted }));
}

/**
 * Add shard hashes seen for the first time to the suite's lock file, and say so: the one writer
 * of first-seen hashes, whichever command saw the shards (evaluate, `data verify`). Entries the
 * lock already holds are kept as they are. Returns how many were added.
 */
export async function recordFirstSeenShardHashes(
  lockFile: string,
  lock: ShardLock,
  firstSeen: Readonly<Record<string, string>>,
  logger: Logger,
): Promise<number> {
  const added = Object.entries(firstSeen).filter(([key]) => lock.shards[key] === undefined);
  if (added.length === 0) {
    return 0;
  }
  await writeShardLock(lockFile, { shards: { ...lock.shards, ...Object.fromEntries(added) } });
  logger.info(
    `recorded ${added.length} first-seen shard hashes in ${lockFile}; commit it so later runs enforce them`,
  );
  return added.length;
}

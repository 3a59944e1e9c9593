/**
 * `data verify` and `data lock`: fetch or generate every shard of a suite's tasks and check it
 * against the suite's lock file. Verify records the hashes of shards seen for the first time;
 * lock re-records the hashes of the tasks it checked and keeps every other task's.
 */
import type { RawEnvironment } from '../../schemas/environment.ts';
import type { TaskDefinition } from '../../schemas/task.ts';
import { PipelineError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { prepareTaskData, PRIVATE_DATA_URL_VARIABLE, type ShardGenerator } from './prepare.ts';
import {
  readShardLock,
  recordFirstSeenShardHashes,
  writeShardLock,
  type ShardLock,
} from './shard-lock.ts';

export type SuiteDataAction = 'verify' | 'lock';

export interface SuiteDataOptions {
  readonly action: SuiteDataAction;
  readonly suiteId: string;
  /** The suite's lock file (pipeline/suites/<suite>.lock.json, or a rehearsal's own). */
  readonly lockFile: string;
  /** A rehearsal's Zenodo on 127.0.0.1 (plain http allowed for it alone); else ZENODO_URL. */
  readonly localZenodoUrl?: string | undefined;
  readonly tasks: readonly TaskDefinition[];
  /** Leave out the private (organiser-held) tasks. */
  readonly publicOnly: boolean;
  readonly cacheDir: string;
  readonly logger: Logger;
  readonly environment: RawEnvironment;
  /** Writes the shards of generated tasks (the demo suite's); data/ imports no suite. */
  readonly generator?: ShardGenerator;
}

/**
 * Check the shards of `tasks`; throws a DATA_INVALID PipelineError listing every task that could
 * not be checked, and why, after writing whatever hashes were recorded.
 */
export async function verifySuiteData(options: SuiteDataOptions): Promise<void> {
  const { action, suiteId, lockFile, logger } = options;
  const existing = await readShardLock(lockFile);
  const lock = action === 'lock' ? { shards: {} } : existing;
  const recorded: ShardLock = { shards: {} };
  const problems: string[] = [];
  const skipped: string[] = [];
  let verified = 0;
  const wanted = options.tasks.filter(
    (task) => !task.disabled && !(options.publicOnly && task.source.kind === 'private'),
  );
  for (const task of wanted) {
    let data;
    try {
      data = await prepareTaskData(task, {
        cacheDir: options.cacheDir,
        suiteId,
        lock,
        lockFile,
        logger,
        ...(options.localZenodoUrl === undefined
          ? {}
          : { zenodoUrl: options.localZenodoUrl, allowLoopbackHttp: true }),
        environment: options.environment,
        ...(options.generator ? { generator: options.generator } : {}),
      });
    } catch (error) {
      if (!(error instanceof PipelineError)) {
        throw error;
      }
      problems.push(`${error.message}${error.hint ? ` (${error.hint})` : ''}`);
      continue;
    }
    if (data.status === 'skipped') {
      logger.warn(`${task.id}: not checked: ${data.reason}`);
      skipped.push(`${task.id} (${data.reason})`);
      continue;
    }
    verified++;
    for (const [name, hash] of Object.entries(data.shards)) {
      recorded.shards[`${task.id}/${name}`] = hash;
    }
  }
  const shardCount = Object.keys(recorded.shards).length;
  if (action === 'lock') {
    // Only the tasks checked now are re-recorded; every other task keeps its hashes.
    const checked = new Set(wanted.map((task) => `${task.id}/`));
    const kept = Object.entries(existing.shards).filter(
      ([key]) => ![...checked].some((prefix) => key.startsWith(prefix)),
    );
    await writeShardLock(lockFile, {
      shards: { ...Object.fromEntries(kept), ...recorded.shards },
    });
    logger.info(`recorded ${shardCount} shard hashes of ${verified} tasks for suite ${suiteId}`);
  } else {
    // Hashes of shards seen for the first time are added, as evaluate adds those it prepares.
    await recordFirstSeenShardHashes(lockFile, lock, recorded.shards, logger);
  }
  const failures = [...problems, ...skipped.map((entry) => `${entry}: not checked`)];
  if (failures.length > 0) {
    throw new PipelineError(
      'DATA_INVALID',
      `suite ${suiteId}: ${verified} of ${wanted.length} tasks checked (${shardCount} shards); ${failures.length} could not be:\n  - ${failures.join('\n  - ')}`,
      {
        hint:
          skipped.length > 0
            ? `set ${PRIVATE_DATA_URL_VARIABLE} to where the private shards are, or leave the private tasks out with --public-only`
            : 'fix the data named above: the shard files, their location or the lock file',
      },
    );
  }
  logger.info(
    `suite ${suiteId}: ${verified} tasks, ${shardCount} shards: every shard is present and matches the lock file`,
  );
}

/**
 * One writer at a time per results folder. `evaluate`, `score` and `merge` each hold
 * `<results>/.lock` while they run: without it, a `score` started beside an `evaluate` wrote its
 * older view of the results over the newer leaderboard. A second process waits for the holder
 * (saying who it is) and then goes on; a lock left by a process that no longer exists (kill -9,
 * a crashed machine) is recognised as stale and taken over, with a note.
 */
import { hostname } from 'node:os';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_LOCK_WAIT_SECONDS } from '../../schemas/environment.ts';
import { EnvironmentError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { isProcessRunning } from './files.ts';
import { describeFileSystemError } from './fs-errors.ts';

export const LOCK_FILE_NAME = '.lock';

const LockHolder = z.strictObject({
  pid: z.int().positive(),
  host: z.string(),
  command: z.string(),
  startedAt: z.string(),
});
type LockHolder = z.infer<typeof LockHolder>;

export interface LockOptions {
  /** What the holder is doing, shown to a process that waits ("evaluate --suite demo"). */
  readonly command: string;
  readonly logger: Logger;
  /** How long to wait for another holder before giving up (default: DEFAULT_LOCK_WAIT_SECONDS). */
  readonly waitSeconds?: number | undefined;
  /** Why processes take turns, for a process that waits (default: the results folder's reason). */
  readonly reason?: string;
  /** Poll interval (tests use a short one). */
  readonly pollMilliseconds?: number;
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    return LockHolder.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    // Missing (released meanwhile), or torn by a kill between create and write.
    return undefined;
  }
}

const describe = (holder: LockHolder) =>
  `\`${holder.command}\` (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`;

/** Take the lock of `resultsDir`, waiting for another holder; returns the release function. */
export async function acquireResultsLock(
  resultsDir: string,
  options: LockOptions,
): Promise<() => Promise<void>> {
  const path = join(resultsDir, LOCK_FILE_NAME);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: options.command,
    startedAt: new Date().toISOString(),
  };
  const deadline = performance.now() + (options.waitSeconds ?? DEFAULT_LOCK_WAIT_SECONDS) * 1000;
  let announced = false;
  try {
    await mkdir(resultsDir, { recursive: true });
  } catch (error) {
    throw describeFileSystemError(error, 'creating the results folder') ?? error;
  }
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(JSON.stringify(me) + '\n');
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw describeFileSystemError(error, 'locking the results folder') ?? error;
      }
    }
    const holder = await readHolder(path);
    const stale =
      holder === undefined
        ? // A torn lock file: its writer died between creating and writing it.
          true
        : holder.host === me.host && !isProcessRunning(holder.pid);
    if (stale && JSON.stringify(await readHolder(path)) === JSON.stringify(holder)) {
      options.logger.warn(
        `${path}: taking over a lock left by ${holder ? describe(holder) : 'a process that died while taking it'}, which no longer runs (killed?); results it finished are kept and checked`,
      );
      await rm(path, { force: true });
      continue;
    }
    if (performance.now() > deadline) {
      throw new EnvironmentError(
        `${resultsDir} is locked by ${holder ? describe(holder) : 'another process'}, and it did not finish within ${options.waitSeconds ?? DEFAULT_LOCK_WAIT_SECONDS} s`,
        {
          hint: `wait for it to finish, or stop it; if it runs on another machine sharing this folder and no longer exists, delete ${path}`,
        },
      );
    }
    if (!announced && holder) {
      announced = true;
      options.logger.info(
        `${resultsDir} is in use by ${describe(holder)}; waiting for it to finish (${options.reason ?? 'only one process writes a results folder at a time'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMilliseconds ?? 500));
  }
  return async () => {
    const holder = await readHolder(path);
    if (holder?.pid === me.pid && holder.startedAt === me.startedAt) {
      await rm(path, { force: true });
    }
  };
}

/** Run `work` holding the lock of `resultsDir`. */
export async function withResultsLock<T>(
  resultsDir: string,
  options: LockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const release = await acquireResultsLock(resultsDir, options);
  try {
    return await work();
  } finally {
    await release();
  }
}

/**
 * One writer at a time per results folder. `evaluate`, `score` and `merge` each hold
 * `<results>/.lock` while they run: without it, a `score` started beside an `evaluate` wrote its
 * older view of the results over the newer leaderboard. A second process waits for the holder
 * (saying who it is) and then goes on; a lock left by a process that no longer exists (kill -9,
 * a crashed machine) is recognised as stale and taken over, with a note.
 *
 * The lock file is written in full under a name of its own and then linked into place, which
 * fails if the lock exists: a lock file is never seen without its content. Taking over a stale
 * lock is done by one process at a time (it holds `<results>/.lock.takeover`, made the same
 * way), so that two processes can never both remove a stale lock and one of them another's
 * fresh one.
 */
import { hostname } from 'node:os';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_LOCK_WAIT_SECONDS } from '../../schemas/environment.ts';
import { EnvironmentError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { isProcessRunning, temporaryPath } from './files.ts';
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

/** A lock file without content older than this is left over, not being written. */
const CONTENTLESS_GRACE_MS = 10_000;

type ReadHolder =
  | { readonly state: 'held'; readonly holder: LockHolder }
  | { readonly state: 'gone' }
  | { readonly state: 'unreadable'; readonly ageMs: number };

async function readHolder(path: string): Promise<ReadHolder> {
  let text: string;
  let ageMs: number;
  try {
    ageMs = Date.now() - (await stat(path)).mtimeMs;
    text = await readFile(path, 'utf8');
  } catch {
    // Released meanwhile.
    return { state: 'gone' };
  }
  const parsed = LockHolder.safeParse(
    (() => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    })(),
  );
  return parsed.success ? { state: 'held', holder: parsed.data } : { state: 'unreadable', ageMs };
}

/**
 * Creates `path` holding `text`, or returns false if it exists: the text is written to a file
 * of this process first and linked into place, so nobody reads the lock half written.
 */
async function createWithContent(path: string, text: string): Promise<boolean> {
  const staged = temporaryPath(path, process.pid);
  await writeFile(staged, text);
  try {
    await link(staged, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return false;
    }
    throw error;
  } finally {
    await rm(staged, { force: true });
  }
}

function isStale(read: ReadHolder, host: string): boolean {
  switch (read.state) {
    case 'gone':
      return false;
    case 'unreadable':
      return read.ageMs > CONTENTLESS_GRACE_MS;
    case 'held':
      return read.holder.host === host && !isProcessRunning(read.holder.pid);
  }
}

/** Whether two reads saw the same lock file content (the age of a contentless one moves on). */
function sameLock(a: ReadHolder, b: ReadHolder): boolean {
  if (a.state === 'held' && b.state === 'held') {
    return JSON.stringify(a.holder) === JSON.stringify(b.holder);
  }
  return a.state === b.state;
}

/**
 * Removes the lock at `path` if it is still the stale one read as `seen`, holding the takeover
 * lock so that no other process removes or replaces it meanwhile. Whether it removed it.
 */
async function takeOver(path: string, seen: ReadHolder, me: LockHolder): Promise<boolean> {
  const takeover = `${path}.takeover`;
  if (!(await createWithContent(takeover, JSON.stringify(me) + '\n'))) {
    // Another process is taking over; a takeover lock of a dead process is itself stale.
    if (isStale(await readHolder(takeover), me.host)) {
      await rm(takeover, { force: true });
    }
    return false;
  }
  try {
    const now = await readHolder(path);
    if (isStale(now, me.host) && sameLock(now, seen)) {
      await rm(path, { force: true });
      return true;
    }
    return false;
  } finally {
    await rm(takeover, { force: true });
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
      if (await createWithContent(path, JSON.stringify(me) + '\n')) {
        break;
      }
    } catch (error) {
      throw describeFileSystemError(error, 'locking the results folder') ?? error;
    }
    const read = await readHolder(path);
    if (read.state === 'gone') {
      continue;
    }
    const holder = read.state === 'held' ? read.holder : undefined;
    if (isStale(read, me.host)) {
      if (await takeOver(path, read, me)) {
        options.logger.warn(
          `${path}: taking over a lock left by ${holder ? describe(holder) : 'a process that died while taking it'}, which no longer runs (killed?); results it finished are kept and checked`,
        );
      }
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
    const read = await readHolder(path);
    if (
      read.state === 'held' &&
      read.holder.pid === me.pid &&
      read.holder.startedAt === me.startedAt
    ) {
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

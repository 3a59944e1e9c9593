/**
 * File-system failures in plain words. Node's own messages ("ENOSPC: no space left on device,
 * write") name neither what the pipeline was doing nor what to do, and reach users as stack
 * traces; every caller that touches results, the cache or generated data goes through here, and
 * the CLI's error boundary turns any that slipped through into the same message.
 */
import { dirname } from 'node:path';
import { DiskFullError, EnvironmentError } from '../errors.ts';

const FIXES: Readonly<Record<string, (path: string) => string>> = {
  ENOSPC: (path) =>
    `the disk holding ${dirname(path)} is full (\`df -h ${dirname(path)}\` shows it): free space on that disk and run again; finished results are reused. The embedding cache (LEADERBOARD_CACHE_DIR, default .cache) is the largest thing the pipeline writes and is safe to delete, which helps only when it is on that disk`,
  EDQUOT: (path) =>
    `the disk quota for ${dirname(path)} is used up: free space there and run again; finished results are reused`,
  EACCES: (path) =>
    `this user may not write or read ${path}: fix its permissions (chmod/chown), or point the folder elsewhere (LEADERBOARD_RESULTS_DIR, LEADERBOARD_CACHE_DIR)`,
  EPERM: (path) =>
    `the operation on ${path} is not permitted: fix its permissions or attributes, or point the folder elsewhere (LEADERBOARD_RESULTS_DIR, LEADERBOARD_CACHE_DIR)`,
  EROFS: (path) =>
    `${path} is on a read-only file system: run from a writable checkout, or point the folder at a writable place (LEADERBOARD_RESULTS_DIR, LEADERBOARD_CACHE_DIR)`,
  ENOTDIR: (path) =>
    `a part of ${path} is a file where a folder is expected: move that file away (results and cache folders hold only what the pipeline writes)`,
  EISDIR: (path) => `${path} is a folder where a file is expected: remove or rename that folder`,
  EEXIST: (path) =>
    `${path} is in the way (a file where a folder belongs): move or remove it, or point the folder elsewhere (LEADERBOARD_RESULTS_DIR, LEADERBOARD_CACHE_DIR)`,
  ENAMETOOLONG: (path) => `the path ${path} is too long: use a shorter folder or name`,
  EMFILE: () => 'too many open files: raise the limit (ulimit -n) and run again',
  EIO: (path) =>
    `the disk failed reading or writing ${path}: check the disk, then run again (cached files are verified by checksum)`,
};

const ACTIONS: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the folder',
  rename: 'rename into',
  scandir: 'list the folder',
  unlink: 'delete',
  rmdir: 'delete the folder',
  stat: 'look at',
  lstat: 'look at',
  fsync: 'flush to disk',
  copyfile: 'copy',
  access: 'access',
};

export interface FileSystemFailure {
  readonly code: string;
  readonly path: string | undefined;
  readonly syscall: string | undefined;
}

/** The code, path and system call of a Node file-system error, or undefined for anything else. */
export function fileSystemFailure(error: unknown): FileSystemFailure | undefined {
  if (!(error instanceof Error)) {
    return undefined;
  }
  const { code, path, syscall, dest } = error as NodeJS.ErrnoException & { dest?: string };
  if (typeof code !== 'string' || !(code in FIXES)) {
    return undefined;
  }
  return {
    code,
    path: syscall === 'rename' && typeof dest === 'string' ? dest : path,
    syscall,
  };
}

/**
 * An EnvironmentError saying what could not be done to which path and what to do, for a Node
 * file-system error (a DiskFullError for a full disk or quota); undefined for anything else (the
 * caller rethrows it). `target`: the file being written, for errors that name no path.
 */
export function describeFileSystemError(
  error: unknown,
  doing?: string,
  target?: string,
): EnvironmentError | undefined {
  const failure = fileSystemFailure(error);
  if (!failure) {
    return undefined;
  }
  // A write through an open file names no path; the caller's target is the file being written.
  const path = failure.path ?? target ?? 'a file';
  const action = failure.syscall ? (ACTIONS[failure.syscall] ?? failure.syscall) : 'use';
  const fix = (FIXES[failure.code] as (path: string) => string)(path);
  const reason = (error as Error).message.split(',')[0] ?? failure.code;
  const message = `${doing ? `${doing}: ` : ''}could not ${action} ${path} (${reason})`;
  return failure.code === 'ENOSPC' || failure.code === 'EDQUOT'
    ? new DiskFullError(message, { hint: fix, cause: error })
    : new EnvironmentError(message, { hint: fix, cause: error });
}

import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskFullError, EnvironmentError, isEvaluationFailure } from '../../../pipeline/errors.ts';
import { failureCause } from '../../../pipeline/run/failures.ts';
import { writeFileAtomic } from '../../../pipeline/io/files.ts';
import { describeFileSystemError } from '../../../pipeline/io/fs-errors.ts';
import { REPOSITORY_ROOT } from '../../support/build-site.ts';

/** A Node file-system error as fs/promises throws it. */
function nodeError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const reasons: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EACCES: 'permission denied',
    EROFS: 'read-only file system',
    ENOTDIR: 'not a directory',
    EISDIR: 'illegal operation on a directory',
  };
  return Object.assign(new Error(`${code}: ${reasons[code] ?? code}, ${syscall} '${path}'`), {
    code,
    syscall,
    path,
  });
}

describe('file-system failures in words', () => {
  it.each([
    [
      'ENOSPC',
      'write',
      /the disk holding results is full .* free space on that disk and run again; finished results are reused/,
    ],
    ['EACCES', 'open', /this user may not write or read .*results\/x\.json: fix its permissions/],
    ['EROFS', 'mkdir', /is on a read-only file system: run from a writable checkout/],
    ['ENOTDIR', 'open', /is a file where a folder is expected: move that file away/],
    ['EISDIR', 'open', /is a folder where a file is expected: remove or rename that folder/],
  ])('%s names the path and the fix', (code, syscall, hint) => {
    const described = describeFileSystemError(
      nodeError(code, syscall, 'results/x.json'),
      'writing results/x.json',
    );
    expect(described).toBeInstanceOf(EnvironmentError);
    expect(described?.message).toMatch(
      new RegExp(`^writing results/x\\.json: could not \\S.* results/x\\.json \\(${code}`),
    );
    expect(described?.hint).toMatch(hint);
  });

  it('says which disk is full, with the file of a write that names no path, and stops the run', () => {
    // A write through an open file: Node's error has no path.
    const error = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      syscall: 'write',
    });
    const described = describeFileSystemError(
      error,
      'writing results/runs/a/b.json',
      'results/runs/a/b.json',
    );
    expect(described).toBeInstanceOf(DiskFullError);
    expect(described?.message).toContain('could not write results/runs/a/b.json (ENOSPC');
    // The cache is named as worth deleting only if it is on the full disk, which may hold the
    // results alone.
    expect(described?.hint).toMatch(/^the disk holding results\/runs\/a is full/);
    expect(described?.hint).toContain('helps only when it is on that disk');
    // Not one pair's failure: a run stops instead of failing every next pair the same way.
    expect(isEvaluationFailure(described)).toBe(false);
    expect(failureCause(described)).toBeUndefined();
  });

  it('leaves errors that are not the file system alone', () => {
    expect(describeFileSystemError(new TypeError('x'))).toBeUndefined();
  });

  it('says which path is in the way when a result is written where a file or folder sits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-errors-'));
    await writeFile(join(dir, 'runs'), 'a stray file');
    const underFile = await writeFileAtomic(join(dir, 'runs', 'a', 'b.json'), '{}').catch(
      (error: unknown) => error,
    );
    expect(underFile).toBeInstanceOf(EnvironmentError);
    expect((underFile as EnvironmentError).message).toContain(join(dir, 'runs'));
    expect((underFile as EnvironmentError).hint).toMatch(/is a file where a folder is expected/);
    await mkdir(join(dir, 'result.json'));
    const ontoFolder = await writeFileAtomic(join(dir, 'result.json'), '{}').catch(
      (error: unknown) => error,
    );
    expect(ontoFolder).toBeInstanceOf(EnvironmentError);
    expect((ontoFolder as EnvironmentError).message).toContain(join(dir, 'result.json'));
  });

  it('ends the CLI with the path and the fix, not a stack trace, when the results folder is a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-errors-cli-'));
    const results = join(dir, 'results');
    await writeFile(results, 'not a folder');
    const run = spawnSync(process.execPath, ['pipeline/cli.ts', 'score'], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, LEADERBOARD_RESULTS_DIR: results, CI: 'true' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(results);
    expect(run.stderr).toMatch(/a file where a folder (is expected|belongs)/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

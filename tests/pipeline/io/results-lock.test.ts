import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../../pipeline/errors.ts';
import { createMemoryLogger } from '../../../pipeline/log.ts';
import {
  acquireResultsLock,
  LOCK_FILE_NAME,
  withResultsLock,
} from '../../../pipeline/io/results-lock.ts';

const options = (logger = createMemoryLogger(), waitSeconds = 60) => ({
  command: 'pipeline test',
  logger,
  waitSeconds,
  pollMilliseconds: 20,
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('the results lock', () => {
  it('makes a second writer wait for the first, saying who holds the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lock-'));
    const order: string[] = [];
    const release = await acquireResultsLock(dir, { ...options(), command: 'pipeline score' });
    const logger = createMemoryLogger();
    const second = withResultsLock(dir, options(logger), () => {
      order.push('second');
      return Promise.resolve();
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    order.push('first done');
    await release();
    await second;
    expect(order).toEqual(['first done', 'second']);
    expect(logger.lines.join('\n')).toMatch(
      new RegExp(
        `${dir} is in use by \`pipeline score\` \\(pid ${process.pid} on ${hostname()}, since .*\\); waiting for it to finish`,
      ),
    );
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(false);
  });

  it('takes over a lock whose holder was killed (kill -9 leaves it behind), with a note', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lock-'));
    const pid = deadPid();
    await writeFile(
      join(dir, LOCK_FILE_NAME),
      JSON.stringify({ pid, host: hostname(), command: 'pipeline evaluate', startedAt: 'then' }),
    );
    const logger = createMemoryLogger();
    await withResultsLock(dir, options(logger), async () => {
      const holder = JSON.parse(await readFile(join(dir, LOCK_FILE_NAME), 'utf8')) as {
        pid: number;
      };
      expect(holder.pid).toBe(process.pid);
    });
    expect(logger.lines.join('\n')).toContain(
      `taking over a lock left by \`pipeline evaluate\` (pid ${pid} on ${hostname()}, since then), which no longer runs`,
    );
    // A lock file without content that has stayed so (a kill between its creation and its
    // content, by a version that wrote the two apart) is stale too, once it is old.
    await writeFile(join(dir, LOCK_FILE_NAME), '');
    const past = new Date(Date.now() - 60_000);
    await utimes(join(dir, LOCK_FILE_NAME), past, past);
    await withResultsLock(dir, options(), () => Promise.resolve());
  });

  it('waits for a lock file without content that was just created (issue 27, finding 9)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lock-'));
    // Another process between creating the file and writing it: not a dead holder.
    await writeFile(join(dir, LOCK_FILE_NAME), '');
    const logger = createMemoryLogger();
    const error = await acquireResultsLock(dir, options(logger, 0.3)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(logger.lines.join('\n')).not.toContain('taking over');
  });

  it('gives up after the wait with the holder and what to do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lock-'));
    await writeFile(
      join(dir, LOCK_FILE_NAME),
      JSON.stringify({
        pid: process.pid,
        host: 'another-runner',
        command: 'pipeline merge',
        startedAt: 'now',
      }),
    );
    const error = await acquireResultsLock(dir, options(createMemoryLogger(), 0)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toBe(
      `${dir} is locked by \`pipeline merge\` (pid ${process.pid} on another-runner, since now), and it did not finish within 0 s`,
    );
    expect((error as EnvironmentError).hint).toContain(`delete ${join(dir, LOCK_FILE_NAME)}`);
  });
});

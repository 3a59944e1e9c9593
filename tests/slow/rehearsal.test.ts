/**
 * The rehearsal at the smallest scale: every public X-ARES task (every task type and label
 * format) generated in X-ARES's formats, served by the local Zenodo, discovered into copies of
 * the task files, verified, and evaluated by the log-mel baseline under both protocols, with the
 * off-by-one control. Each split has one batch, so only the plumbing and the files are
 * checked, not learnability. It takes about 3 minutes idle on 2 cores, so it runs with the slow
 * tests until it fits the 2 minutes npm test can give it.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../pipeline/log.ts';
import { rehearse } from '../../pipeline/rehearsal/rehearse.ts';
import { lockFilePath } from '../../pipeline/data/shard-lock.ts';
import { BUDGETS } from '../support/budgets.ts';

const root = join(import.meta.dirname, '..', '..');

describe('rehearse', () => {
  it(
    'takes all 22 public tasks from generated records to results under both protocols',
    async () => {
      const submissions = await mkdtemp(join(tmpdir(), 'rehearsal-submissions-'));
      await cp(join(root, 'submissions', 'logmel-baseline'), join(submissions, 'logmel-baseline'), {
        recursive: true,
      });
      const out = await mkdtemp(join(tmpdir(), 'rehearsal-'));
      // The repository has no xares lock file yet (no real shard was ever fetched here).
      const lockBefore = existsSync(lockFilePath('xares'))
        ? await readFile(lockFilePath('xares'), 'utf8')
        : undefined;
      const taskFilesBefore = await readFile(
        join(root, 'pipeline/tasks/xares/nsynthinstument.ts'),
        'utf8',
      );
      const report = await rehearse({
        out,
        scale: 1e-6,
        submissionsDir: submissions,
        protocols: ['leaderboard', 'xares-0.1.3'],
        control: true,
        minTrainBatches: 1,
        maxClipSeconds: 3,
        buildSite: false,
        logger: createMemoryLogger(),
      });
      expect(report.tasks).toHaveLength(22);
      // Every task evaluated under both protocols, the control too.
      expect(report.pairs).toHaveLength(44);
      for (const pair of report.pairs) {
        expect(pair.trackA, `${pair.task} ${pair.protocol}`).not.toBeNull();
        expect(pair.encodeStageSeconds, pair.task).not.toBeNull();
      }
      expect(report.tasks.every((task) => typeof task.controlScore === 'number')).toBe(true);
      // Discovery wrote the copies, verified, and left the mini sets out.
      expect([...report.leftOut].sort()).toEqual([
        'nsynthinstument: nsynth_train_sub55k_0000000.tar (matches "nsynth_train*.tar")',
        'voxlingua33: train_subset_2k_0000000.tar (matches "train_subset*.tar")',
        'voxlingua33: train_subset_2k_0000001.tar (matches "train_subset*.tar")',
      ]);
      const copy = await readFile(join(out, 'tasks', 'xares', 'nsynthinstument.ts'), 'utf8');
      expect(copy).toContain('filesVerified: true');
      expect(copy).toContain('nsynth_train_sub55k_0000000.tar: X-ARES');
      const lock = JSON.parse(await readFile(join(out, 'xares.lock.json'), 'utf8')) as {
        shards: Record<string, string>;
      };
      expect(Object.keys(lock.shards)).toContain('nsynthinstument/nsynth_train_0000000.tar');
      expect(Object.keys(lock.shards).some((key) => key.includes('sub55k'))).toBe(false);
      // The repository's own task and lock files are untouched.
      expect(
        existsSync(lockFilePath('xares'))
          ? await readFile(lockFilePath('xares'), 'utf8')
          : undefined,
      ).toBe(lockBefore);
      expect(await readFile(join(root, 'pipeline/tasks/xares/nsynthinstument.ts'), 'utf8')).toBe(
        taskFilesBefore,
      );
      const results = await readdir(join(out, 'results', 'runs', 'logmel-baseline'));
      expect(results.filter((name) => !name.includes('measurements'))).toHaveLength(22);
      expect(JSON.parse(await readFile(join(out, 'rehearsal.json'), 'utf8'))).toMatchObject({
        scale: 1e-6,
      });
    },
    BUDGETS.rehearsal,
  );
});

/**
 * The smallest rehearsal of the public X-ARES tasks, run and checked the same way by the
 * npm-test file (one task of every type and label format, main protocol) and the slow one (all
 * 22 tasks, both protocols and the control).
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ProtocolName } from '../../schemas/protocols.ts';
import { lockFilePath } from '../../pipeline/data/shard-lock.ts';
import { createMemoryLogger } from '../../pipeline/log.ts';
import { rehearse } from '../../pipeline/rehearsal/rehearse.ts';
import { PLUMBING_FLOORS } from '../../pipeline/rehearsal/generate.ts';

const root = join(import.meta.dirname, '..', '..');

async function readIfThere(path: string): Promise<string | undefined> {
  return existsSync(path) ? readFile(path, 'utf8') : undefined;
}

/**
 * One public task of every task type and label format: integer labels in folds, many-hot
 * names, events with comma-joined classes, notes over whole pieces, caption dictionaries,
 * transcripts and the second task on their record, mini sets beside a split, valid = test,
 * 248 phrases, 1,251 speakers.
 */
export const EVERY_FORMAT = [
  'esc50',
  'fsd50k',
  'desed',
  'maestro',
  'clotho',
  'librispeech',
  'librispeechmalefemale',
  'nsynthinstument',
  'voxlingua33',
  'fluentspeechcommands',
  'voxceleb1',
] as const;

export async function rehearseSmallest(
  protocols: readonly ProtocolName[],
  control: boolean,
  tasks?: readonly string[],
): Promise<void> {
  const submissions = await mkdtemp(join(tmpdir(), 'rehearsal-submissions-'));
  await cp(join(root, 'submissions', 'logmel-baseline'), join(submissions, 'logmel-baseline'), {
    recursive: true,
  });
  const out = await mkdtemp(join(tmpdir(), 'rehearsal-'));
  // The repository has no xares lock file until real shards are fetched; it must stay as it is.
  const lockBefore = await readIfThere(lockFilePath('xares'));
  const taskFile = join(root, 'pipeline/tasks/xares/nsynthinstument.ts');
  const taskFileBefore = await readFile(taskFile, 'utf8');
  const report = await rehearse({
    out,
    scale: 1e-6,
    submissionsDir: submissions,
    protocols,
    control,
    tasks,
    floors: PLUMBING_FLOORS,
    maxClipSeconds: 2,
    buildSite: false,
    logger: createMemoryLogger(),
  });
  expect(report.failures).toEqual([]);
  const count = tasks?.length ?? 22;
  expect(report.tasks).toHaveLength(count);
  expect(report.pairs).toHaveLength(count * protocols.length);
  for (const pair of report.pairs) {
    expect(pair.trackA, `${pair.task} ${pair.protocol}`).not.toBeNull();
    expect(pair.encodeStageSeconds, pair.task).not.toBeNull();
  }
  expect(report.tasks.every((task) => typeof task.controlScore === 'number')).toBe(control);
  // Discovery wrote the copies and left the mini sets out; verify recorded the rest.
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
  expect(await readIfThere(lockFilePath('xares'))).toBe(lockBefore);
  expect(await readFile(taskFile, 'utf8')).toBe(taskFileBefore);
  const results = await readdir(join(out, 'results', 'runs', 'logmel-baseline'));
  expect(results.filter((name) => !name.includes('measurements'))).toHaveLength(count);
  expect(JSON.parse(await readFile(join(out, 'rehearsal.json'), 'utf8'))).toMatchObject({
    scale: 1e-6,
  });
}

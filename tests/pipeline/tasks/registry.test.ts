/**
 * Registry-wide invariants of the task suite. Expected values come from the X-ARES protocol
 * notes (§1a: classes and eval_weight of every task file) and the README averages (§5).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classCount, TaskDefinition } from '../../../schemas/task.ts';
import { getSuite, suiteTasks } from '../../../pipeline/suites/index.ts';
import { defineTask } from '../../../pipeline/tasks/define.ts';
import {
  allTasks,
  getTask,
  indexTasks,
  registeredTasks,
} from '../../../pipeline/tasks/registry.ts';

const xares = suiteTasks(getSuite('xares'));
const publicTasks = xares.filter((task) => !task.private);

/** X-ARES `output_dim` per task file (protocol notes §1a). */
const OUTPUT_DIM: Record<string, number> = {
  asvspoof2015: 2,
  cremad: 6,
  desed: 10,
  esc50: 50,
  fluentspeechcommands: 248,
  freemusicarchive: 8,
  fsd50k: 200,
  fsdkaggle2018: 41,
  gtzan_genre: 10,
  libricount: 11,
  librispeechmalefemale: 2,
  maestro: 87,
  nsynthinstument: 11,
  ravdess: 8,
  speechcommandsv1: 30,
  urbansound8k: 10,
  vocalimitations: 302,
  vocalsound: 6,
  voxceleb1: 1251,
  voxlingua33: 33,
  finger_snap: 2,
  inside_outside_car: 2,
  key_scratching: 2,
  liveenv: 28,
  subway_broadcast: 2,
  clotho: 0,
  librispeech: 0,
};

describe('task registry', () => {
  it('registers every task file once, each valid against the schema', () => {
    // Counted from the folders, not from the registry: a file the registry dropped or shadowed
    // (a duplicate id) would make the two differ.
    const tasksDir = join(import.meta.dirname, '../../../pipeline/tasks');
    const files = readdirSync(tasksDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((folder) =>
        readdirSync(join(tasksDir, folder.name)).filter((name) => name.endsWith('.ts')),
      );
    expect(
      registeredTasks()
        .map((task) => task.file.split('/').pop())
        .sort(),
    ).toEqual(files.sort());
    const ids = allTasks().map((task) => task.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const task of allTasks()) {
      expect(() => TaskDefinition.parse(task), task.id).not.toThrow();
    }
  });

  it('refuses a second task with an id already taken, naming both files', () => {
    const declared = defineTask('pipeline/tasks/demo/demo_speech.ts', {
      ...getTask('demo_speech'),
      suite: 'demo',
    });
    expect(() =>
      indexTasks([
        { file: 'pipeline/tasks/demo/demo_speech.ts', ...declared },
        { file: 'pipeline/tasks/xares/copy_of_speech.ts', ...declared },
      ]),
    ).toThrow(
      'task id "demo_speech" is declared twice: in pipeline/tasks/demo/demo_speech.ts and in pipeline/tasks/xares/copy_of_speech.ts',
    );
  });

  it('lists in each suite exactly the tasks that name it, in their declared positions', () => {
    for (const suite of ['demo', 'xares']) {
      expect(getSuite(suite).taskIds, suite).toEqual(
        registeredTasks()
          .filter((task) => task.suite === suite)
          .map((task) => task.definition.id),
      );
    }
    expect(getSuite('demo').taskIds).toEqual([
      'demo_sound_events',
      'demo_timbre',
      'demo_tags',
      'demo_scenes',
      'demo_notes',
      'demo_captions',
      'demo_speech',
    ]);
    const xaresIds = getSuite('xares').taskIds;
    expect(xaresIds).toEqual([...xaresIds].sort());
  });

  it('holds the 22 public and 5 private X-ARES tasks, 3 of the private ones disabled', () => {
    expect(publicTasks).toHaveLength(22);
    expect(
      xares
        .filter((task) => task.private)
        .map((task) => task.id)
        .sort(),
    ).toEqual([
      'finger_snap',
      'inside_outside_car',
      'key_scratching',
      'liveenv',
      'subway_broadcast',
    ]);
    expect(
      xares
        .filter((task) => task.disabled)
        .map((task) => task.id)
        .sort(),
    ).toEqual(['finger_snap', 'key_scratching', 'liveenv']);
  });

  it('weights the 22 public tasks to 38,752 and the 16 public kNN tasks to 22,889', () => {
    expect(publicTasks.reduce((sum, task) => sum + task.weight, 0)).toBe(38752);
    const knn = publicTasks.filter((task) => task.trackB);
    expect(knn).toHaveLength(16);
    expect(knn.reduce((sum, task) => sum + task.weight, 0)).toBe(22889);
  });

  it('has the X-ARES number of classes in every label map', () => {
    for (const task of xares) {
      expect(classCount(task), task.id).toBe(OUTPUT_DIM[task.id]);
    }
  });

  it('gives every task type and metric of the X-ARES suite a twin in the demo suite', () => {
    const demo = suiteTasks(getSuite('demo'));
    const signature = (task: TaskDefinition) => `${task.type}/${task.metric}/${task.labels.kind}`;
    const missing = [...new Set(publicTasks.map(signature))].filter(
      (needed) => !demo.some((task) => signature(task) === needed),
    );
    expect(missing).toEqual([]);
    expect(demo.some((task) => task.splits.kind === 'folds')).toBe(true);
  });

  it('lists explicit shard files wherever the X-ARES code names them, and marks the rest unverified', () => {
    const verified = xares
      .filter((task) => task.source.kind === 'zenodo' && task.source.filesVerified)
      .map((task) => task.id);
    expect(verified.sort()).toEqual([
      'gtzan_genre',
      'libricount',
      'ravdess',
      'urbansound8k',
      'vocalimitations',
    ]);
    expect(getTask('libricount').splits).toEqual({
      kind: 'folds',
      folds: [0, 1, 2, 3, 4].map((fold) => ({
        id: String(fold),
        shards: [`libricount_fold0${fold}.tar`],
      })),
    });
  });

  it('keeps the X-ARES recipe details the README gets wrong', () => {
    expect(getTask('asvspoof2015').metric).toBe('accuracy');
    expect(getTask('fsdkaggle2018').metric).toBe('accuracy');
    expect(getTask('maestro').trackA).toEqual({
      epochs: 50,
      learningRate: 1e-3,
      batchSize: 1,
      loss: 'bce',
      posWeight: 10,
    });
    expect(getTask('freemusicarchive').trackA.epochs).toBe(3);
    expect(getTask('speechcommandsv1').labels.kind).toBe('single');
    expect(getTask('clotho').splits).toMatchObject({ kind: 'standard' });
    const clotho = getTask('clotho');
    expect(clotho.source.kind === 'zenodo' && clotho.source.xaresPatterns).toEqual({
      train: 'clotho_development*.tar',
      valid: 'clotho_evaluation*.tar',
      test: 'clotho_validation*.tar',
    });
  });
});

/** The shard lists of a task, by split name (train, valid, test) or fold id. */
import type { TaskDefinition } from '../../schemas/task.ts';

/**
 * Shards per split or fold. Validation and test may list the same shards (X-ARES does this for
 * DESED, FSD18-Kaggle and VoxLingua33); callers read such a list once.
 */
export function splitShards(task: Pick<TaskDefinition, 'splits'>): Map<string, readonly string[]> {
  if (task.splits.kind === 'folds') {
    return new Map(task.splits.folds.map((fold) => [fold.id, fold.shards]));
  }
  return new Map([
    ['train', task.splits.train],
    ['valid', task.splits.valid],
    ['test', task.splits.test],
  ]);
}

/** Every shard file of the task, each once, in split order. */
export function taskShardNames(task: TaskDefinition): string[] {
  return [...new Set([...splitShards(task).values()].flat())];
}

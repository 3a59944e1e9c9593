/**
 * Whether a task can be evaluated by this checkout, and why not: the evaluation skips such a
 * task with the reason, and the status page shows the same reason for its pairs.
 */
import type { TaskDefinition } from '../../schemas/task.ts';

/** Why the engine cannot evaluate `task` at all now, or undefined when it can. */
export function unsupportedReason(task: TaskDefinition): string | undefined {
  if (task.source.kind === 'zenodo' && !task.source.filesVerified) {
    return `its shard lists are not verified against Zenodo record ${task.source.record} (see \`pipeline data discover\`)`;
  }
  return undefined;
}

/** Why a task without a result is not run by the leaderboard's own evaluations, if it is not. */
export function skipReason(task: TaskDefinition): string | undefined {
  return (
    unsupportedReason(task) ??
    (task.source.kind === 'private'
      ? "private data, evaluated only in the organisers' runs"
      : undefined)
  );
}

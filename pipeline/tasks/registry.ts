/**
 * Every task the pipeline knows, by id. Task files are plain declarations; this module only
 * collects them and answers lookups (with a suggestion for typos).
 */
import type { TaskDefinition } from '../../schemas/task.ts';
import { UsageError } from '../errors.ts';
import demoSoundEvents from './demo/demo_sound_events.ts';
import demoTimbre from './demo/demo_timbre.ts';

const TASKS: ReadonlyMap<string, TaskDefinition> = new Map(
  [demoSoundEvents, demoTimbre].map((task) => [task.id, task] as const),
);

export function allTasks(): TaskDefinition[] {
  return [...TASKS.values()];
}

/** Levenshtein distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(
        above + 1,
        (row[j - 1] as number) + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

export function closestMatch(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

export function getTask(id: string): TaskDefinition {
  const task = TASKS.get(id);
  if (task) {
    return task;
  }
  const suggestion = closestMatch(id, TASKS.keys());
  throw new UsageError(
    `unknown task "${id}"`,
    suggestion ? `did you mean "${suggestion}"?` : `known tasks: ${[...TASKS.keys()].join(', ')}`,
  );
}

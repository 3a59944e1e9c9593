/**
 * `defineTask` validates a task declaration when its module loads, so a mistake in a task file
 * fails every command immediately with the file and the field. The declaration also names the
 * suite the task belongs to: that line is the task's whole registration, since the registry
 * finds task files by their folder and suites list their tasks from the registry.
 */
import { z } from 'zod';
import { parseWithFriendlyErrors } from '../../schemas/friendly-errors.ts';
import { TaskDefinition, type TaskDefinitionInput } from '../../schemas/task.ts';

const SuiteMembership = z.strictObject({
  /** The id of the suite (pipeline/suites/index.ts) that evaluates and ranks the task. */
  suite: z.string().regex(/^[a-z][a-z0-9_]*$/),
  /**
   * Where the task's column sits in its suite's tables and results; tasks without one follow
   * the positioned ones in id order.
   */
  position: z.int().positive().optional(),
});
type SuiteMembership = z.infer<typeof SuiteMembership>;

export interface DeclaredTask {
  readonly suite: string;
  readonly position: number | undefined;
  readonly definition: TaskDefinition;
}

export function defineTask(
  source: string,
  input: TaskDefinitionInput & SuiteMembership,
): DeclaredTask {
  const { suite, position, ...task } = input;
  const membership = parseWithFriendlyErrors(
    SuiteMembership,
    position === undefined ? { suite } : { suite, position },
    source,
    'task definition',
  );
  return Object.freeze({
    suite: membership.suite,
    position: membership.position,
    definition: Object.freeze(
      parseWithFriendlyErrors(TaskDefinition, task, source, 'task definition'),
    ),
  });
}

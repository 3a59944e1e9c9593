/**
 * `defineTask` validates a task declaration when its module loads, so a mistake in a task file
 * fails every command immediately with the file and the field.
 */
import { parseWithFriendlyErrors } from '../../schemas/friendly-errors.ts';
import { TaskDefinition, type TaskDefinitionInput } from '../../schemas/task.ts';

export function defineTask(source: string, input: TaskDefinitionInput): TaskDefinition {
  return Object.freeze(parseWithFriendlyErrors(TaskDefinition, input, source, 'task definition'));
}

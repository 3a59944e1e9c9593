/**
 * Suites: named lists of tasks evaluated and ranked together. `demo` is the small synthetic
 * suite bundled with the repository and used when nothing else is configured.
 */
import type { TaskDefinition } from '../../schemas/task.ts';
import { UsageError } from '../errors.ts';
import { getTask } from '../tasks/registry.ts';

export interface SuiteDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly taskIds: readonly string[];
}

const SUITES: Readonly<Record<string, SuiteDefinition>> = {
  demo: {
    id: 'demo',
    name: 'Demo suite',
    description:
      'Small synthetic tasks generated deterministically by the repository, so the whole pipeline runs offline in minutes. Scores on it say nothing about real-world quality.',
    taskIds: ['demo_sound_events', 'demo_timbre'],
  },
};

export const DEFAULT_SUITE = 'demo';

export function getSuite(id: string): SuiteDefinition {
  const suite = SUITES[id];
  if (!suite) {
    throw new UsageError(
      `unknown suite "${id}"`,
      `known suites: ${Object.keys(SUITES).join(', ')}`,
    );
  }
  return suite;
}

export function suiteTasks(suite: SuiteDefinition): TaskDefinition[] {
  return suite.taskIds.map(getTask);
}

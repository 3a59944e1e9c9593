/**
 * Suites: named sets of tasks evaluated and ranked together. `demo` is the small synthetic
 * suite bundled with the repository and used when nothing else is configured. A suite's tasks
 * are the registered tasks that name it (`suite:` in the task file), in the registry's order.
 */
import type { TaskDefinition } from '../../schemas/task.ts';
import { lockFilePath } from '../data/shard-lock.ts';
import { PipelineError, UsageError } from '../errors.ts';
import { getTask, registeredTasks } from '../tasks/registry.ts';

export interface SuiteDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly taskIds: readonly string[];
}

const SUITE_DESCRIPTIONS: Readonly<Record<string, Omit<SuiteDefinition, 'taskIds'>>> = {
  demo: {
    id: 'demo',
    name: 'Demo suite',
    description:
      'Small synthetic tasks generated deterministically by the repository, so the whole pipeline runs offline in minutes. Scores on it say nothing about real-world quality.',
  },
  xares: {
    id: 'xares',
    name: 'X-ARES',
    description:
      'The X-ARES v0.1.3 task suite of the ICME 2025 Audio Encoder Capability Challenge: 22 public tasks over speech, environmental sound and music, and 5 organiser-private tasks (3 of them disabled, as in X-ARES).',
  },
};

function withTaskIds(): Readonly<Record<string, SuiteDefinition>> {
  const tasks = registeredTasks();
  const unknown = tasks.find((task) => !Object.hasOwn(SUITE_DESCRIPTIONS, task.suite));
  if (unknown) {
    throw new PipelineError(
      'TASK_INVALID',
      `${unknown.file} puts task "${unknown.definition.id}" in suite "${unknown.suite}", which does not exist`,
      { hint: `known suites: ${Object.keys(SUITE_DESCRIPTIONS).join(', ')}` },
    );
  }
  return Object.fromEntries(
    Object.entries(SUITE_DESCRIPTIONS).map(([id, suite]) => [
      id,
      Object.freeze({
        ...suite,
        taskIds: tasks.filter((task) => task.suite === id).map((task) => task.definition.id),
      }),
    ]),
  );
}

const SUITES = withTaskIds();

/** The ids --suite accepts; the default suite is DEFAULT_SUITE in schemas/environment.ts. */
export const SUITE_IDS: readonly string[] = Object.keys(SUITES);

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

/**
 * The task definitions, lock file and Zenodo server a run reads: the registered ones, or a
 * rehearsal's (pipeline/rehearsal/): its discovered copies of the task files, its own lock file
 * and its Zenodo on 127.0.0.1. Options carry it as data; nothing global changes.
 */
export interface SuiteData {
  readonly tasks: readonly TaskDefinition[];
  readonly lockFile: string;
  /** A rehearsal's Zenodo on 127.0.0.1 (plain http allowed for it alone); else ZENODO_URL. */
  readonly localZenodoUrl?: string | undefined;
}

export function registeredSuiteData(suite: SuiteDefinition): SuiteData {
  return { tasks: suiteTasks(suite), lockFile: lockFilePath(suite.id) };
}

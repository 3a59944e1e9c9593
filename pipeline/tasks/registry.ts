/**
 * Every task the pipeline knows, by id. Each .ts file in a folder under pipeline/tasks/ is a
 * task file (`export default defineTask(...)`), found when this module loads, so adding a task
 * is adding its file. Ids are unique: a second file declaring a known id stops every command
 * with both files named, rather than one of them silently winning.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TaskDefinition } from '../../schemas/task.ts';
import { PipelineError, UsageError } from '../errors.ts';
import type { DeclaredTask } from './define.ts';

/** A task definition with the file that declares it and the suite it belongs to. */
export interface RegisteredTask extends DeclaredTask {
  /** Repository-relative path of the task file. */
  readonly file: string;
}

const REPOSITORY_ROOT = join(import.meta.dirname, '..', '..');

/** Task files in path order: one folder per family of tasks, one file per task. */
function taskFiles(): string[] {
  return readdirSync(import.meta.dirname, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((folder) =>
      readdirSync(join(folder.parentPath, folder.name), { withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
        .map((entry) => relative(REPOSITORY_ROOT, join(entry.parentPath, entry.name))),
    )
    .sort();
}

function isDeclaredTask(value: unknown): value is DeclaredTask {
  return typeof value === 'object' && value !== null && 'definition' in value && 'suite' in value;
}

async function loadTaskFile(file: string): Promise<RegisteredTask> {
  const module = (await import(pathToFileURL(join(REPOSITORY_ROOT, file)).href)) as {
    default?: unknown;
  };
  if (!isDeclaredTask(module.default)) {
    throw new PipelineError('TASK_INVALID', `${file} does not declare a task`, {
      hint: 'a file under pipeline/tasks/<folder>/ must `export default defineTask(...)`',
    });
  }
  return { file, ...module.default };
}

/** Indexes tasks by id, refusing a second task with an id already taken. */
export function indexTasks(tasks: readonly RegisteredTask[]): ReadonlyMap<string, RegisteredTask> {
  const byId = new Map<string, RegisteredTask>();
  for (const task of tasks) {
    const first = byId.get(task.definition.id);
    if (first) {
      throw new PipelineError(
        'TASK_INVALID',
        `task id "${task.definition.id}" is declared twice: in ${first.file} and in ${task.file}`,
        { hint: 'task ids name result files and columns, so each must be unique; rename one' },
      );
    }
    byId.set(task.definition.id, task);
  }
  return byId;
}

/** Suite by suite, each in its declared positions and then by id: the order of its columns. */
function listingOrder(a: RegisteredTask, b: RegisteredTask): number {
  const position = (task: RegisteredTask) => task.position ?? Number.POSITIVE_INFINITY;
  return (
    a.suite.localeCompare(b.suite) ||
    position(a) - position(b) ||
    (a.definition.id < b.definition.id ? -1 : a.definition.id > b.definition.id ? 1 : 0)
  );
}

const TASKS = indexTasks((await Promise.all(taskFiles().map(loadTaskFile))).sort(listingOrder));

export function registeredTasks(): RegisteredTask[] {
  return [...TASKS.values()];
}

export function allTasks(): TaskDefinition[] {
  return registeredTasks().map((task) => task.definition);
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
    return task.definition;
  }
  const suggestion = closestMatch(id, TASKS.keys());
  throw new UsageError(
    `unknown task "${id}"`,
    suggestion ? `did you mean "${suggestion}"?` : `known tasks: ${[...TASKS.keys()].join(', ')}`,
  );
}

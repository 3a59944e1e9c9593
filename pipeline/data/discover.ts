/**
 * `pipeline data discover`: turns the X-ARES glob of each split into an explicit, sorted list of
 * shard files, from the record's real file listing (Zenodo API `GET /api/records/<id>`). X-ARES
 * expands the globs on disk, in file-system order, and silently includes anything that matches
 * (mini-set shards, for example); the printed lists are meant to be reviewed and committed.
 */
import { z } from 'zod';
import type { TaskDefinition, TaskSplits } from '../../schemas/task.ts';
import { DataError, errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';

const RecordListing = z.object({
  files: z.array(z.object({ key: z.string(), size: z.number(), checksum: z.string().optional() })),
});
export type RecordFile = z.infer<typeof RecordListing>['files'][number];

export async function fetchRecordFiles(zenodoUrl: string, record: string): Promise<RecordFile[]> {
  const url = `${zenodoUrl.replace(/\/$/, '')}/api/records/${record}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (error) {
    throw new DataError(`Zenodo record ${record}: listing failed (${errorMessage(error)})`);
  }
  if (!response.ok) {
    throw new DataError(`Zenodo record ${record}: listing failed with HTTP ${response.status}`);
  }
  const parsed = RecordListing.safeParse(await response.json());
  if (!parsed.success) {
    throw new DataError(`Zenodo record ${record}: unexpected listing format (no files[].key)`);
  }
  return parsed.data.files;
}

/** A shell-style glob (only `*` and `?`) as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${escaped}$`);
}

export interface Discovery {
  readonly splits: TaskSplits;
  readonly warnings: readonly string[];
}

/** Explicit shard lists for `task` from the record's files. */
export function discoverSplits(task: TaskDefinition, files: readonly RecordFile[]): Discovery {
  if (task.source.kind !== 'zenodo') {
    throw new Error(`${task.id} is not a Zenodo task`);
  }
  const patterns = task.source.xaresPatterns;
  const warnings: string[] = [];
  const tars = files.map((file) => file.key).filter((key) => key.endsWith('.tar'));
  const matched = new Map<string, string[]>();
  for (const [group, pattern] of Object.entries(patterns)) {
    const regex = globToRegExp(pattern);
    const names = tars.filter((key) => regex.test(key)).sort();
    if (names.length === 0) {
      warnings.push(
        `${task.id}: "${pattern}" (${group}) matches no file of record ${task.source.record}`,
      );
    }
    matched.set(group, names);
  }
  const owners = new Map<string, string[]>();
  for (const [group, names] of matched) {
    for (const name of names) {
      owners.set(name, [...(owners.get(name) ?? []), group]);
    }
  }
  for (const [name, groups] of owners) {
    const distinctPatterns = new Set(groups.map((group) => patterns[group]));
    if (distinctPatterns.size > 1) {
      warnings.push(
        `${task.id}: ${name} matches the patterns of ${groups.join(' and ')}; X-ARES reads it in both (a mini-set shard?)`,
      );
    }
  }
  const list = (group: string) => matched.get(group) ?? [];
  const splits: TaskSplits =
    task.splits.kind === 'folds'
      ? {
          kind: 'folds',
          folds: task.splits.folds.map((fold) => ({ id: fold.id, shards: list(fold.id) })),
        }
      : { kind: 'standard', train: list('train'), valid: list('valid'), test: list('test') };
  return { splits, warnings };
}

/**
 * `data discover`: explicit shard lists for each Zenodo task, from its record listing, written
 * (by `write`) as text to paste into the task's definition under pipeline/tasks/.
 */
export async function discoverShardLists(
  tasks: readonly TaskDefinition[],
  zenodoUrl: string,
  logger: Logger,
  write: (text: string) => void,
): Promise<void> {
  for (const task of tasks) {
    if (task.source.kind !== 'zenodo') {
      logger.info(`${task.id}: not a Zenodo task; skipped`);
      continue;
    }
    const discovery = discoverSplits(task, await fetchRecordFiles(zenodoUrl, task.source.record));
    for (const warning of discovery.warnings) {
      logger.warn(warning);
    }
    write(
      `// ${task.id} (record ${task.source.record}): set "splits" to this and "filesVerified" to true\n`,
    );
    write(`${JSON.stringify(discovery.splits, null, 2)}\n`);
  }
}

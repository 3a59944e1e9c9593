/**
 * `pipeline data discover`: turns the X-ARES glob of each split into an explicit, sorted list of
 * shard files, from the record's real file listing (Zenodo API `GET /api/records/<id>`). X-ARES
 * expands the globs on disk, in file-system order, and silently includes anything that matches.
 * A split's shards are a numbered series (`<glob prefix>[-_]<digits>.tar`); a file the glob
 * matches outside that series (a mini set such as `nsynth_train_sub55k_0000000.tar`) is left
 * out and named, since X-ARES would have read it too. The lists are reviewed and committed.
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

/** A file a split's X-ARES glob matches that is not one of the split's numbered shards. */
export interface LeftOutFile {
  readonly name: string;
  /** Split name or fold id. */
  readonly group: string;
  readonly pattern: string;
}

export interface Discovery {
  readonly splits: TaskSplits;
  readonly leftOut: readonly LeftOutFile[];
  readonly warnings: readonly string[];
}

/**
 * Whether `name`, matched by `glob`, is one of the numbered shards the glob stands for: what the
 * glob's `*` matched is a shard number, optionally after "-" or "_" (X-ARES writes shards by
 * replacing `*` with a zero-padded index). An exact name (no `*`) always is.
 */
export function isNumberedShard(glob: string, name: string): boolean {
  const star = glob.indexOf('*');
  if (star < 0) {
    return true;
  }
  const prefix = glob.slice(0, star);
  const suffix = glob.slice(glob.lastIndexOf('*') + 1);
  const middle = name.slice(prefix.length, name.length - suffix.length);
  return /^[-_]?\d+$/.test(middle);
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
  const leftOut: LeftOutFile[] = [];
  for (const [group, pattern] of Object.entries(patterns)) {
    const regex = globToRegExp(pattern);
    const all = tars.filter((key) => regex.test(key)).sort();
    if (all.length === 0) {
      warnings.push(
        `${task.id}: "${pattern}" (${group}) matches no file of record ${task.source.record}`,
      );
    }
    const numbered = all.filter((name) => isNumberedShard(pattern, name));
    if (numbered.length === 0 && all.length > 0) {
      // No numbered series at all: the record names its shards some other way; keep them all.
      warnings.push(
        `${task.id}: no file "${pattern}" (${group}) matches is a numbered shard; every match is kept, check them by hand`,
      );
      matched.set(group, all);
      continue;
    }
    for (const name of all.filter((entry) => !numbered.includes(entry))) {
      // Valid and test may share a pattern (valid = test); name each file once.
      if (!leftOut.some((entry) => entry.name === name && entry.pattern === pattern)) {
        leftOut.push({ name, group, pattern });
      }
    }
    matched.set(group, numbered);
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
  return { splits, leftOut, warnings };
}

/** What X-ARES would have read that the lists leave out, in words, one line per file. */
export function leftOutNotes(discovery: Discovery): string[] {
  return discovery.leftOut.map(
    (file) =>
      `${file.name}: X-ARES's ${file.group} glob "${file.pattern}" also matches it, so X-ARES would have read it too; it is not one of the split's numbered shards (a mini set), so the list leaves it out`,
  );
}

/** A Zenodo task and what its record's listing says its shard lists are. */
export interface DiscoveredTask {
  readonly task: TaskDefinition;
  readonly discovery: Discovery;
}

/**
 * Discovery for every Zenodo task of `tasks` (others are skipped with a line), each record's
 * listing fetched once (the two LibriSpeech tasks share one); warnings are logged.
 */
export async function discoverTasks(
  tasks: readonly TaskDefinition[],
  zenodoUrl: string,
  logger: Logger,
): Promise<DiscoveredTask[]> {
  const listings = new Map<string, RecordFile[]>();
  const discovered: DiscoveredTask[] = [];
  for (const task of tasks) {
    if (task.source.kind !== 'zenodo') {
      logger.info(`${task.id}: not a Zenodo task; skipped`);
      continue;
    }
    const record = task.source.record;
    const files = listings.get(record) ?? (await fetchRecordFiles(zenodoUrl, record));
    listings.set(record, files);
    const discovery = discoverSplits(task, files);
    for (const warning of discovery.warnings) {
      logger.warn(warning);
    }
    discovered.push({ task, discovery });
  }
  return discovered;
}

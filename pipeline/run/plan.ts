/**
 * Planning a run: every (submission, task) of the suite and whether its stored result already
 * stands for the current inputs, judged from the lock file's shard hashes alone (no data is
 * touched). Planning reads and writes nothing else, so `plan` and `merge` can use it freely; the
 * example models a run needs are written by run/prepare.ts before it plans. Runs, merges and
 * rehearsals that wrote results rebuild the plan's leaderboard with `rebuildPlannedLeaderboard`.
 */
import { DEFAULT_PROTOCOL, PROTOCOLS, type ProtocolInfo } from '../../schemas/protocols.ts';
import { protocolResultsDir, resultFile } from '../../schemas/results-layout.ts';
import type { TaskDefinition } from '../../schemas/task.ts';
import { readShardLock, type ShardLock } from '../data/shard-lock.ts';
import type { EmbeddingPrecision } from '../encode/cache.ts';
import { PipelineError, UsageError } from '../errors.ts';
import { lockedShards, resultFingerprint } from '../fingerprints.ts';
import { BOOTSTRAP_REPLICATES } from '../metrics/bootstrap.ts';
import { rebuildLeaderboard } from '../scoring/aggregate.ts';
import { matchesInputs, readStoredResult } from '../scoring/stored-result.ts';
import {
  getSuite,
  registeredSuiteData,
  type SuiteData,
  type SuiteDefinition,
} from '../suites/index.ts';
import {
  refuseEmptyScan,
  scanSubmissionFolders,
  type BrokenSubmission,
  type Submission,
} from '../submissions/scan.ts';
import { unsupportedReason } from '../tasks/availability.ts';
import { closestMatch } from '../tasks/registry.ts';
import type { EvaluateOptions, WorkShard } from './options.ts';

export type PlanOptions = Pick<
  EvaluateOptions,
  | 'suiteId'
  | 'suiteData'
  | 'resultsDir'
  | 'protocol'
  | 'cacheDir'
  | 'submissionsDir'
  | 'allowEmpty'
  | 'submission'
  | 'task'
  | 'embeddingPrecision'
  | 'replicates'
  | 'logger'
>;

/** One (submission, task) and what is known about it before any data is touched. */
export interface WorkItem {
  readonly submission: Submission;
  readonly task: TaskDefinition;
  readonly id: string;
  /** Whether the stored result already matches the lock file's shard hashes. */
  readonly current: boolean;
  readonly unsupported: string | undefined;
}

export interface EvaluationPlan {
  readonly suite: SuiteDefinition;
  /** Where the tasks, the lock file and the Zenodo server come from. */
  readonly data: SuiteData;
  readonly protocol: ProtocolInfo;
  /** Where this protocol's results of the suite live. */
  readonly protocolDir: string;
  readonly allTasks: readonly TaskDefinition[];
  readonly allSubmissions: readonly Submission[];
  /** Submission folders that cannot be evaluated: each fails alone, the run goes on. */
  /** The folders the scan could not load, all of them (status.json lists them). */
  readonly allBroken: readonly BrokenSubmission[];
  /** Those of them this run was asked about (every one, or the selected submission). */
  readonly broken: readonly BrokenSubmission[];
  readonly items: readonly WorkItem[];
  readonly lock: ShardLock;
  /** The run's embedding precision and bootstrap replicates, defaults applied here alone. */
  readonly precision: EmbeddingPrecision;
  readonly replicates: number;
}

function pick<T extends { readonly id: string } | { readonly slug: string }>(
  items: readonly T[],
  wanted: string | undefined,
  what: string,
): T[] {
  if (wanted === undefined) {
    return [...items];
  }
  const idOf = (item: T) => ('id' in item ? item.id : item.slug);
  const found = items.filter((item) => idOf(item) === wanted);
  if (found.length > 0) {
    return found;
  }
  const suggestion = closestMatch(wanted, items.map(idOf));
  throw new UsageError(
    `no ${what} "${wanted}" in this run`,
    suggestion ? `did you mean "${suggestion}"?` : `available: ${items.map(idOf).join(', ')}`,
  );
}

/** Every (submission, task) of the run and whether it needs work, from the lock file alone. */
export async function planEvaluation(options: PlanOptions): Promise<EvaluationPlan> {
  const suite = getSuite(options.suiteId);
  const protocol = PROTOCOLS[options.protocol ?? DEFAULT_PROTOCOL];
  const protocolDir = protocolResultsDir(options.resultsDir, protocol.name);
  const data = options.suiteData ?? registeredSuiteData(suite);
  const allTasks = [...data.tasks];
  const tasks = pick(allTasks, options.task, 'task').filter((task) => !task.disabled);
  const scan = await scanSubmissionFolders(options.submissionsDir, options.cacheDir);
  const { submissions: allSubmissions, broken: allBroken } = scan;
  const broken = allBroken.filter(
    (folder) => options.submission === undefined || folder.folder === options.submission,
  );
  const [wantedBroken] = broken;
  if (options.submission !== undefined && wantedBroken) {
    throw new PipelineError('SUBMISSION_INVALID', wantedBroken.message, {
      ...(wantedBroken.hint === undefined ? {} : { hint: wantedBroken.hint }),
    });
  }
  refuseEmptyScan(options.submissionsDir, scan, options.allowEmpty === true);
  const submissions = pick(allSubmissions, options.submission, 'submission');
  const lock = await readShardLock(data.lockFile);
  const precision = options.embeddingPrecision ?? 'float32';
  const replicates = options.replicates ?? BOOTSTRAP_REPLICATES;
  const items: WorkItem[] = [];
  for (const submission of submissions) {
    for (const task of tasks) {
      const stored = await readStoredResult(resultFile(protocolDir, submission.slug, task.id));
      const locked = lockedShards(task, lock);
      const expected =
        locked === undefined
          ? undefined
          : resultFingerprint(protocol, submission, task, locked, precision, replicates);
      items.push({
        submission,
        task,
        id: `${submission.slug} x ${task.id}`,
        current: matchesInputs(stored, expected),
        unsupported: unsupportedReason(task),
      });
    }
  }
  return {
    suite,
    data,
    protocol,
    protocolDir,
    allTasks,
    allSubmissions,
    allBroken,
    broken,
    items,
    lock,
    precision,
    replicates,
  };
}

/** The items that need work, in plan order, dealt round-robin to `count` shards. */
export function shardOf<T>(work: readonly T[], shard: WorkShard | undefined): T[] {
  if (!shard) {
    return [...work];
  }
  return work.filter((_, index) => index % shard.count === shard.index - 1);
}

export function pendingWork(plan: EvaluationPlan): WorkItem[] {
  return plan.items.filter((item) => !item.current && item.unsupported === undefined);
}

/**
 * The leaderboard of the plan's protocol rebuilt from what is stored, over every task and
 * submission of the suite (not only the planned ones): one shard's run never narrows the board.
 */
export async function rebuildPlannedLeaderboard(
  plan: EvaluationPlan,
  cacheDir: string,
): Promise<void> {
  await rebuildLeaderboard(
    plan.protocolDir,
    plan.suite,
    plan.protocol,
    plan.allTasks,
    plan.allSubmissions,
    cacheDir,
    plan.allBroken,
  );
}

/**
 * The missing work of one or more evaluation plans as a GitHub Actions matrix: n jobs, each
 * running `evaluate --shard i/n`. Every protocol's pending pairs are split into the same n
 * shares, so job i runs share i of each protocol.
 */
import { pendingWork, shardOf, type EvaluationPlan } from './plan.ts';

/** More parallel jobs than a workflow should start by default. */
export const DEFAULT_MAX_JOBS = 16;

export interface ShardMatrixEntry {
  /** `i/n`, as `evaluate --shard` takes it. */
  readonly shard: string;
  /** (submission, task) pairs this job evaluates, over every plan. */
  readonly pairs: number;
}

export interface ShardMatrix {
  readonly include: readonly ShardMatrixEntry[];
  /** Pairs that need work, over every plan. */
  readonly pending: number;
  /** Pairs the plans cover, current or not. */
  readonly total: number;
}

export function shardMatrix(plans: readonly EvaluationPlan[], maxJobs: number): ShardMatrix {
  const pending = plans.map(pendingWork);
  // More jobs than the largest plan's pending pairs would leave some jobs without work.
  const jobs = Math.min(maxJobs, Math.max(0, ...pending.map((work) => work.length)));
  const include = Array.from({ length: jobs }, (_, i) => {
    const shard = { index: i + 1, count: jobs };
    const pairs = pending.reduce((sum, work) => sum + shardOf(work, shard).length, 0);
    return { shard: `${shard.index}/${shard.count}`, pairs };
  });
  return {
    include,
    pending: pending.reduce((sum, work) => sum + work.length, 0),
    total: plans.reduce((sum, plan) => sum + plan.items.length, 0),
  };
}

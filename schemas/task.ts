/**
 * A task of the suite, declared as data (one file per task under `pipeline/tasks/`). The same
 * record drives the data loader, the heads, the weights of the averages and the task pages.
 */
import { z } from 'zod';
import { DisplayText, Domain, HttpsUrl, TaskId } from './common.ts';
import { MetricId } from './metrics.ts';

export const TaskType = z.enum(['clip', 'frame', 'retrieval', 'asr']);
export type TaskType = z.infer<typeof TaskType>;

/** A shard file name inside the task's data folder; explicit names, never globs. */
export const ShardName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\.tar$/, {
    error: 'must be a .tar file name without directories (explicit names, no globs)',
  })
  .refine((name) => !name.includes('..'), { error: 'must not contain ".."' });

const ShardList = z.array(ShardName).min(1, { error: 'needs at least one shard' });

/** Train, validation and test shards. Validation may list the same shards as test (X-ARES does for DESED, FSD18, VoxLingua33). */
export const StandardSplits = z.strictObject({
  kind: z.literal('standard'),
  train: ShardList,
  valid: ShardList,
  test: ShardList,
});

/** K-fold cross-validation: each fold is held out once and used for both validation and test. */
export const FoldSplits = z.strictObject({
  kind: z.literal('folds'),
  folds: z
    .array(z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/), shards: ShardList }))
    .min(2, { error: 'k-fold tasks need at least two folds' }),
});

export const TaskSplits = z.discriminatedUnion('kind', [StandardSplits, FoldSplits]);
export type TaskSplits = z.infer<typeof TaskSplits>;

/**
 * Single-label classes read from one JSON field. `values[i]` is the raw JSON value of class i
 * (defaults to `classes[i]`); `otherwise` is the class of any value not listed, as in
 * LibriSpeech-MF where "M" is 0 and everything else is 1. Without it an unknown value is an error.
 */
export const SingleLabel = z
  .strictObject({
    kind: z.literal('single'),
    key: z.string().min(1),
    classes: z.array(DisplayText(200)).min(2),
    values: z.array(z.union([z.string(), z.int()])).optional(),
    otherwise: z.int().nonnegative().optional(),
  })
  .superRefine((label, ctx) => {
    if (label.values && label.values.length !== label.classes.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['values'],
        message: `has ${label.values.length} entries but there are ${label.classes.length} classes; give one raw value per class`,
      });
    }
    if (label.otherwise !== undefined && label.otherwise >= label.classes.length) {
      ctx.addIssue({ code: 'custom', path: ['otherwise'], message: 'must be a class index' });
    }
    const raw = label.values ?? label.classes;
    if (new Set(raw).size !== raw.length) {
      ctx.addIssue({
        code: 'custom',
        path: [label.values ? 'values' : 'classes'],
        message: 'has duplicates',
      });
    }
  });

export const TaskLabels = SingleLabel;
export type TaskLabels = z.infer<typeof TaskLabels>;

/** Where the shards come from. */
export const TaskSource = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('zenodo'),
    /** Zenodo record id; shards are fetched from `https://zenodo.org/records/<record>/files/<shard>`. */
    record: z.string().regex(/^\d+$/),
  }),
  z.strictObject({
    kind: z.literal('generated'),
    /** Name of the deterministic generator in `pipeline/suites/`. */
    generator: z.string().min(1),
  }),
]);

/** Track A head recipe (X-ARES `TaskConfig` fields). */
export const TrackARecipe = z.strictObject({
  epochs: z.int().positive().default(10),
  learningRate: z.number().positive().default(1e-3),
  batchSize: z.int().positive().default(32),
  loss: z.enum(['cross_entropy', 'bce']).default('cross_entropy'),
  /** BCEWithLogits `pos_weight`, one scalar for every class (MAESTRO uses 10). */
  posWeight: z.number().positive().optional(),
});

export const TaskDefinition = z.strictObject({
  id: TaskId,
  /** Bumped whenever anything that changes scores changes; part of every result's cache key. */
  version: z.int().positive(),
  name: DisplayText(80),
  description: DisplayText(1000),
  domain: Domain,
  dataset: z.strictObject({
    name: DisplayText(120),
    homepage: HttpsUrl.optional(),
    license: DisplayText(80).optional(),
  }),
  type: TaskType,
  metric: MetricId,
  labels: TaskLabels,
  splits: TaskSplits,
  source: TaskSource,
  /** Seconds per crop; clips are cut into non-overlapping crops and short clips zero-padded. */
  cropSeconds: z.number().positive().optional(),
  /** X-ARES `batch_size_encode`; kept for reference, see the methodology page. */
  encodeBatchSize: z.int().positive().default(16),
  trackA: TrackARecipe.prefault({}),
  /** Whether Track B (kNN) is scored on this task. */
  trackB: z.boolean(),
  /** Weight in the weighted average (X-ARES `eval_weight`). */
  weight: z.int().nonnegative(),
  private: z.boolean().default(false),
  disabled: z.boolean().default(false),
});

export type TaskDefinition = z.output<typeof TaskDefinition>;
export type TaskDefinitionInput = z.input<typeof TaskDefinition>;

export function classCount(task: TaskDefinition): number {
  return task.labels.classes.length;
}

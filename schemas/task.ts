/**
 * A task of a suite, declared as data (one file per task under `pipeline/tasks/`). The same
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

/** Shard files of one split; empty only while a Zenodo task's file list is not yet verified. */
const ShardList = z.array(ShardName);

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

/** Display names of the classes, in index order, and the raw JSON value of each (defaults to the name). */
const ClassSet = {
  classes: z.array(DisplayText(200)).min(1),
  values: z.array(z.union([z.string(), z.int()])).optional(),
};

function checkClassSet(
  label: { classes: readonly string[]; values?: readonly (string | number)[] | undefined },
  ctx: z.RefinementCtx,
): void {
  if (label.values && label.values.length !== label.classes.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['values'],
      message: `has ${label.values.length} entries but there are ${label.classes.length} classes; give one raw value per class`,
    });
  }
  const raw = label.values ?? label.classes;
  if (new Set(raw).size !== raw.length) {
    ctx.addIssue({
      code: 'custom',
      path: [label.values ? 'values' : 'classes'],
      message: 'has duplicates',
    });
  }
}

/**
 * One class per sample, read from one JSON field. `otherwise` is the class of any value not
 * listed, as in LibriSpeech-MF where "M" is 0 and everything else is 1 (without it an unknown
 * value is an error). `parse: "integer"` reads "1" and 1 alike (X-ARES `int(x[key])`).
 */
export const SingleLabel = z
  .strictObject({
    kind: z.literal('single'),
    key: z.string().min(1),
    ...ClassSet,
    otherwise: z.int().nonnegative().optional(),
    parse: z.literal('integer').optional(),
  })
  .superRefine((label, ctx) => {
    checkClassSet(label, ctx);
    if (label.otherwise !== undefined && label.otherwise >= label.classes.length) {
      ctx.addIssue({ code: 'custom', path: ['otherwise'], message: 'must be a class index' });
    }
  });

/** Several classes per sample: a `separator`-joined string of raw values (FSD50K uses ";"). */
export const MultiLabel = z
  .strictObject({
    kind: z.literal('multi'),
    key: z.string().min(1),
    separator: z.string().min(1),
    ...ClassSet,
  })
  .superRefine(checkClassSet);

/**
 * Frame-level events: the JSON is a list of objects with a start, an end (seconds) and a class;
 * each class field may join several raw values with `classSeparator` (DESED uses ","). The target
 * covers `durationSeconds` (DESED: 10) or, without it, up to the latest end (MAESTRO).
 */
export const FrameEvents = z
  .strictObject({
    kind: z.literal('events'),
    startKey: z.string().min(1),
    endKey: z.string().min(1),
    classKey: z.string().min(1),
    classSeparator: z.string().min(1).optional(),
    durationSeconds: z.number().positive().optional(),
    ...ClassSet,
  })
  .superRefine(checkClassSet);

/** Caption retrieval: every value of the sample's JSON object is one caption of the clip (Clotho). */
export const Captions = z.strictObject({
  kind: z.literal('captions'),
  captionsPerClip: z.int().positive(),
});

/** Speech recognition: the reference transcript is a string field. */
export const Transcript = z.strictObject({ kind: z.literal('transcript'), key: z.string().min(1) });

export const TaskLabels = z.union([SingleLabel, MultiLabel, FrameEvents, Captions, Transcript]);
export type TaskLabels = z.infer<typeof TaskLabels>;

/** Where the shards come from. */
export const TaskSource = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('zenodo'),
    /** Zenodo record id; shards are fetched from `<zenodo>/records/<record>/files/<shard>`. */
    record: z.string().regex(/^\d+$/),
    /**
     * Whether the split lists were checked against the record's file listing. X-ARES selects
     * files with globs; `pipeline data discover` turns its patterns into explicit lists.
     */
    filesVerified: z.boolean(),
    /** The X-ARES glob of each split or fold, from its task file: the input of `data discover`. */
    xaresPatterns: z.record(z.string(), z.string()),
  }),
  z.strictObject({
    kind: z.literal('generated'),
    /** Name of the deterministic generator in `pipeline/suites/`. */
    generator: z.string().min(1),
  }),
  z.strictObject({
    /** Organiser-held data; its location and token come from the environment at run time. */
    kind: z.literal('private'),
  }),
]);
export type TaskSource = z.infer<typeof TaskSource>;

export const TrackALoss = z.enum(['cross_entropy', 'bce', 'contrastive', 'ctc']);
export type TrackALoss = z.infer<typeof TrackALoss>;

/** Track A head recipe (X-ARES `TaskConfig` fields). */
export const TrackARecipe = z.strictObject({
  epochs: z.int().positive().default(10),
  learningRate: z.number().positive().default(1e-3),
  batchSize: z.int().positive().default(32),
  loss: TrackALoss.default('cross_entropy'),
  /** BCEWithLogits `pos_weight`, one scalar for every class (MAESTRO uses 10). */
  posWeight: z.number().positive().optional(),
  /** Retrieval tasks: width of both towers; X-ARES RetrivalMLP uses 1024 (the default). */
  hiddenSize: z.int().positive().optional(),
});

export const TaskDefinition = z
  .strictObject({
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
    /** Frame tasks: the segment over which frame decisions are max-pooled before scoring. */
    segmentSeconds: z.number().positive().optional(),
    /**
     * Retrieval tasks: the WordPiece vocabulary of the text tower. `bert-base-uncased` is
     * downloaded and pinned by hash (as X-ARES uses it); `demo-wordpiece` is generated.
     */
    tokenizer: z.enum(['bert-base-uncased', 'demo-wordpiece']).optional(),
    /** X-ARES `batch_size_encode`; kept for reference, see the methodology page. */
    encodeBatchSize: z.int().positive().default(16),
    trackA: TrackARecipe.prefault({}),
    /** Whether Track B (kNN) is scored on this task. */
    trackB: z.boolean(),
    /** Weight in the weighted average (X-ARES `eval_weight`). */
    weight: z.int().nonnegative(),
    private: z.boolean().default(false),
    /** Disabled in X-ARES itself; never run, never counted. */
    disabled: z.boolean().default(false),
  })
  .superRefine((task, ctx) => {
    const expect = (condition: boolean, path: PropertyKey[], message: string) => {
      if (!condition) {
        ctx.addIssue({ code: 'custom', path, message });
      }
    };
    const kind = task.labels.kind;
    const loss = task.trackA.loss;
    switch (task.type) {
      case 'clip':
        expect(
          kind === 'single' || kind === 'multi',
          ['labels', 'kind'],
          'clip tasks need "single" or "multi" labels',
        );
        expect(
          kind === 'single'
            ? task.metric === 'accuracy' || task.metric === 'one_minus_eer'
            : task.metric === 'mean_average_precision',
          ['metric'],
          'single-label clip tasks use accuracy (or one_minus_eer), multi-label ones mean_average_precision',
        );
        expect(
          kind === 'single' ? loss === 'cross_entropy' : loss === 'bce',
          ['trackA', 'loss'],
          'single-label tasks train with cross_entropy, multi-label ones with bce',
        );
        break;
      case 'frame':
        expect(kind === 'events', ['labels', 'kind'], 'frame tasks need "events" labels');
        expect(
          task.metric === 'segment_f1_macro' || task.metric === 'segment_f1_micro',
          ['metric'],
          'frame tasks use segment_f1_macro or segment_f1_micro',
        );
        expect(
          task.segmentSeconds !== undefined,
          ['segmentSeconds'],
          'frame tasks need segmentSeconds',
        );
        expect(loss === 'bce', ['trackA', 'loss'], 'frame tasks train with bce');
        break;
      case 'retrieval':
        expect(kind === 'captions', ['labels', 'kind'], 'retrieval tasks need "captions" labels');
        expect(task.metric === 'recall_at_1', ['metric'], 'retrieval tasks use recall_at_1');
        expect(
          loss === 'contrastive',
          ['trackA', 'loss'],
          'retrieval tasks train with the contrastive loss',
        );
        expect(task.tokenizer !== undefined, ['tokenizer'], 'retrieval tasks need a tokenizer');
        break;
      case 'asr':
        expect(kind === 'transcript', ['labels', 'kind'], 'asr tasks need "transcript" labels');
        expect(task.metric === 'inverse_wer', ['metric'], 'asr tasks use inverse_wer');
        expect(loss === 'ctc', ['trackA', 'loss'], 'asr tasks train a CTC head');
        break;
    }
    expect(
      !task.trackB || (task.type === 'clip' && kind === 'single'),
      ['trackB'],
      'Track B (kNN) needs single-label clip labels',
    );
    expect(
      task.trackA.hiddenSize === undefined || task.type === 'retrieval',
      ['trackA', 'hiddenSize'],
      'only retrieval tasks have towers with a hidden size',
    );
    expect(
      task.cropSeconds === undefined || task.type === 'clip' || task.type === 'retrieval',
      ['cropSeconds'],
      'frame-level and speech tasks use whole clips; remove cropSeconds',
    );
    expect(
      task.segmentSeconds === undefined || task.type === 'frame',
      ['segmentSeconds'],
      'only frame tasks have segmentSeconds',
    );
    const lists =
      task.splits.kind === 'folds'
        ? task.splits.folds.map((fold) => fold.shards)
        : [task.splits.train, task.splits.valid, task.splits.test];
    const listed = lists.every((list) => list.length > 0);
    const mayBeUnlisted =
      (task.source.kind === 'zenodo' && !task.source.filesVerified) ||
      task.source.kind === 'private';
    expect(listed || mayBeUnlisted, ['splits'], 'every split needs at least one shard');
    expect(
      !(task.source.kind === 'zenodo' && task.source.filesVerified && !listed),
      ['source', 'filesVerified'],
      'verified file lists cannot be empty',
    );
  });

export type TaskDefinition = z.output<typeof TaskDefinition>;
export type TaskDefinitionInput = z.input<typeof TaskDefinition>;

/** Number of output classes of the task's head; 0 for retrieval and speech recognition. */
export function classCount(task: TaskDefinition): number {
  return 'classes' in task.labels ? task.labels.classes.length : 0;
}

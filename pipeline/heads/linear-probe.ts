/**
 * Track A for clip and frame tasks: the X-ARES head (LayerNorm + Linear) trained with the X-ARES
 * recipe (see training.ts). PyTorch's default initialisation (LayerNorm weight 1, bias 0; Linear
 * weight and bias U(-1/sqrt(D), 1/sqrt(D))) is drawn from a seeded generator.
 *
 * Data comes as items made of rows: a clip task has one row (the pooled embedding) per item, a
 * frame task one row per frame. A mini-batch is `batchSize` items; for frame tasks their frames
 * are stacked into one matrix and the loss is the mean over all frame x class elements (X-ARES
 * pads the items of a batch to equal length instead; with equal-length items, as in DESED, or
 * batches of one, as in MAESTRO, the two are the same).
 *
 * Splits too large for memory come in blocks (one per cache file, or a part of one); an epoch
 * visits the blocks in a shuffled order and shuffles the items inside each block.
 */
import { DataError } from '../errors.ts';
import type { Evaluation } from '../metrics/bootstrap.ts';
import { SeededRandom } from '../util/random.ts';
import type { Engine } from './engine.ts';
import {
  probeForwardGraph,
  probeParameters,
  probeTrainStepGraph,
  probeTrainStepsGraph,
  type ProbeLoss,
} from './graphs/probe.ts';
import {
  AdamState,
  headResult,
  runTrainingLoop,
  type HeadResult,
  type ParameterValues,
  type TrainingBatch,
} from './training.ts';

export type RowTargets =
  | { readonly kind: 'class'; readonly labels: Int32Array }
  | { readonly kind: 'dense'; readonly values: Float32Array };

/** A block of items held in memory. */
export interface ProbeBlock {
  /** Rows [rows, dim]. */
  readonly x: Float32Array;
  /** Item i owns rows [itemRows[i], itemRows[i + 1]). */
  readonly itemRows: Int32Array;
  /** One class per row, or 0/1 targets [rows, classes]. */
  readonly targets: RowTargets;
}

export interface ProbeSource {
  readonly dim: number;
  readonly items: number;
  readonly blocks: number;
  block(index: number): Promise<ProbeBlock>;
}

/** Collects the head's outputs on a split, block by block, into a metric evaluation. */
export interface SplitEvaluator {
  add(block: ProbeBlock, logits: Float32Array): void;
  finish(): Evaluation;
}

export interface ProbeRecipe {
  readonly epochs: number;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly loss: ProbeLoss;
  readonly posWeight?: number | undefined;
}

export interface ProbeRun {
  readonly train: ProbeSource;
  readonly valid: ProbeSource;
  readonly test: ProbeSource;
  readonly classes: number;
  readonly recipe: ProbeRecipe;
  readonly evaluator: () => SplitEvaluator;
  readonly seed: number;
  /** Identifies the stream of randomness (task and fold), so folds do not share shuffles. */
  readonly streamLabel: string;
}

/** A source of one in-memory block. */
export function inMemorySource(dim: number, block: ProbeBlock): ProbeSource {
  return { dim, items: block.itemRows.length - 1, blocks: 1, block: () => Promise.resolve(block) };
}

/** Item boundaries of blocks whose items are single rows. */
export function singleRowItems(count: number): Int32Array {
  return Int32Array.from({ length: count + 1 }, (_, i) => i);
}

/** PyTorch's default initialisation of LayerNorm(D) followed by Linear(D, C). */
export function initialParameters(
  dim: number,
  classes: number,
  rng: SeededRandom,
): Record<'gamma' | 'beta' | 'weight' | 'bias', Float32Array> {
  const bound = 1 / Math.sqrt(dim);
  const weight = new Float32Array(dim * classes);
  // torch stores Linear weight as [C, D]; draw in that order, store transposed as [D, C].
  for (let c = 0; c < classes; c++) {
    for (let d = 0; d < dim; d++) {
      weight[d * classes + c] = rng.uniform(-bound, bound);
    }
  }
  const bias = Float32Array.from({ length: classes }, () => rng.uniform(-bound, bound));
  return { gamma: new Float32Array(dim).fill(1), beta: new Float32Array(dim), weight, bias };
}

/** Rows of the listed items of `block`, stacked, with their targets. */
function gatherBatch(
  block: ProbeBlock,
  items: ArrayLike<number>,
  start: number,
  end: number,
  dim: number,
  classes: number,
): { x: Float32Array; targets: Float32Array; rows: number } {
  let rows = 0;
  for (let i = start; i < end; i++) {
    const item = items[i] as number;
    rows += (block.itemRows[item + 1] as number) - (block.itemRows[item] as number);
  }
  const x = new Float32Array(rows * dim);
  const targets = new Float32Array(rows * classes);
  let row = 0;
  for (let i = start; i < end; i++) {
    const item = items[i] as number;
    const from = block.itemRows[item] as number;
    const to = block.itemRows[item + 1] as number;
    x.set(block.x.subarray(from * dim, to * dim), row * dim);
    if (block.targets.kind === 'class') {
      for (let r = from; r < to; r++) {
        targets[(row + r - from) * classes + (block.targets.labels[r] as number)] = 1;
      }
    } else {
      targets.set(block.targets.values.subarray(from * classes, to * classes), row * classes);
    }
    row += to - from;
  }
  return { x, targets, rows };
}

const FORWARD_CHUNK_ROWS = 16384;

/** Logits [rows, classes] of every row of a block. */
export async function probeLogits(
  engine: Engine,
  parameters: ParameterValues,
  x: Float32Array,
  dim: number,
  classes: number,
): Promise<Float32Array> {
  const session = await engine.session(`probe-forward/${dim}/${classes}`, () =>
    probeForwardGraph(dim, classes),
  );
  const rows = x.length / dim;
  const logits = new Float32Array(rows * classes);
  const feeds = Object.fromEntries(
    probeParameters(dim, classes).map(({ name, dims }) => [
      name,
      { data: parameters[name] as Float32Array, dims },
    ]),
  );
  for (let start = 0; start < rows; start += FORWARD_CHUNK_ROWS) {
    const end = Math.min(rows, start + FORWARD_CHUNK_ROWS);
    const outputs = await session.run({
      ...feeds,
      x: { data: x.subarray(start * dim, end * dim), dims: [end - start, dim] },
    });
    logits.set((outputs['logits'] as { data: Float32Array }).data, start * classes);
  }
  return logits;
}

/** Score a split with fixed parameters, block by block. */
export async function evaluateProbe(
  engine: Engine,
  parameters: ParameterValues,
  source: ProbeSource,
  classes: number,
  evaluator: SplitEvaluator,
): Promise<Evaluation> {
  for (let b = 0; b < source.blocks; b++) {
    const block = await source.block(b);
    evaluator.add(block, await probeLogits(engine, parameters, block.x, source.dim, classes));
  }
  return evaluator.finish();
}

export async function trainLinearProbe(engine: Engine, run: ProbeRun): Promise<HeadResult> {
  const { train, valid, test, classes, recipe } = run;
  const dim = train.dim;
  if (train.items === 0 || valid.items === 0 || test.items === 0) {
    throw new DataError(
      `${run.streamLabel}: a split is empty (train ${train.items}, valid ${valid.items}, test ${test.items})`,
    );
  }
  const step = await engine.session(
    `probe-step/${dim}/${classes}/${recipe.loss}/${recipe.posWeight ?? 1}`,
    () => probeTrainStepGraph(dim, classes, recipe.loss, recipe.posWeight ?? 1),
  );
  const multiStep = await engine.session(
    `probe-steps/${dim}/${classes}/${recipe.loss}/${recipe.posWeight ?? 1}`,
    () => probeTrainStepsGraph(dim, classes, recipe.loss, recipe.posWeight ?? 1),
  );
  const state = new AdamState(
    probeParameters(dim, classes),
    initialParameters(dim, classes, new SeededRandom(run.seed, `${run.streamLabel}/init`)),
  );
  const shuffler = new SeededRandom(run.seed, `${run.streamLabel}/shuffle`);
  async function* batches(): AsyncGenerator<TrainingBatch> {
    for (const blockIndex of shuffler.permutation(train.blocks)) {
      const block = await train.block(blockIndex);
      const items = block.itemRows.length - 1;
      const order = shuffler.permutation(items);
      for (let start = 0; start < items; start += recipe.batchSize) {
        const end = Math.min(items, start + recipe.batchSize);
        const batch = gatherBatch(block, order, start, end, dim, classes);
        yield {
          items: end - start,
          feeds: {
            x: { data: batch.x, dims: [batch.rows, dim] },
            targets: { data: batch.targets, dims: [batch.rows, classes] },
          },
        };
      }
    }
  }
  const outcome = await runTrainingLoop({
    epochs: recipe.epochs,
    learningRate: recipe.learningRate,
    state,
    step,
    multiStep,
    batches,
    validate: async (parameters) =>
      (await evaluateProbe(engine, parameters, valid, classes, run.evaluator())).score,
  });
  return headResult(
    await evaluateProbe(engine, outcome.best, test, classes, run.evaluator()),
    outcome,
  );
}

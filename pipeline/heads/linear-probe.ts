/**
 * Track A: the X-ARES head (LayerNorm + Linear on mean-pooled embeddings) trained with the
 * X-ARES recipe:
 * - PyTorch default initialisation (LayerNorm weight 1, bias 0; Linear weight and bias
 *   U(-1/sqrt(D), 1/sqrt(D))), from a seeded generator;
 * - Adam (0.9, 0.999, 1e-8), one step per mini-batch, the last partial batch kept;
 * - per-epoch cosine schedule from lr to 0.1 lr (ignite's CosineAnnealingScheduler with
 *   cycle_size = epochs, fired at epoch start);
 * - every epoch runs; the first epoch with the best validation score is kept and the test
 *   split is scored once with it.
 */
import { DataError } from '../errors.ts';
import { SeededRandom } from '../util/random.ts';
import type { Engine } from './engine.ts';
import {
  PROBE_PARAMETERS,
  ADAM,
  probeForwardGraph,
  probeTrainStepGraph,
  type ProbeLoss,
  type ProbeParameter,
} from './graphs.ts';

export interface LabelledEmbeddings {
  readonly count: number;
  readonly dim: number;
  /** Row-major [count, dim]. */
  readonly embeddings: Float32Array;
  readonly labels: Int32Array;
}

export interface ProbeRecipe {
  readonly epochs: number;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly loss: ProbeLoss;
  readonly posWeight?: number | undefined;
}

/** Scores logits `[n, classes]` against labels; higher is better. */
export type LogitMetric = (logits: Float32Array, labels: Int32Array, classes: number) => number;

export interface ProbeRun {
  readonly train: LabelledEmbeddings;
  readonly valid: LabelledEmbeddings;
  readonly test: LabelledEmbeddings;
  readonly classes: number;
  readonly recipe: ProbeRecipe;
  readonly metric: LogitMetric;
  readonly seed: number;
  /** Identifies the stream of randomness (task and fold), so folds do not share shuffles. */
  readonly streamLabel: string;
}

export interface ProbeResult {
  readonly testScore: number;
  /** 1-based. */
  readonly bestEpoch: number;
  readonly validScore: number;
  readonly validScores: readonly number[];
  readonly trainLosses: readonly number[];
}

type Parameters = Record<ProbeParameter, Float32Array>;

/** Learning rate of 1-based `epoch` of `epochs`: lr + (0.1 lr - lr) / 2 * (1 - cos(pi (epoch - 1) / epochs)). */
export function cosineLearningRate(learningRate: number, epoch: number, epochs: number): number {
  if (epochs <= 1) {
    return learningRate;
  }
  return (
    learningRate +
    ((0.1 * learningRate - learningRate) / 2) * (1 - Math.cos((Math.PI * (epoch - 1)) / epochs))
  );
}

/** PyTorch's default initialisation of LayerNorm(D) followed by Linear(D, C). */
export function initialParameters(dim: number, classes: number, rng: SeededRandom): Parameters {
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

function parameterDims(name: ProbeParameter, dim: number, classes: number): number[] {
  return name === 'weight' ? [dim, classes] : name === 'bias' ? [classes] : [dim];
}

function oneHot(
  labels: Int32Array,
  indices: ArrayLike<number>,
  start: number,
  end: number,
  classes: number,
): Float32Array {
  const targets = new Float32Array((end - start) * classes);
  for (let i = start; i < end; i++) {
    const label = labels[indices[i] as number] as number;
    targets[(i - start) * classes + label] = 1;
  }
  return targets;
}

function gatherRows(
  source: LabelledEmbeddings,
  indices: ArrayLike<number>,
  start: number,
  end: number,
): Float32Array {
  const { dim, embeddings } = source;
  const rows = new Float32Array((end - start) * dim);
  for (let i = start; i < end; i++) {
    const row = indices[i] as number;
    rows.set(embeddings.subarray(row * dim, (row + 1) * dim), (i - start) * dim);
  }
  return rows;
}

const FORWARD_CHUNK_ROWS = 16384;

export async function probeLogits(
  engine: Engine,
  parameters: Parameters,
  data: LabelledEmbeddings,
  classes: number,
): Promise<Float32Array> {
  const session = await engine.session(`probe-forward/${data.dim}/${classes}`, () =>
    probeForwardGraph(data.dim, classes),
  );
  const logits = new Float32Array(data.count * classes);
  const feeds = Object.fromEntries(
    PROBE_PARAMETERS.map((name) => [
      name,
      { data: parameters[name], dims: parameterDims(name, data.dim, classes) },
    ]),
  );
  for (let start = 0; start < data.count; start += FORWARD_CHUNK_ROWS) {
    const end = Math.min(data.count, start + FORWARD_CHUNK_ROWS);
    const outputs = await session.run({
      ...feeds,
      x: {
        data: data.embeddings.subarray(start * data.dim, end * data.dim),
        dims: [end - start, data.dim],
      },
    });
    logits.set((outputs['logits'] as { data: Float32Array }).data, start * classes);
  }
  return logits;
}

export async function trainProbe(engine: Engine, run: ProbeRun): Promise<ProbeResult> {
  const { train, valid, test, classes, recipe } = run;
  const dim = train.dim;
  if (train.count === 0 || valid.count === 0 || test.count === 0) {
    throw new DataError(
      `${run.streamLabel}: a split is empty (train ${train.count}, valid ${valid.count}, test ${test.count})`,
    );
  }
  const step = await engine.session(
    `probe-step/${dim}/${classes}/${recipe.loss}/${recipe.posWeight ?? 1}`,
    () => probeTrainStepGraph(dim, classes, recipe.loss, recipe.posWeight ?? 1),
  );
  let parameters = initialParameters(
    dim,
    classes,
    new SeededRandom(run.seed, `${run.streamLabel}/init`),
  );
  const moments: Record<string, Float32Array> = {};
  for (const name of PROBE_PARAMETERS) {
    moments[`m_${name}`] = new Float32Array(parameters[name].length);
    moments[`v_${name}`] = new Float32Array(parameters[name].length);
  }
  const shuffler = new SeededRandom(run.seed, `${run.streamLabel}/shuffle`);

  let best: { epoch: number; score: number; parameters: Parameters } | undefined;
  const validScores: number[] = [];
  const trainLosses: number[] = [];
  let t = 0;
  for (let epoch = 1; epoch <= recipe.epochs; epoch++) {
    const learningRate = cosineLearningRate(recipe.learningRate, epoch, recipe.epochs);
    const order = shuffler.permutation(train.count);
    let lossSum = 0;
    for (let start = 0; start < train.count; start += recipe.batchSize) {
      const end = Math.min(train.count, start + recipe.batchSize);
      t += 1;
      const feeds: Record<string, { data: Float32Array; dims: number[] }> = {
        x: { data: gatherRows(train, order, start, end), dims: [end - start, dim] },
        targets: {
          data: oneHot(train.labels, order, start, end, classes),
          dims: [end - start, classes],
        },
        step_size: { data: Float32Array.of(learningRate / (1 - ADAM.beta1 ** t)), dims: [] },
        bias_correction2_sqrt: { data: Float32Array.of(Math.sqrt(1 - ADAM.beta2 ** t)), dims: [] },
      };
      for (const name of PROBE_PARAMETERS) {
        const dims = parameterDims(name, dim, classes);
        feeds[name] = { data: parameters[name], dims };
        feeds[`m_${name}`] = { data: moments[`m_${name}`] as Float32Array, dims };
        feeds[`v_${name}`] = { data: moments[`v_${name}`] as Float32Array, dims };
      }
      const outputs = await step.run(feeds);
      const output = (name: string) => (outputs[name] as { data: Float32Array }).data;
      lossSum += (output('loss')[0] as number) * (end - start);
      parameters = {
        gamma: output('new_gamma'),
        beta: output('new_beta'),
        weight: output('new_weight'),
        bias: output('new_bias'),
      };
      for (const name of PROBE_PARAMETERS) {
        moments[`m_${name}`] = output(`new_m_${name}`);
        moments[`v_${name}`] = output(`new_v_${name}`);
      }
    }
    trainLosses.push(lossSum / train.count);
    const score = run.metric(
      await probeLogits(engine, parameters, valid, classes),
      valid.labels,
      classes,
    );
    validScores.push(score);
    // Strictly greater: the first epoch reaching the best score is kept (ignite ModelCheckpoint).
    if (!best || score > best.score) {
      best = { epoch, score, parameters };
    }
  }
  if (!best) {
    throw new Error(`${run.streamLabel}: no epoch ran (epochs = ${recipe.epochs})`);
  }
  const testScore = run.metric(
    await probeLogits(engine, best.parameters, test, classes),
    test.labels,
    classes,
  );
  return { testScore, bestEpoch: best.epoch, validScore: best.score, validScores, trainLosses };
}

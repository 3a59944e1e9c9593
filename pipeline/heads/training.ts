/**
 * The X-ARES training recipe shared by every Track A head (`trainer.py::Trainer` on
 * pytorch-ignite):
 * - Adam (0.9, 0.999, 1e-8), one step per mini-batch, the last partial batch kept;
 * - per-epoch cosine schedule from lr to 0.1 lr (ignite's CosineAnnealingScheduler with
 *   cycle_size = epochs, fired at epoch start; only attached when epochs > 1);
 * - every epoch runs (no early stopping); after each, the validation split is scored and the
 *   first epoch with the best score is kept (ModelCheckpoint, strictly greater).
 * The head supplies its graphs, its batches and its validation score; the loop owns the rest.
 */
import type { Evaluation } from '../metrics/bootstrap.ts';
import type { OrtSession, TensorInput } from '../runtime/ort.ts';
import { ADAM, type ParameterSpec } from './graphs/common.ts';

export type ParameterValues = Readonly<Record<string, Float32Array>>;

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

/** Parameters and Adam moments of a head, fed to and read back from its train-step graph. */
export class AdamState {
  readonly specs: readonly ParameterSpec[];
  #parameters: Record<string, Float32Array>;
  readonly #moments: Record<string, Float32Array> = {};
  #step = 0;

  constructor(specs: readonly ParameterSpec[], initial: ParameterValues) {
    this.specs = specs;
    this.#parameters = {};
    for (const { name, dims } of specs) {
      const value = initial[name];
      const size = dims.reduce((a, b) => a * b, 1);
      if (!value || value.length !== size) {
        throw new RangeError(`parameter ${name}: ${value?.length ?? 0} values, ${size} expected`);
      }
      this.#parameters[name] = value;
      this.#moments[`m_${name}`] = new Float32Array(size);
      this.#moments[`v_${name}`] = new Float32Array(size);
    }
  }

  get parameters(): ParameterValues {
    return this.#parameters;
  }

  /** Parameter inputs only (for forward graphs). */
  parameterFeeds(parameters: ParameterValues = this.#parameters): Record<string, TensorInput> {
    return Object.fromEntries(
      this.specs.map(({ name, dims }) => [
        name,
        { data: parameters[name] as Float32Array, dims: [...dims] },
      ]),
    );
  }

  /** Parameters, moments and the two step scalars of the next Adam step at `learningRate`. */
  stepFeeds(learningRate: number): Record<string, TensorInput> {
    this.#step += 1;
    const t = this.#step;
    const feeds: Record<string, TensorInput> = {
      ...this.parameterFeeds(),
      step_size: { data: Float32Array.of(learningRate / (1 - ADAM.beta1 ** t)), dims: [] },
      bias_correction2_sqrt: { data: Float32Array.of(Math.sqrt(1 - ADAM.beta2 ** t)), dims: [] },
    };
    for (const { name, dims } of this.specs) {
      feeds[`m_${name}`] = { data: this.#moments[`m_${name}`] as Float32Array, dims: [...dims] };
      feeds[`v_${name}`] = { data: this.#moments[`v_${name}`] as Float32Array, dims: [...dims] };
    }
    return feeds;
  }

  /** Take the updated parameters and moments from a train step's outputs. */
  update(outputs: Readonly<Record<string, { readonly data: Float32Array }>>): void {
    const next: Record<string, Float32Array> = {};
    for (const { name } of this.specs) {
      const output = (key: string) => {
        const value = outputs[key];
        if (!value) {
          throw new Error(`train step did not return ${key}`);
        }
        return value.data;
      };
      next[name] = output(`new_${name}`);
      this.#moments[`m_${name}`] = output(`new_m_${name}`);
      this.#moments[`v_${name}`] = output(`new_v_${name}`);
    }
    // Output tensors are fresh arrays, so earlier parameter sets (checkpoints) stay untouched.
    this.#parameters = next;
  }
}

export interface TrainingBatch {
  /** Inputs of the train step besides the parameters and the Adam state. */
  readonly feeds: Record<string, TensorInput>;
  /** Weight of this batch's loss in the epoch's mean loss (its number of items). */
  readonly items: number;
}

export interface TrainingLoop {
  readonly epochs: number;
  readonly learningRate: number;
  readonly state: AdamState;
  readonly step: OrtSession;
  /** The mini-batches of 1-based `epoch`, in order. */
  batches(epoch: number): AsyncIterable<TrainingBatch> | Iterable<TrainingBatch>;
  /** Validation score of a parameter set; higher is better. */
  validate(parameters: ParameterValues): Promise<number>;
  /** Sees the outputs of every train step (for diagnostics a head reports). */
  onStep?: (outputs: Readonly<Record<string, { readonly data: Float32Array }>>) => void;
}

export interface TrainingOutcome {
  /** 1-based epoch whose validation score was best (the first on ties). */
  readonly bestEpoch: number;
  readonly validScore: number;
  readonly validScores: readonly number[];
  readonly trainLosses: readonly number[];
  readonly best: ParameterValues;
}

/** What every Track A head reports: the test evaluation of the kept epoch and the training curve. */
export interface HeadResult {
  readonly test: Evaluation;
  /** 1-based epoch whose validation score was best (the first on ties). */
  readonly bestEpoch: number;
  readonly validScore: number;
  readonly validScores: readonly number[];
  readonly trainLosses: readonly number[];
}

/** A head's result from its test evaluation and the loop's outcome. */
export function headResult(test: Evaluation, outcome: TrainingOutcome): HeadResult {
  const { bestEpoch, validScore, validScores, trainLosses } = outcome;
  return { test, bestEpoch, validScore, validScores, trainLosses };
}

export async function runTrainingLoop(loop: TrainingLoop): Promise<TrainingOutcome> {
  let best: { epoch: number; score: number; parameters: ParameterValues } | undefined;
  const validScores: number[] = [];
  const trainLosses: number[] = [];
  for (let epoch = 1; epoch <= loop.epochs; epoch++) {
    const learningRate = cosineLearningRate(loop.learningRate, epoch, loop.epochs);
    let lossSum = 0;
    let items = 0;
    for await (const batch of loop.batches(epoch)) {
      const outputs = await loop.step.run({
        ...batch.feeds,
        ...loop.state.stepFeeds(learningRate),
      });
      lossSum += (outputs['loss']?.data[0] ?? Number.NaN) * batch.items;
      items += batch.items;
      loop.onStep?.(outputs);
      loop.state.update(outputs);
    }
    trainLosses.push(items > 0 ? lossSum / items : Number.NaN);
    const score = await loop.validate(loop.state.parameters);
    validScores.push(score);
    // Strictly greater: the first epoch reaching the best score is kept (ignite ModelCheckpoint).
    if (!best || score > best.score) {
      best = { epoch, score, parameters: loop.state.parameters };
    }
  }
  if (!best) {
    throw new Error(`no epoch ran (epochs = ${loop.epochs})`);
  }
  return {
    bestEpoch: best.epoch,
    validScore: best.score,
    validScores,
    trainLosses,
    best: best.parameters,
  };
}

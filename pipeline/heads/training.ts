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
import { COSINE_FINAL_LR_FRACTION } from '../../schemas/protocols.ts';
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
    ((COSINE_FINAL_LR_FRACTION * learningRate - learningRate) / 2) *
      (1 - Math.cos((Math.PI * (epoch - 1)) / epochs))
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
    return this.#feeds(learningRate, undefined);
  }

  /**
   * Feeds of the next `steps` Adam steps in one multi-step call: the two step scalars become
   * vectors [steps], one entry per step, computed in float64 exactly as `stepFeeds` does.
   */
  multiStepFeeds(learningRate: number, steps: number): Record<string, TensorInput> {
    return this.#feeds(learningRate, steps);
  }

  #feeds(learningRate: number, steps: number | undefined): Record<string, TensorInput> {
    const ts = Array.from({ length: steps ?? 1 }, (_, i) => this.#step + i + 1);
    this.#step += ts.length;
    const dims = steps === undefined ? [] : [steps];
    const feeds: Record<string, TensorInput> = {
      ...this.parameterFeeds(),
      step_size: {
        data: Float32Array.from(ts, (t) => learningRate / (1 - ADAM.beta1 ** t)),
        dims,
      },
      bias_correction2_sqrt: {
        data: Float32Array.from(ts, (t) => Math.sqrt(1 - ADAM.beta2 ** t)),
        dims,
      },
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
  /**
   * Optional graph of several steps in one call (input `x`, `targets` and the step scalars
   * stacked along a new first axis, output `loss` [K]), used for runs of consecutive batches of
   * identical shapes. It must compute exactly what as many calls of `step` compute.
   */
  readonly multiStep?: OrtSession | undefined;
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

/** Batches per multi-step call, and the most bytes of stacked batch inputs one call takes. */
export const MULTI_STEP_BATCHES = 16;
const MULTI_STEP_BYTES = 32 * 1024 * 1024;

function shapeKey(batch: TrainingBatch): string | undefined {
  const parts: string[] = [];
  for (const [name, input] of Object.entries(batch.feeds)) {
    if (!(input.data instanceof Float32Array)) {
      return undefined;
    }
    parts.push(`${name}:${input.dims.join('x')}`);
  }
  return parts.join(',');
}

function batchBytes(batch: TrainingBatch): number {
  return Object.values(batch.feeds).reduce((sum, input) => sum + input.data.byteLength, 0);
}

/** The feeds of `batches` (identical names and shapes) stacked along a new first axis. */
function stackFeeds(batches: readonly TrainingBatch[]): Record<string, TensorInput> {
  const first = batches[0] as TrainingBatch;
  return Object.fromEntries(
    Object.entries(first.feeds).map(([name, input]) => {
      const size = input.data.length;
      const data = new Float32Array(batches.length * size);
      for (const [i, batch] of batches.entries()) {
        data.set(batch.feeds[name]?.data as Float32Array, i * size);
      }
      return [name, { data, dims: [batches.length, ...input.dims] }];
    }),
  );
}

/**
 * The batches of an epoch in runs the multi-step graph can take: consecutive batches of one
 * shape, at most MULTI_STEP_BATCHES and MULTI_STEP_BYTES per run; any other batch alone.
 */
async function* batchRuns(
  batches: AsyncIterable<TrainingBatch> | Iterable<TrainingBatch>,
  grouped: boolean,
): AsyncGenerator<TrainingBatch[]> {
  let run: TrainingBatch[] = [];
  let runKey: string | undefined;
  let runBytes = 0;
  for await (const batch of batches) {
    const key = grouped ? shapeKey(batch) : undefined;
    const bytes = batchBytes(batch);
    if (
      run.length > 0 &&
      (key === undefined ||
        key !== runKey ||
        run.length >= MULTI_STEP_BATCHES ||
        runBytes + bytes > MULTI_STEP_BYTES)
    ) {
      yield run;
      run = [];
      runBytes = 0;
    }
    run.push(batch);
    runKey = key;
    runBytes += bytes;
  }
  if (run.length > 0) {
    yield run;
  }
}

export async function runTrainingLoop(loop: TrainingLoop): Promise<TrainingOutcome> {
  let best: { epoch: number; score: number; parameters: ParameterValues } | undefined;
  const validScores: number[] = [];
  const trainLosses: number[] = [];
  // onStep sees every step's outputs, which only single steps produce.
  const multiStep = loop.onStep ? undefined : loop.multiStep;
  for (let epoch = 1; epoch <= loop.epochs; epoch++) {
    const learningRate = cosineLearningRate(loop.learningRate, epoch, loop.epochs);
    let lossSum = 0;
    let items = 0;
    for await (const run of batchRuns(loop.batches(epoch), multiStep !== undefined)) {
      if (multiStep && run.length > 1) {
        const outputs = await multiStep.run({
          ...stackFeeds(run),
          ...loop.state.multiStepFeeds(learningRate, run.length),
        });
        const losses = outputs['loss']?.data;
        for (const [i, batch] of run.entries()) {
          lossSum += (losses?.[i] ?? Number.NaN) * batch.items;
          items += batch.items;
        }
        loop.state.update(outputs);
        continue;
      }
      for (const batch of run) {
        const outputs = await loop.step.run({
          ...batch.feeds,
          ...loop.state.stepFeeds(learningRate),
        });
        lossSum += (outputs['loss']?.data[0] ?? Number.NaN) * batch.items;
        items += batch.items;
        loop.onStep?.(outputs);
        loop.state.update(outputs);
      }
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

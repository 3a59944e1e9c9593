/**
 * Track A for speech recognition (LibriSpeech-100h): a LayerNorm + Linear CTC head from every
 * frame embedding to characters, trained with the X-ARES recipe (training.ts) and decoded
 * greedily (best class per frame, repeats merged, blanks dropped); scored as iWER.
 *
 * This is a deliberate deviation: X-ARES v0.1.3 trains a SwiGLU adapter into a frozen
 * Qwen2.5-0.5B language model. A linear CTC head measures how much of the transcript is
 * linearly readable from the frames, needs no 0.5B-parameter download, and runs in
 * onnxruntime; the methodology page states it.
 */
import { DataError } from '../errors.ts';
import { inverseWerEvaluation, type Evaluation } from '../metrics/bootstrap.ts';
import { inverseWer, werCounts, wordEditDistance, words } from '../metrics/wer.ts';
import { SeededRandom } from '../util/random.ts';
import type { Engine } from './engine.ts';
import { ctcTrainStepGraph } from './graphs/ctc.ts';
import { probeParameters } from './graphs/probe.ts';
import { initialParameters, probeLogits } from './linear-probe.ts';
import {
  AdamState,
  headResult,
  runTrainingLoop,
  type HeadResult,
  type ParameterValues,
  type TrainingBatch,
} from './training.ts';

/** Output symbols: index 0 is the CTC blank, then space, a-z and the apostrophe. */
export const CTC_ALPHABET: readonly string[] = [
  ' ',
  ...Array.from('abcdefghijklmnopqrstuvwxyz'),
  "'",
];
export const CTC_VOCABULARY = CTC_ALPHABET.length + 1;

/** Label indices of a transcript: lower-cased, runs of whitespace as one space, other characters dropped. */
export function encodeTranscript(text: string): number[] {
  const labels: number[] = [];
  for (const character of text.toLowerCase().trim().replace(/\s+/g, ' ')) {
    const index = CTC_ALPHABET.indexOf(character);
    if (index >= 0) {
      labels.push(index + 1);
    }
  }
  return labels;
}

/** Greedy CTC decoding of logits [frames, vocabulary]. */
export function greedyDecode(logits: Float32Array, frames: number): string {
  let text = '';
  let previous = -1;
  for (let t = 0; t < frames; t++) {
    let best = 0;
    let bestValue = logits[t * CTC_VOCABULARY] as number;
    for (let k = 1; k < CTC_VOCABULARY; k++) {
      const value = logits[t * CTC_VOCABULARY + k] as number;
      if (value > bestValue) {
        best = k;
        bestValue = value;
      }
    }
    if (best !== previous && best !== 0) {
      text += CTC_ALPHABET[best - 1] as string;
    }
    previous = best;
  }
  return text;
}

/** A block of utterances in memory. */
export interface SpeechBlock {
  /** Frames [rows, dim]. */
  readonly x: Float32Array;
  /** Utterance i owns rows [itemRows[i], itemRows[i + 1]). */
  readonly itemRows: Int32Array;
  readonly transcripts: readonly string[];
}

export interface SpeechSource {
  readonly dim: number;
  readonly items: number;
  readonly blocks: number;
  block(index: number): Promise<SpeechBlock>;
}

export interface CtcUtterance {
  readonly frames: Float32Array;
  readonly labels: readonly number[];
}

/** The inputs of the CTC train step for a batch of utterances (see graphs/ctc.ts). */
export function ctcBatchFeeds(utterances: readonly CtcUtterance[], dim: number) {
  const batch = utterances.length;
  const maxFrames = Math.max(...utterances.map((u) => u.frames.length / dim));
  const maxLabels = Math.max(1, ...utterances.map((u) => u.labels.length));
  const positions = 2 * maxLabels + 1;
  const x = new Float32Array(batch * maxFrames * dim);
  const frameValid = new Uint8Array(maxFrames * batch);
  const extended = new BigInt64Array(batch * positions);
  const positionValid = new Uint8Array(batch * positions);
  const skip = new Float32Array(batch * positions).fill(-Infinity);
  const alphaInit = new Float32Array(batch * positions).fill(-Infinity);
  const betaInit = new Float32Array(batch * positions).fill(-Infinity);
  const lossScale = new Float32Array(batch);
  utterances.forEach((utterance, b) => {
    const frames = utterance.frames.length / dim;
    x.set(utterance.frames, b * maxFrames * dim);
    for (let t = 0; t < frames; t++) {
      frameValid[t * batch + b] = 1;
    }
    const length = 2 * utterance.labels.length + 1;
    for (let s = 0; s < length; s++) {
      const symbol = s % 2 === 1 ? (utterance.labels[(s - 1) / 2] as number) : 0;
      extended[b * positions + s] = BigInt(symbol);
      positionValid[b * positions + s] = 1;
      // s - 2 -> s skips a blank: only into a label that differs from the label two back.
      if (s % 2 === 1 && s >= 3 && utterance.labels[(s - 3) / 2] !== symbol) {
        skip[b * positions + s] = 0;
      }
    }
    alphaInit[b * positions] = 0;
    betaInit[b * positions + length - 1] = 0;
    lossScale[b] = 1 / (Math.max(utterance.labels.length, 1) * batch);
  });
  return {
    x: { data: x, dims: [batch, maxFrames, dim] },
    frame_valid: { data: frameValid, dims: [maxFrames, batch] },
    extended: { data: extended, dims: [batch, positions] },
    position_valid: { data: positionValid, dims: [batch, positions] },
    skip: { data: skip, dims: [batch, positions] },
    alpha_init: { data: alphaInit, dims: [batch, positions] },
    beta_init: { data: betaInit, dims: [batch, positions] },
    loss_scale: { data: lossScale, dims: [batch] },
  };
}

/** Greedy transcripts of every utterance of a split, in order. */
export async function transcribe(
  engine: Engine,
  parameters: ParameterValues,
  source: SpeechSource,
): Promise<{ references: string[]; hypotheses: string[] }> {
  const references: string[] = [];
  const hypotheses: string[] = [];
  for (let b = 0; b < source.blocks; b++) {
    const block = await source.block(b);
    const logits = await probeLogits(engine, parameters, block.x, source.dim, CTC_VOCABULARY);
    for (let item = 0; item + 1 < block.itemRows.length; item++) {
      const from = block.itemRows[item] as number;
      const to = block.itemRows[item + 1] as number;
      hypotheses.push(
        greedyDecode(logits.subarray(from * CTC_VOCABULARY, to * CTC_VOCABULARY), to - from),
      );
      references.push(block.transcripts[item] as string);
    }
  }
  return { references, hypotheses };
}

/** iWER of transcripts, with per-utterance errors for the bootstrap. */
export function werEvaluation(
  references: readonly string[],
  hypotheses: readonly string[],
): Evaluation {
  const errors = new Uint32Array(references.length);
  const referenceWords = new Uint32Array(references.length);
  references.forEach((reference, i) => {
    const ref = words(reference);
    errors[i] = wordEditDistance(ref, words(hypotheses[i] ?? ''));
    referenceWords[i] = ref.length;
  });
  return inverseWerEvaluation(errors, referenceWords);
}

export interface CtcRun {
  readonly train: SpeechSource;
  readonly valid: SpeechSource;
  readonly test: SpeechSource;
  readonly recipe: {
    readonly epochs: number;
    readonly learningRate: number;
    readonly batchSize: number;
  };
  readonly seed: number;
  readonly streamLabel: string;
}

export interface CtcResult extends HeadResult {
  /** Training utterances with no valid alignment (too few frames for their transcript). */
  readonly infeasibleUtterances: number;
}

export async function trainCtcHead(engine: Engine, run: CtcRun): Promise<CtcResult> {
  const { train, valid, test, recipe } = run;
  const dim = train.dim;
  if (train.items === 0 || valid.items === 0 || test.items === 0) {
    throw new DataError(
      `${run.streamLabel}: a split is empty (train ${train.items}, valid ${valid.items}, test ${test.items})`,
    );
  }
  const step = await engine.session(`ctc-step/${dim}/${CTC_VOCABULARY}`, () =>
    ctcTrainStepGraph(dim, CTC_VOCABULARY),
  );
  const state = new AdamState(
    probeParameters(dim, CTC_VOCABULARY),
    initialParameters(dim, CTC_VOCABULARY, new SeededRandom(run.seed, `${run.streamLabel}/init`)),
  );
  const shuffler = new SeededRandom(run.seed, `${run.streamLabel}/shuffle`);
  let infeasible = 0;
  let lastEpoch = 0;
  async function* batches(epoch: number): AsyncGenerator<TrainingBatch> {
    lastEpoch = epoch;
    for (const blockIndex of shuffler.permutation(train.blocks)) {
      const block = await train.block(blockIndex);
      const items = block.itemRows.length - 1;
      const order = shuffler.permutation(items);
      for (let start = 0; start < items; start += recipe.batchSize) {
        const utterances: CtcUtterance[] = [];
        for (let i = start; i < Math.min(items, start + recipe.batchSize); i++) {
          const item = order[i] as number;
          utterances.push({
            frames: block.x.subarray(
              (block.itemRows[item] as number) * dim,
              (block.itemRows[item + 1] as number) * dim,
            ),
            labels: encodeTranscript(block.transcripts[item] as string),
          });
        }
        yield { items: utterances.length, feeds: ctcBatchFeeds(utterances, dim) };
      }
    }
  }
  const outcome = await runTrainingLoop({
    epochs: recipe.epochs,
    learningRate: recipe.learningRate,
    state,
    step,
    batches,
    onStep: (outputs) => {
      if (lastEpoch === 1) {
        infeasible += (outputs['feasible']?.data ?? []).filter((value) => value === 0).length;
      }
    },
    validate: async (parameters) => {
      const { references, hypotheses } = await transcribe(engine, parameters, valid);
      return inverseWer(werCounts(references, hypotheses));
    },
  });
  const { references, hypotheses } = await transcribe(engine, outcome.best, test);
  return {
    ...headResult(werEvaluation(references, hypotheses), outcome),
    infeasibleUtterances: infeasible,
  };
}

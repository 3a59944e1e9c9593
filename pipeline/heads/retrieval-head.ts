/**
 * Track A for audio-text retrieval (Clotho): the X-ARES two-tower head (graphs/retrieval.ts)
 * trained with the X-ARES recipe (training.ts). Training expands every clip into one
 * (clip, caption) pair per caption and shuffles the pairs, so a batch may hold two captions of
 * the same clip as negatives of each other, as in X-ARES. Validation and test embed every clip
 * and every caption in order and score Recall@1.
 */
import { DataError } from '../errors.ts';
import { recallEvaluation } from '../metrics/bootstrap.ts';
import { distinctTokens, padTokenIds, type WordPieceTokenizer } from '../text/wordpiece.ts';
import { SeededRandom } from '../util/random.ts';
import type { Engine } from './engine.ts';
import {
  audioTowerGraph,
  retrievalMatchGraph,
  retrievalParameters,
  retrievalTrainStepGraph,
  textTowerGraph,
} from './graphs/retrieval.ts';
import {
  AdamState,
  headResult,
  runTrainingLoop,
  type HeadResult,
  type ParameterValues,
  type TrainingBatch,
} from './training.ts';

/** X-ARES initial temperature 0.07: the learnable logit scale starts at log(1 / 0.07). */
const INITIAL_LOGIT_SCALE = Math.log(1 / 0.07);
const TEXT_CHUNK = 512;

/** Clips with their pooled embeddings and their captions, `captionsPerClip` each, in order. */
export interface CaptionedClips {
  readonly count: number;
  readonly dim: number;
  readonly audio: Float32Array;
  readonly captions: readonly (readonly string[])[];
}

export interface RetrievalRecipe {
  readonly epochs: number;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly hiddenSize: number;
}

export interface RetrievalRun {
  readonly train: CaptionedClips;
  readonly valid: CaptionedClips;
  readonly test: CaptionedClips;
  readonly captionsPerClip: number;
  readonly recipe: RetrievalRecipe;
  readonly tokenizer: WordPieceTokenizer;
  readonly seed: number;
  readonly streamLabel: string;
}

/** PyTorch defaults: Linear U(+-1/sqrt(fan_in)), Embedding N(0, 1), LayerNorm (1, 0). */
function initialParameters(
  dim: number,
  hidden: number,
  vocabulary: number,
  rng: SeededRandom,
): Record<string, Float32Array> {
  const uniform = (count: number, fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    return Float32Array.from({ length: count }, () => rng.uniform(-bound, bound));
  };
  // torch stores Linear weights as [out, in]; draw in that order and store transposed.
  const linear = (inDim: number, outDim: number) => {
    const drawn = uniform(inDim * outDim, inDim);
    const weight = new Float32Array(inDim * outDim);
    for (let o = 0; o < outDim; o++) {
      for (let i = 0; i < inDim; i++) {
        weight[i * outDim + o] = drawn[o * inDim + i] as number;
      }
    }
    return { weight, bias: uniform(outDim, inDim) };
  };
  const audio1 = linear(dim, hidden);
  const audio2 = linear(hidden, hidden);
  const embedding = Float32Array.from({ length: vocabulary * hidden }, () => rng.normal());
  const text1 = linear(hidden, hidden);
  const text2 = linear(hidden, hidden);
  return {
    gamma: new Float32Array(dim).fill(1),
    beta: new Float32Array(dim),
    audio_w1: audio1.weight,
    audio_b1: audio1.bias,
    audio_w2: audio2.weight,
    audio_b2: audio2.bias,
    text_embedding: embedding,
    text_w1: text1.weight,
    text_b1: text1.bias,
    text_w2: text2.weight,
    text_b2: text2.bias,
    logit_scale: Float32Array.of(INITIAL_LOGIT_SCALE),
  };
}

function pick(parameters: ParameterValues, names: readonly string[], dims: Map<string, number[]>) {
  return Object.fromEntries(
    names.map((name) => [
      name,
      { data: parameters[name] as Float32Array, dims: dims.get(name) ?? [] },
    ]),
  );
}

/** Feeds of the text tower for already tokenised captions. */
function padTokens(encoded: readonly (readonly number[])[], padId: number) {
  const { ids, mask, length } = padTokenIds(encoded, padId);
  return {
    tokens: { data: ids, dims: [encoded.length, length] },
    token_mask: { data: mask, dims: [encoded.length, length] },
  };
}

export async function trainRetrievalHead(engine: Engine, run: RetrievalRun): Promise<HeadResult> {
  const { train, valid, test, recipe, tokenizer, captionsPerClip } = run;
  const dim = train.dim;
  const hidden = recipe.hiddenSize;
  const vocabulary = tokenizer.size;
  for (const [name, split] of [
    ['train', train],
    ['valid', valid],
    ['test', test],
  ] as const) {
    if (split.count === 0) {
      throw new DataError(`${run.streamLabel}: the ${name} split is empty`);
    }
  }
  const specs = retrievalParameters(dim, hidden, vocabulary);
  const dims = new Map(specs.map((spec) => [spec.name, [...spec.dims]]));
  const step = await engine.session(`retrieval-step/${dim}/${hidden}/${vocabulary}`, () =>
    retrievalTrainStepGraph(dim, hidden, vocabulary),
  );
  const audioTower = await engine.session(`retrieval-audio/${dim}/${hidden}`, () =>
    audioTowerGraph(dim, hidden),
  );
  const textTower = await engine.session(`retrieval-text/${hidden}/${vocabulary}`, () =>
    textTowerGraph(hidden, vocabulary),
  );
  const match = await engine.session(`retrieval-match/${hidden}`, () =>
    retrievalMatchGraph(hidden),
  );
  const state = new AdamState(
    specs,
    initialParameters(
      dim,
      hidden,
      vocabulary,
      new SeededRandom(run.seed, `${run.streamLabel}/init`),
    ),
  );
  const tokenised = (clips: CaptionedClips) =>
    clips.captions.map((list) => list.map((c) => tokenizer.encode(c)));
  const trainTokens = tokenised(train);
  const shuffler = new SeededRandom(run.seed, `${run.streamLabel}/shuffle`);

  function* batches(): Generator<TrainingBatch> {
    const pairs = train.count * captionsPerClip;
    const order = shuffler.permutation(pairs);
    for (let start = 0; start < pairs; start += recipe.batchSize) {
      const end = Math.min(pairs, start + recipe.batchSize);
      const x = new Float32Array((end - start) * dim);
      const captions: number[][] = [];
      for (let i = start; i < end; i++) {
        const pair = order[i] as number;
        const clip = Math.floor(pair / captionsPerClip);
        x.set(train.audio.subarray(clip * dim, (clip + 1) * dim), (i - start) * dim);
        captions.push(trainTokens[clip]?.[pair % captionsPerClip] as number[]);
      }
      const text = padTokens(captions, tokenizer.padId);
      const { rows, slots } = distinctTokens(text.tokens.data);
      yield {
        items: end - start,
        feeds: {
          x: { data: x, dims: [end - start, dim] },
          ...text,
          token_rows: { data: rows, dims: [rows.length] },
          token_slots: { data: slots, dims: text.tokens.dims },
        },
      };
    }
  }

  /** For every clip whether its best caption is one of its own, and how many of its captions pick it. */
  const matchHits = async (parameters: ParameterValues, clips: CaptionedClips) => {
    const audio = await audioTower.run({
      x: { data: clips.audio, dims: [clips.count, dim] },
      ...pick(parameters, ['gamma', 'beta', 'audio_w1', 'audio_b1', 'audio_w2', 'audio_b2'], dims),
    });
    const flat = tokenised(clips).flat();
    const text = new Float32Array(flat.length * hidden);
    const textParameters = pick(
      parameters,
      ['text_embedding', 'text_w1', 'text_b1', 'text_w2', 'text_b2'],
      dims,
    );
    for (let start = 0; start < flat.length; start += TEXT_CHUNK) {
      const chunk = flat.slice(start, start + TEXT_CHUNK);
      const out = await textTower.run({ ...padTokens(chunk, tokenizer.padId), ...textParameters });
      text.set((out['text'] as { data: Float32Array }).data, start * hidden);
    }
    const best = await match.runRaw({
      audio: { data: (audio['audio'] as { data: Float32Array }).data, dims: [clips.count, hidden] },
      text: { data: text, dims: [flat.length, hidden] },
    });
    const bestCaption = best['best_caption']?.data as BigInt64Array;
    const bestClip = best['best_clip']?.data as BigInt64Array;
    const audioHits = new Uint8Array(clips.count);
    const textHits = new Uint8Array(clips.count);
    for (let clip = 0; clip < clips.count; clip++) {
      audioHits[clip] = Math.floor(Number(bestCaption[clip]) / captionsPerClip) === clip ? 1 : 0;
    }
    for (let caption = 0; caption < flat.length; caption++) {
      const clip = Math.floor(caption / captionsPerClip);
      if (Number(bestClip[caption]) === clip) {
        textHits[clip] = (textHits[clip] as number) + 1;
      }
    }
    return recallEvaluation(audioHits, textHits, captionsPerClip);
  };

  const outcome = await runTrainingLoop({
    epochs: recipe.epochs,
    learningRate: recipe.learningRate,
    state,
    step,
    batches,
    validate: async (parameters) => (await matchHits(parameters, valid)).score,
  });
  return headResult(await matchHits(outcome.best, test), outcome);
}

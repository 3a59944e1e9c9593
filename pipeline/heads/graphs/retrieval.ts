/**
 * The Clotho head of X-ARES (`models/retrival.py::RetrivalMLP` with `AudioTextContrastiveLoss`):
 * - audio tower: pooled embedding -> LayerNorm(D) -> Linear(D, H) -> GELU -> Linear(H, H);
 * - text tower: WordPiece ids -> Embedding(V, H) -> Linear(H, H) -> GELU -> Linear(H, H) per
 *   token, then the mean over non-padding tokens ([CLS] and [SEP] included);
 * - loss: with sim = exp(s) a t^T on the unnormalised embeddings and a learnable s (initially
 *   log(1 / 0.07)), the mean of the audio-to-text and text-to-audio cross-entropies with the
 *   diagonal as targets, plus mean(|a|) / ||a||_F + mean(|t|) / ||t||_F.
 * The backward pass is written out below; the embedding table's gradient is a scatter-add of the
 * token rows' gradients, and Adam updates every row of it (torch's dense embedding gradient).
 */
import { GraphBuilder } from '../../onnx/graph-builder.ts';
import {
  adamUpdate,
  gelu,
  layerNorm,
  parameterInputs,
  rows,
  type ParameterSpec,
} from './common.ts';

export function retrievalParameters(
  dim: number,
  hidden: number,
  vocabulary: number,
): ParameterSpec[] {
  return [
    { name: 'gamma', dims: [dim] },
    { name: 'beta', dims: [dim] },
    { name: 'audio_w1', dims: [dim, hidden] },
    { name: 'audio_b1', dims: [hidden] },
    { name: 'audio_w2', dims: [hidden, hidden] },
    { name: 'audio_b2', dims: [hidden] },
    { name: 'text_embedding', dims: [vocabulary, hidden] },
    { name: 'text_w1', dims: [hidden, hidden] },
    { name: 'text_b1', dims: [hidden] },
    { name: 'text_w2', dims: [hidden, hidden] },
    { name: 'text_b2', dims: [hidden] },
    { name: 'logit_scale', dims: [] },
  ];
}

type Values = Record<string, string>;

function audioTower(g: GraphBuilder, x: string, p: Values) {
  const { h, xhat } = layerNorm(g, x, p['gamma'] as string, p['beta'] as string);
  const u1 = g.op('Gemm', [h, p['audio_w1'] as string, p['audio_b1'] as string]);
  const g1 = gelu(g, u1);
  const a = g.op('Gemm', [g1.y, p['audio_w2'] as string, p['audio_b2'] as string]);
  return { h, xhat, g1, a };
}

function textTower(g: GraphBuilder, tokens: string, mask: string, hidden: number, p: Values) {
  const e = rows(g, g.op('Gather', [p['text_embedding'] as string, tokens], { axis: 0 }), hidden);
  const v1 = g.op('Gemm', [e, p['text_w1'] as string, p['text_b1'] as string]);
  const g2 = gelu(g, v1);
  const v2 = g.op('Gemm', [g2.y, p['text_w2'] as string, p['text_b2'] as string]);
  // Masked mean over tokens: weights mask / count, [B, L, 1].
  const count = g.op('ReduceSum', [mask, g.int64s([1])], { keepdims: 1 });
  const weights = g.op('Unsqueeze', [g.op('Div', [mask, count]), g.int64s([2])]);
  const tokenShape = g.op('Concat', [g.op('Shape', [tokens]), g.int64s([hidden])], { axis: 0 });
  const t = g.op(
    'ReduceSum',
    [g.op('Mul', [g.op('Reshape', [v2, tokenShape]), weights]), g.int64s([1])],
    { keepdims: 0 },
  );
  return { e, g2, t, weights, tokenShape };
}

/** Audio embeddings [N, H] of pooled encoder embeddings [N, D]. */
export function audioTowerGraph(dim: number, hidden: number): Uint8Array {
  const g = new GraphBuilder('retrieval_audio');
  const x = g.input('x', 'float32', ['n', dim]);
  const p = parameterInputs(
    g,
    retrievalParameters(dim, hidden, 1).filter(
      (spec) => spec.name === 'gamma' || spec.name === 'beta' || spec.name.startsWith('audio_'),
    ),
  );
  g.output(audioTower(g, x, p).a, 'float32', ['n', hidden], 'audio');
  return g.toModel();
}

/** Text embeddings [N, H] of token ids [N, L] with a 0/1 mask. */
export function textTowerGraph(hidden: number, vocabulary: number): Uint8Array {
  const g = new GraphBuilder('retrieval_text');
  const tokens = g.input('tokens', 'int64', ['n', 'l']);
  const mask = g.input('token_mask', 'float32', ['n', 'l']);
  const p = parameterInputs(
    g,
    retrievalParameters(1, hidden, vocabulary).filter((spec) => spec.name.startsWith('text_')),
  );
  g.output(textTower(g, tokens, mask, hidden, p).t, 'float32', ['n', hidden], 'text');
  return g.toModel();
}

/**
 * The best match of every clip among the captions and of every caption among the clips, by
 * cosine similarity (first index on ties).
 */
export function retrievalMatchGraph(hidden: number): Uint8Array {
  const g = new GraphBuilder('retrieval_match');
  const audio = g.input('audio', 'float32', ['n', hidden]);
  const text = g.input('text', 'float32', ['m', hidden]);
  const eps = g.scalar(1e-12);
  const unit = (value: string) =>
    g.op('Div', [
      value,
      g.op('Max', [g.op('ReduceL2', [value, g.int64s([1])], { keepdims: 1 }), eps]),
    ]);
  const similarity = g.op('Gemm', [unit(audio), unit(text)], { transB: 1 });
  g.output(g.op('ArgMax', [similarity], { axis: 1, keepdims: 0 }), 'int64', ['n'], 'best_caption');
  g.output(g.op('ArgMax', [similarity], { axis: 0, keepdims: 0 }), 'int64', ['m'], 'best_clip');
  return g.toModel();
}

/** mean(|v|) / ||v||_F and its gradient sign(v) / (N F) - S v / (N F^3), S = sum |v|. */
function regulariser(g: GraphBuilder, v: string): { value: string; gradient: string } {
  const elements = g.op('Cast', [g.op('Size', [v])], { to: 1 });
  const absSum = g.op('ReduceSum', [g.op('Abs', [v])], { keepdims: 0 });
  const norm = g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [v, v])], { keepdims: 0 })]);
  const nf = g.op('Mul', [elements, norm]);
  const value = g.op('Div', [absSum, nf]);
  const gradient = g.op('Sub', [
    g.op('Div', [g.op('Sign', [v]), nf]),
    g.op('Mul', [v, g.op('Div', [absSum, g.op('Mul', [nf, g.op('Mul', [norm, norm])])])]),
  ]);
  return { value, gradient };
}

export function retrievalTrainStepGraph(
  dim: number,
  hidden: number,
  vocabulary: number,
): Uint8Array {
  const g = new GraphBuilder('retrieval_train_step');
  const x = g.input('x', 'float32', ['b', dim]);
  const tokens = g.input('tokens', 'int64', ['b', 'l']);
  const mask = g.input('token_mask', 'float32', ['b', 'l']);
  // The distinct token ids of the batch and, for every token, its position among them (see
  // distinctTokens): the embedding gradient is summed per distinct id before it is scattered.
  const tokenRows = g.input('token_rows', 'int64', ['u']);
  const tokenSlots = g.input('token_slots', 'int64', ['b', 'l']);
  const specs = retrievalParameters(dim, hidden, vocabulary);
  const p = parameterInputs(g, specs);

  const audio = audioTower(g, x, p);
  const text = textTower(g, tokens, mask, hidden, p);
  const scale = g.op('Exp', [p['logit_scale'] as string]);
  const raw = g.op('Gemm', [audio.a, text.t], { transB: 1 });
  const similarity = g.op('Mul', [raw, scale]);
  const batch = g.op('Cast', [g.op('Shape', [x], { start: 0, end: 1 })], { to: 1 });
  const identity = g.op('EyeLike', [similarity]);

  // Cross-entropy towards the diagonal, both ways: rows (audio to text), columns (text to audio).
  const diagonal = g.op('ReduceSum', [g.op('Mul', [similarity, identity]), g.int64s([1])], {
    keepdims: 0,
  });
  const rowLse = g.op('ReduceLogSumExp', [similarity, g.int64s([1])], { keepdims: 0 });
  const columnLse = g.op('ReduceLogSumExp', [similarity, g.int64s([0])], { keepdims: 0 });
  const contrastive = g.op('Mul', [
    g.scalar(0.5),
    g.op('Add', [
      g.op('ReduceMean', [g.op('Sub', [rowLse, diagonal])], { keepdims: 0 }),
      g.op('ReduceMean', [g.op('Sub', [columnLse, diagonal])], { keepdims: 0 }),
    ]),
  ]);
  const audioRegulariser = regulariser(g, audio.a);
  const textRegulariser = regulariser(g, text.t);
  g.output(
    g.op('Add', [contrastive, g.op('Add', [audioRegulariser.value, textRegulariser.value])]),
    'float32',
    [],
    'loss',
  );

  // d loss / d sim = (softmax_rows - I + softmax_columns - I) / (2 B).
  const dSimilarity = g.op('Div', [
    g.op('Sub', [
      g.op('Add', [
        g.op('Softmax', [similarity], { axis: 1 }),
        g.op('Softmax', [similarity], { axis: 0 }),
      ]),
      g.op('Mul', [identity, g.scalar(2)]),
    ]),
    g.op('Mul', [batch, g.scalar(2)]),
  ]);
  const dScale = g.op('ReduceSum', [g.op('Mul', [dSimilarity, similarity])], { keepdims: 0 });
  const dA = g.op('Add', [
    g.op('Mul', [g.op('MatMul', [dSimilarity, text.t]), scale]),
    audioRegulariser.gradient,
  ]);
  const dT = g.op('Add', [
    g.op('Mul', [g.op('Gemm', [dSimilarity, audio.a], { transA: 1 }), scale]),
    textRegulariser.gradient,
  ]);

  const batchRows = g.int64s([0]);
  const sumRows = (value: string) => g.op('ReduceSum', [value, batchRows], { keepdims: 0 });

  // Audio tower.
  const dU1 = g.op('Mul', [
    g.op('Gemm', [dA, p['audio_w2'] as string], { transB: 1 }),
    audio.g1.derivative,
  ]);
  const dH = g.op('Gemm', [dU1, p['audio_w1'] as string], { transB: 1 });
  const gradients: Record<string, string> = {
    audio_w2: g.op('Gemm', [audio.g1.y, dA], { transA: 1 }),
    audio_b2: sumRows(dA),
    audio_w1: g.op('Gemm', [audio.h, dU1], { transA: 1 }),
    audio_b1: sumRows(dU1),
    gamma: sumRows(g.op('Mul', [dH, audio.xhat])),
    beta: sumRows(dH),
    logit_scale: dScale,
  };

  // Text tower: each token row gets its utterance's gradient times mask / count.
  const dV2 = rows(g, g.op('Mul', [g.op('Unsqueeze', [dT, g.int64s([1])]), text.weights]), hidden);
  const dV1 = g.op('Mul', [
    g.op('Gemm', [dV2, p['text_w2'] as string], { transB: 1 }),
    text.g2.derivative,
  ]);
  const dE = g.op('Gemm', [dV1, p['text_w1'] as string], { transB: 1 });
  gradients['text_w2'] = g.op('Gemm', [text.g2.y, dV2], { transA: 1 });
  gradients['text_b2'] = sumRows(dV2);
  gradients['text_w1'] = g.op('Gemm', [text.e, dV1], { transA: 1 });
  gradients['text_b1'] = sumRows(dV1);
  // Rows of the same token are summed with a one-hot product, then written to distinct rows.
  // ScatterND with reduction "add" would do both at once, but onnxruntime's CPU kernel adds
  // duplicate indices from several threads at once, so its sums change from run to run.
  const slotOneHot = g.op(
    'OneHot',
    [
      g.op('Reshape', [tokenSlots, g.int64s([-1])]),
      g.op('Size', [tokenRows]),
      g.constant(Float32Array.of(0, 1), [2]),
    ],
    { axis: -1 },
  );
  gradients['text_embedding'] = g.op('ScatterND', [
    g.op('ConstantOfShape', [g.op('Shape', [p['text_embedding'] as string])], {
      value: { tensor: { data: Float32Array.of(0), dims: [1] } },
    }),
    g.op('Reshape', [tokenRows, g.int64s([-1, 1])]),
    g.op('Gemm', [slotOneHot, dE], { transA: 1 }),
  ]);
  adamUpdate(g, specs, p, gradients);
  return g.toModel();
}

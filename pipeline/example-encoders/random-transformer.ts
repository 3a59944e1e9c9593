/**
 * Transformer-shaped encoder with random weights: log-mel frames (10 ms) stacked in fours into
 * 40 ms patches, projected to d = 768, then 6 pre-norm self-attention blocks (12 heads, GELU
 * feed-forward) and a final LayerNorm. About 24M parameters, stored in float16, so benchmarks and
 * the demo build see the compute profile of a real audio transformer.
 */
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { LOGMEL_BASELINE, logMelFrontEnd } from './logmel.ts';
import { gelu, layerNorm, linear, type WeightOptions } from './weights.ts';

export const RANDOM_TRANSFORMER = {
  sampleRate: 16000,
  /** Log-mel frames per patch: 4 x 10 ms = 40 ms hop. */
  stack: 4,
  dim: 768,
  layers: 6,
  heads: 12,
  feedForward: 1024,
  seed: 11,
} as const;

function attention(g: GraphBuilder, options: WeightOptions, name: string, x: string): string {
  const { dim, heads } = RANDOM_TRANSFORMER;
  const headDim = dim / heads;
  const qkv = linear(g, options, `${name}.qkv`, x, dim, 3 * dim);
  // [B, T, 3, H, Dh] -> [3, B, H, T, Dh]
  const split = g.op('Transpose', [g.op('Reshape', [qkv, g.int64s([0, 0, 3, heads, headDim])])], {
    perm: [2, 0, 3, 1, 4],
  });
  const part = (index: number) =>
    g.op('Squeeze', [
      g.op('Slice', [split, g.int64s([index]), g.int64s([index + 1]), g.int64s([0])]),
      g.int64s([0]),
    ]);
  const [q, k, v] = [part(0), part(1), part(2)];
  const scores = g.op('Mul', [
    g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]),
    g.scalar(1 / Math.sqrt(headDim)),
  ]);
  const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
  const merged = g.op('Reshape', [
    g.op('Transpose', [context], { perm: [0, 2, 1, 3] }),
    g.int64s([0, 0, dim]),
  ]);
  return linear(g, options, `${name}.out`, merged, dim, dim);
}

export function buildRandomTransformerEncoder(): Uint8Array {
  const { dim, layers, feedForward, stack, seed } = RANDOM_TRANSFORMER;
  const mels = LOGMEL_BASELINE.nMels;
  const options: WeightOptions = { seed, half: true };
  const g = new GraphBuilder('random_transformer');
  const waveform = g.input('waveform', 'float32', ['batch', 'samples']);
  const logMel = logMelFrontEnd(g, waveform, LOGMEL_BASELINE);

  // Drop the frames that do not fill a whole patch, then stack `stack` frames per patch.
  const frames = g.op('Shape', [logMel], { start: 1, end: 2 });
  const usable = g.op('Mul', [g.op('Div', [frames, g.int64s([stack])]), g.int64s([stack])]);
  const trimmed = g.op('Slice', [logMel, g.int64s([0]), usable, g.int64s([1])]);
  const patches = g.op('Reshape', [trimmed, g.int64s([0, -1, stack * mels])]);
  // Log-mel values sit around -5; centre and scale them before the projection.
  const normalised = g.op('Mul', [g.op('Add', [patches, g.scalar(5)]), g.scalar(0.25)]);
  let x = linear(g, options, 'embed', normalised, stack * mels, dim);

  for (let layer = 0; layer < layers; layer++) {
    const name = `block${layer}`;
    x = g.op('Add', [
      x,
      attention(g, options, `${name}.attn`, layerNorm(g, `${name}.norm1`, x, dim)),
    ]);
    const hidden = gelu(
      g,
      linear(g, options, `${name}.ff1`, layerNorm(g, `${name}.norm2`, x, dim), dim, feedForward),
    );
    x = g.op('Add', [x, linear(g, options, `${name}.ff2`, hidden, feedForward, dim)]);
  }
  g.output(layerNorm(g, 'final_norm', x, dim), 'float32', ['batch', 'frames', dim], 'embeddings');
  return g.toModel({
    docString:
      'Transformer-shaped encoder with random weights: 6 pre-norm blocks, d 768, 40 ms hop.',
  });
}

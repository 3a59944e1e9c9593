/**
 * Seeded random weights for the example encoders. Every tensor gets its own stream (seed, name),
 * so the bytes of a model do not depend on the order its layers are built in.
 */
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { SeededRandom } from '../util/random.ts';

export interface WeightOptions {
  readonly seed: number;
  /** Store in float16 and cast to float32 when the session loads (half the file size). */
  readonly half: boolean;
}

/** Uniform(-bound, bound) tensor with bound = sqrt(3 / fanIn): unit output variance for unit-variance inputs. */
export function uniformTensor(
  seed: number,
  name: string,
  dims: readonly number[],
  fanIn: number,
): Float32Array {
  const rng = new SeededRandom(seed, name);
  const bound = Math.sqrt(3 / fanIn);
  const size = dims.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: size }, () => rng.uniform(-bound, bound));
}

/** Add a float32-valued weight to `g`, stored as float16 when `options.half`. */
export function weight(
  g: GraphBuilder,
  options: WeightOptions,
  name: string,
  dims: readonly number[],
  values: Float32Array,
): string {
  if (!options.half) {
    return g.initializer(name, values, dims);
  }
  const stored = g.initializer(`${name}_f16`, Float16Array.from(values), dims, 'float16');
  return g.op('Cast', [stored], { to: 1 });
}

/** x [.., inDim] @ W [inDim, outDim] + b, with seeded uniform weights and zero bias. */
export function linear(
  g: GraphBuilder,
  options: WeightOptions,
  name: string,
  x: string,
  inDim: number,
  outDim: number,
): string {
  const w = weight(
    g,
    options,
    `${name}.weight`,
    [inDim, outDim],
    uniformTensor(options.seed, `${name}.weight`, [inDim, outDim], inDim),
  );
  const b = g.initializer(`${name}.bias`, new Float32Array(outDim), [outDim]);
  return g.op('Add', [g.op('MatMul', [x, w]), b]);
}

/** GELU as 0.5 x (1 + erf(x / sqrt 2)); onnxruntime fuses the pattern into one kernel. */
export function gelu(g: GraphBuilder, x: string): string {
  const erf = g.op('Erf', [g.op('Mul', [x, g.scalar(Math.SQRT1_2)])]);
  return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [erf, g.scalar(1)])]);
}

/** LayerNormalization over the last axis with unit scale and zero shift. */
export function layerNorm(g: GraphBuilder, name: string, x: string, dim: number): string {
  const scale = g.initializer(`${name}.scale`, new Float32Array(dim).fill(1), [dim]);
  const shift = g.initializer(`${name}.shift`, new Float32Array(dim), [dim]);
  return g.op('LayerNormalization', [x, scale, shift], { axis: -1, epsilon: { float: 1e-5 } });
}

/**
 * Building blocks of the heads' ONNX graphs. onnxruntime-node has no autograd, so every train
 * step writes its backward pass out by hand from these pieces; each piece is checked against
 * finite differences of an independent float64 implementation in the tests.
 */
import { ADAM } from '../../../schemas/protocols.ts';
import type { GraphBuilder } from '../../onnx/graph-builder.ts';

/** torch.nn.LayerNorm default epsilon. */
export const LAYER_NORM_EPS = 1e-5;
/** torch.optim.Adam defaults, owned by schemas/protocols.ts, which the methodology page quotes. */
export { ADAM };

/** A trainable tensor of a head: its name in the graphs and its shape. */
export interface ParameterSpec {
  readonly name: string;
  readonly dims: readonly number[];
}

/** Declare each parameter as a graph input; returns value names by parameter name. */
export function parameterInputs(
  g: GraphBuilder,
  specs: readonly ParameterSpec[],
): Record<string, string> {
  return Object.fromEntries(
    specs.map((spec) => [spec.name, g.input(spec.name, 'float32', spec.dims)]),
  );
}

/** LayerNorm over the last axis: returns the output h = xhat * gamma + beta and xhat. */
export function layerNorm(
  g: GraphBuilder,
  x: string,
  gamma: string,
  beta: string,
): { h: string; xhat: string } {
  const axis = g.int64s([-1]);
  const mean = g.op('ReduceMean', [x, axis], { keepdims: 1 });
  const centred = g.op('Sub', [x, mean]);
  const variance = g.op('ReduceMean', [g.op('Mul', [centred, centred]), axis], { keepdims: 1 });
  const rstd = g.op('Reciprocal', [
    g.op('Sqrt', [g.op('Add', [variance, g.scalar(LAYER_NORM_EPS)])]),
  ]);
  const xhat = g.op('Mul', [centred, rstd]);
  const h = g.op('Add', [g.op('Mul', [xhat, gamma]), beta]);
  return { h, xhat };
}

/**
 * Gradients of a LayerNorm(D) followed by Linear(D, C) applied to rows [N, D], given the
 * gradient of the loss with respect to the logits [N, C]. The input itself is frozen, so only
 * the parameters' gradients are produced.
 */
export function layerNormLinearGradients(
  g: GraphBuilder,
  parts: {
    readonly h: string;
    readonly xhat: string;
    readonly weight: string;
    readonly dLogits: string;
  },
): { gamma: string; beta: string; weight: string; bias: string } {
  const rows = g.int64s([0]);
  const dH = g.op('Gemm', [parts.dLogits, parts.weight], { transB: 1 });
  return {
    weight: g.op('Gemm', [parts.h, parts.dLogits], { transA: 1 }),
    bias: g.op('ReduceSum', [parts.dLogits, rows], { keepdims: 0 }),
    gamma: g.op('ReduceSum', [g.op('Mul', [dH, parts.xhat]), rows], { keepdims: 0 }),
    beta: g.op('ReduceSum', [dH, rows], { keepdims: 0 }),
  };
}

/** Flatten every axis but the last: [..., K] -> [N, K]. */
export function rows(g: GraphBuilder, value: string, width: number): string {
  return g.op('Reshape', [value, g.int64s([-1, width])]);
}

/**
 * GELU as torch.nn.GELU() computes it (the exact erf form): y = x * Phi(x). Also returns the
 * derivative Phi(x) + x * phi(x) for the backward pass.
 */
export function gelu(g: GraphBuilder, x: string): { y: string; derivative: string } {
  const cdf = g.op('Mul', [
    g.scalar(0.5),
    g.op('Add', [g.scalar(1), g.op('Erf', [g.op('Mul', [x, g.scalar(Math.SQRT1_2)])])]),
  ]);
  const density = g.op('Mul', [
    g.scalar(1 / Math.sqrt(2 * Math.PI)),
    g.op('Exp', [g.op('Mul', [g.op('Mul', [x, x]), g.scalar(-0.5)])]),
  ]);
  return {
    y: g.op('Mul', [x, cdf]),
    derivative: g.op('Add', [cdf, g.op('Mul', [x, density])]),
  };
}

/**
 * Elementwise log(exp(a) + exp(b) + ...), with every operand -inf giving -inf instead of NaN.
 */
export function logSumExp(g: GraphBuilder, operands: readonly string[]): string {
  const maximum = g.op('Max', [...operands]);
  // The maximum is -inf only where every operand is; shift by 0 there.
  const shift = g.op('Where', [g.op('IsInf', [maximum]), g.scalar(0), maximum]);
  const sum = g.op(
    'Sum',
    operands.map((value) => g.op('Exp', [g.op('Sub', [value, shift])])),
  );
  return g.op('Add', [shift, g.op('Log', [sum])]);
}

/** A parameter after one Adam step, with its moments. */
export interface AdamUpdated {
  readonly parameter: string;
  readonly m: string;
  readonly v: string;
}

/**
 * torch.optim.Adam's single-tensor update of every parameter from the values named in
 * `state`: p -= step_size * m / (sqrt(v) / bias_correction2_sqrt + eps), with
 * step_size = lr / (1 - beta1^t) and bias_correction2_sqrt = sqrt(1 - beta2^t).
 */
export function adamStep(
  g: GraphBuilder,
  specs: readonly ParameterSpec[],
  state: {
    readonly parameters: Readonly<Record<string, string>>;
    readonly gradients: Readonly<Record<string, string>>;
    readonly moments: Readonly<Record<string, { readonly m: string; readonly v: string }>>;
    readonly stepSize: string;
    readonly correction2: string;
  },
): Record<string, AdamUpdated> {
  const updated: Record<string, AdamUpdated> = {};
  for (const { name } of specs) {
    const parameter = state.parameters[name];
    const gradient = state.gradients[name];
    const moments = state.moments[name];
    if (parameter === undefined || gradient === undefined || moments === undefined) {
      throw new Error(`adamStep: no parameter, gradient or moments named "${name}"`);
    }
    const m = g.op('Add', [
      g.op('Mul', [moments.m, g.scalar(ADAM.beta1)]),
      g.op('Mul', [gradient, g.scalar(1 - ADAM.beta1)]),
    ]);
    const v = g.op('Add', [
      g.op('Mul', [moments.v, g.scalar(ADAM.beta2)]),
      g.op('Mul', [g.op('Mul', [gradient, gradient]), g.scalar(1 - ADAM.beta2)]),
    ]);
    const denominator = g.op('Add', [
      g.op('Div', [g.op('Sqrt', [v]), state.correction2]),
      g.scalar(ADAM.eps),
    ]);
    updated[name] = {
      parameter: g.op('Sub', [
        parameter,
        g.op('Mul', [state.stepSize, g.op('Div', [m, denominator])]),
      ]),
      m,
      v,
    };
  }
  return updated;
}

/** Declare the Adam moments `m_<name>` and `v_<name>` of every parameter as graph inputs. */
export function momentInputs(
  g: GraphBuilder,
  specs: readonly ParameterSpec[],
): Record<string, { m: string; v: string }> {
  return Object.fromEntries(
    specs.map(({ name, dims }) => [
      name,
      { m: g.input(`m_${name}`, 'float32', dims), v: g.input(`v_${name}`, 'float32', dims) },
    ]),
  );
}

/**
 * One torch.optim.Adam step for every parameter (see adamStep). Declares the inputs
 * `m_<name>`, `v_<name>`, `step_size` and `bias_correction2_sqrt`, and the outputs
 * `new_<name>`, `new_m_<name>`, `new_v_<name>`.
 */
export function adamUpdate(
  g: GraphBuilder,
  specs: readonly ParameterSpec[],
  parameters: Readonly<Record<string, string>>,
  gradients: Readonly<Record<string, string>>,
): void {
  const stepSize = g.input('step_size', 'float32', []);
  const correction2 = g.input('bias_correction2_sqrt', 'float32', []);
  const moments = momentInputs(g, specs);
  const updated = adamStep(g, specs, { parameters, gradients, moments, stepSize, correction2 });
  for (const { name, dims } of specs) {
    const { parameter, m, v } = updated[name] as AdamUpdated;
    g.output(parameter, 'float32', dims, `new_${name}`);
    g.output(m, 'float32', dims, `new_m_${name}`);
    g.output(v, 'float32', dims, `new_v_${name}`);
  }
}

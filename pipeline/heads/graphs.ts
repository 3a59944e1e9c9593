/**
 * ONNX graphs of the engine's heavy arithmetic, so it runs inside onnxruntime (multithreaded on
 * CPU, and on a GPU provider where one is configured) instead of JavaScript loops.
 *
 * - `probeForwardGraph`: LayerNorm + Linear logits.
 * - `probeTrainStepGraph`: one Adam step of LayerNorm + Linear under cross-entropy or
 *   BCE-with-logits, with the gradients written out by hand (onnxruntime-node has no autograd).
 * - `knnGraph`: the X-ARES kNN similarity (per-dimension normalised training matrix, per-sample
 *   normalised queries) followed by top-k.
 */
import { GraphBuilder } from '../onnx/graph-builder.ts';

/** torch.nn.LayerNorm default epsilon. */
export const LAYER_NORM_EPS = 1e-5;
/** torch.optim.Adam defaults. */
export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;
/** torch.nn.functional.normalize default epsilon. */
const NORMALIZE_EPS = 1e-12;

export type ProbeLoss = 'cross_entropy' | 'bce';

/** Names of the probe's parameters, in the order of the train step's inputs and outputs. */
export const PROBE_PARAMETERS = ['gamma', 'beta', 'weight', 'bias'] as const;
export type ProbeParameter = (typeof PROBE_PARAMETERS)[number];

/** LayerNorm(x) * gamma + beta, returning [h, xhat]. */
function layerNorm(
  g: GraphBuilder,
  x: string,
  gamma: string,
  beta: string,
): { h: string; xhat: string } {
  const axis = g.int64s([1]);
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

function probeInputs(g: GraphBuilder, dim: number, classes: number) {
  return {
    gamma: g.input('gamma', 'float32', [dim]),
    beta: g.input('beta', 'float32', [dim]),
    weight: g.input('weight', 'float32', [dim, classes]),
    bias: g.input('bias', 'float32', [classes]),
  };
}

export function probeForwardGraph(dim: number, classes: number): Uint8Array {
  const g = new GraphBuilder('probe_forward');
  const x = g.input('x', 'float32', ['n', dim]);
  const p = probeInputs(g, dim, classes);
  const { h } = layerNorm(g, x, p.gamma, p.beta);
  g.output(g.op('Gemm', [h, p.weight, p.bias]), 'float32', ['n', classes], 'logits');
  return g.toModel();
}

/**
 * One optimisation step. Inputs: x [B, D], targets [B, C] (one-hot for cross-entropy, 0/1 for
 * BCE), the parameters, their Adam moments `m_*` / `v_*`, and two scalars computed from the
 * step number t: `step_size` = lr / (1 - beta1^t) and `bias_correction2_sqrt` = sqrt(1 - beta2^t)
 * (torch.optim.Adam's single-tensor update). Outputs: `loss`, then `new_*`, `new_m_*`, `new_v_*`.
 */
export function probeTrainStepGraph(
  dim: number,
  classes: number,
  loss: ProbeLoss,
  posWeight = 1,
): Uint8Array {
  const g = new GraphBuilder('probe_train_step');
  const x = g.input('x', 'float32', ['batch', dim]);
  const targets = g.input('targets', 'float32', ['batch', classes]);
  const p = probeInputs(g, dim, classes);
  const moments = Object.fromEntries(
    PROBE_PARAMETERS.flatMap((name) => {
      const dims = name === 'weight' ? [dim, classes] : name === 'bias' ? [classes] : [dim];
      return [
        [`m_${name}`, g.input(`m_${name}`, 'float32', dims)],
        [`v_${name}`, g.input(`v_${name}`, 'float32', dims)],
      ];
    }),
  ) as Record<string, string>;
  const stepSize = g.input('step_size', 'float32', []);
  const correction2 = g.input('bias_correction2_sqrt', 'float32', []);

  const { h, xhat } = layerNorm(g, x, p.gamma, p.beta);
  const logits = g.op('Gemm', [h, p.weight, p.bias]);
  const batch = g.op('Cast', [g.op('Shape', [x], { start: 0, end: 1 })], { to: 1 });
  const classAxis = g.int64s([1]);
  const batchAxis = g.int64s([0]);

  let dLogits: string;
  let lossValue: string;
  if (loss === 'cross_entropy') {
    // d/dz mean_b(-sum_c y log softmax(z)) = (softmax(z) - y) / B for rows of y summing to 1.
    const probabilities = g.op('Softmax', [logits], { axis: 1 });
    dLogits = g.op('Div', [g.op('Sub', [probabilities, targets]), batch]);
    const logSumExp = g.op('ReduceLogSumExp', [logits, classAxis], { keepdims: 0 });
    const picked = g.op('ReduceSum', [g.op('Mul', [targets, logits]), classAxis], { keepdims: 0 });
    lossValue = g.op('ReduceMean', [g.op('Sub', [logSumExp, picked])], { keepdims: 0 });
  } else {
    // l = -(p y log s(z) + (1 - y) log(1 - s(z))), mean over B x C elements;
    // dl/dz = s(z) (p y + 1 - y) - p y.
    const elements = g.op('Mul', [batch, g.scalar(classes)]);
    const weightedTargets = g.op('Mul', [targets, g.scalar(posWeight)]);
    const sigma = g.op('Sigmoid', [logits]);
    const factor = g.op('Sub', [g.op('Add', [weightedTargets, g.scalar(1)]), targets]);
    dLogits = g.op('Div', [g.op('Sub', [g.op('Mul', [sigma, factor]), weightedTargets]), elements]);
    // Stable form: (1 - y) z + (1 + (p - 1) y) (log(1 + exp(-|z|)) + max(-z, 0)).
    const softplusNeg = g.op('Add', [
      g.op('Log', [
        g.op('Add', [g.scalar(1), g.op('Exp', [g.op('Neg', [g.op('Abs', [logits])])])]),
      ]),
      g.op('Relu', [g.op('Neg', [logits])]),
    ]);
    const perElement = g.op('Add', [
      g.op('Mul', [g.op('Sub', [g.scalar(1), targets]), logits]),
      g.op('Mul', [
        g.op('Add', [g.scalar(1), g.op('Mul', [targets, g.scalar(posWeight - 1)])]),
        softplusNeg,
      ]),
    ]);
    lossValue = g.op('ReduceMean', [perElement], { keepdims: 0 });
  }

  const gradients: Record<ProbeParameter, string> = {
    weight: g.op('Gemm', [h, dLogits], { transA: 1 }),
    bias: g.op('ReduceSum', [dLogits, batchAxis], { keepdims: 0 }),
    gamma: '',
    beta: '',
  };
  const dH = g.op('Gemm', [dLogits, p.weight], { transB: 1 });
  gradients.gamma = g.op('ReduceSum', [g.op('Mul', [dH, xhat]), batchAxis], { keepdims: 0 });
  gradients.beta = g.op('ReduceSum', [dH, batchAxis], { keepdims: 0 });

  g.output(lossValue, 'float32', [], 'loss');
  for (const name of PROBE_PARAMETERS) {
    const gradient = gradients[name];
    const m = g.op('Add', [
      g.op('Mul', [moments[`m_${name}`] as string, g.scalar(ADAM.beta1)]),
      g.op('Mul', [gradient, g.scalar(1 - ADAM.beta1)]),
    ]);
    const v = g.op('Add', [
      g.op('Mul', [moments[`v_${name}`] as string, g.scalar(ADAM.beta2)]),
      g.op('Mul', [g.op('Mul', [gradient, gradient]), g.scalar(1 - ADAM.beta2)]),
    ]);
    const denominator = g.op('Add', [
      g.op('Div', [g.op('Sqrt', [v]), correction2]),
      g.scalar(ADAM.eps),
    ]);
    const updated = g.op('Sub', [p[name], g.op('Mul', [stepSize, g.op('Div', [m, denominator])])]);
    g.output(updated, 'float32', undefined, `new_${name}`);
    g.output(m, 'float32', undefined, `new_m_${name}`);
    g.output(v, 'float32', undefined, `new_v_${name}`);
  }
  return g.toModel();
}

/**
 * X-ARES kNN similarity and top-k: train [N, D] is L2-normalised per dimension across the N
 * samples, queries [M, D] per sample; outputs `values` and `indices` [M, k] of the k largest
 * dot products, largest first (lower index first on ties).
 */
export function knnGraph(dim: number, k: number): Uint8Array {
  const g = new GraphBuilder('knn');
  const train = g.input('train', 'float32', ['n', dim]);
  const queries = g.input('queries', 'float32', ['m', dim]);
  const eps = g.scalar(NORMALIZE_EPS);
  const trainNorm = g.op('Max', [g.op('ReduceL2', [train, g.int64s([0])], { keepdims: 1 }), eps]);
  const queryNorm = g.op('Max', [g.op('ReduceL2', [queries, g.int64s([1])], { keepdims: 1 }), eps]);
  const similarity = g.op(
    'Gemm',
    [g.op('Div', [queries, queryNorm]), g.op('Div', [train, trainNorm])],
    { transB: 1 },
  );
  const [values, indices] = g.opMulti('TopK', [similarity, g.int64s([k])], 2, {
    axis: 1,
    largest: 1,
    sorted: 1,
  });
  g.output(values as string, 'float32', ['m', k], 'values');
  g.output(indices as string, 'int64', ['m', k], 'indices');
  return g.toModel();
}

/**
 * The Track A head of clip and frame tasks: LayerNorm(D) + Linear(D, C) on rows [N, D] (one row
 * per clip, or per frame for frame-level tasks), trained under cross-entropy or
 * BCE-with-logits with an optional scalar pos_weight.
 */
import { GraphBuilder } from '../../onnx/graph-builder.ts';
import {
  adamUpdate,
  layerNorm,
  layerNormLinearGradients,
  parameterInputs,
  type ParameterSpec,
} from './common.ts';

export type ProbeLoss = 'cross_entropy' | 'bce';

/** The probe's parameters, in the order of the train step's inputs and outputs. */
export function probeParameters(dim: number, classes: number): ParameterSpec[] {
  return [
    { name: 'gamma', dims: [dim] },
    { name: 'beta', dims: [dim] },
    { name: 'weight', dims: [dim, classes] },
    { name: 'bias', dims: [classes] },
  ];
}

function linearLogits(g: GraphBuilder, x: string, p: Record<string, string>) {
  const { h, xhat } = layerNorm(g, x, p['gamma'] as string, p['beta'] as string);
  return { h, xhat, logits: g.op('Gemm', [h, p['weight'] as string, p['bias'] as string]) };
}

export function probeForwardGraph(dim: number, classes: number): Uint8Array {
  const g = new GraphBuilder('probe_forward');
  const x = g.input('x', 'float32', ['n', dim]);
  const p = parameterInputs(g, probeParameters(dim, classes));
  g.output(linearLogits(g, x, p).logits, 'float32', ['n', classes], 'logits');
  return g.toModel();
}

/**
 * One optimisation step. Inputs: x [B, D], targets [B, C] (one-hot for cross-entropy, 0/1 for
 * BCE), the parameters and the Adam state (see adamUpdate). Outputs: `loss` (the mean PyTorch
 * reports), then the updated parameters and moments.
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
  const specs = probeParameters(dim, classes);
  const p = parameterInputs(g, specs);
  const { h, xhat, logits } = linearLogits(g, x, p);
  const batch = g.op('Cast', [g.op('Shape', [x], { start: 0, end: 1 })], { to: 1 });
  const classAxis = g.int64s([1]);

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
  g.output(lossValue, 'float32', [], 'loss');
  const gradients = layerNormLinearGradients(g, {
    h,
    xhat,
    weight: p['weight'] as string,
    dLogits,
  });
  adamUpdate(g, specs, p, gradients);
  return g.toModel();
}

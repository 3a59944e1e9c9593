/**
 * The Track A head of clip and frame tasks: LayerNorm(D) + Linear(D, C) on rows [N, D] (one row
 * per clip, or per frame for frame-level tasks), trained under cross-entropy or
 * BCE-with-logits with an optional scalar pos_weight.
 */
import { GraphBuilder } from '../../onnx/graph-builder.ts';
import {
  adamStep,
  adamUpdate,
  layerNorm,
  momentInputs,
  type AdamUpdated,
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

/** The loss of one mini-batch and the gradients of the parameters, from x [B, D] and targets [B, C]. */
function probeLossAndGradients(
  g: GraphBuilder,
  x: string,
  targets: string,
  p: Record<string, string>,
  classes: number,
  loss: ProbeLoss,
  posWeight: number,
): { loss: string; gradients: Record<string, string> } {
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
  const gradients = layerNormLinearGradients(g, {
    h,
    xhat,
    weight: p['weight'] as string,
    dLogits,
  });
  return { loss: lossValue, gradients };
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
  const step = probeLossAndGradients(g, x, targets, p, classes, loss, posWeight);
  g.output(step.loss, 'float32', [], 'loss');
  adamUpdate(g, specs, p, step.gradients);
  return g.toModel();
}

/**
 * K optimisation steps in one call, exactly as K calls of the single step: an ONNX Loop whose
 * body is the same step, carrying the parameters and moments. Inputs: `x` [K, B, D],
 * `targets` [K, B, C], `step_size` and `bias_correction2_sqrt` [K] (one per step), the
 * parameters and moments; outputs: `loss` [K], then the parameters and moments after the K
 * steps. onnxruntime-node copies every output into a new JavaScript buffer, about a
 * millisecond per 4 MB weight or moment; one call per K steps pays that once instead of K times.
 */
export function probeTrainStepsGraph(
  dim: number,
  classes: number,
  loss: ProbeLoss,
  posWeight = 1,
): Uint8Array {
  const g = new GraphBuilder('probe_train_steps');
  const xs = g.input('x', 'float32', ['steps', 'batch', dim]);
  const targetSteps = g.input('targets', 'float32', ['steps', 'batch', classes]);
  const stepSizes = g.input('step_size', 'float32', ['steps']);
  const corrections = g.input('bias_correction2_sqrt', 'float32', ['steps']);
  const specs = probeParameters(dim, classes);
  const p = parameterInputs(g, specs);
  const moments = momentInputs(g, specs);

  const body = new GraphBuilder('probe_train_step_body', { prefix: 'step_' });
  const iteration = body.input('step_iteration', 'int64', []);
  const condition = body.input('step_condition', 'bool', []);
  const carried = (name: string, dims: readonly number[]) =>
    body.input(`step_${name}`, 'float32', dims);
  const bodyParameters: Record<string, string> = {};
  const bodyMoments: Record<string, { m: string; v: string }> = {};
  for (const { name, dims } of specs) {
    bodyParameters[name] = carried(name, dims);
    bodyMoments[name] = { m: carried(`m_${name}`, dims), v: carried(`v_${name}`, dims) };
  }
  // The body reads the iteration's slice of the outer inputs directly (ONNX outer scope).
  const pick = (value: string) => body.op('Gather', [value, iteration], { axis: 0 });
  const step = probeLossAndGradients(
    body,
    pick(xs),
    pick(targetSteps),
    bodyParameters,
    classes,
    loss,
    posWeight,
  );
  const updated = adamStep(body, specs, {
    parameters: bodyParameters,
    gradients: step.gradients,
    moments: bodyMoments,
    stepSize: pick(stepSizes),
    correction2: pick(corrections),
  });
  body.output(body.op('Identity', [condition]), 'bool', []);
  for (const { name, dims } of specs) {
    const { parameter, m, v } = updated[name] as AdamUpdated;
    body.output(parameter, 'float32', dims);
    body.output(m, 'float32', dims);
    body.output(v, 'float32', dims);
  }
  body.output(step.loss, 'float32', []);

  const initial = specs.flatMap(({ name }) => {
    const { m, v } = moments[name] as { m: string; v: string };
    return [p[name] as string, m, v];
  });
  const steps = g.op('Squeeze', [g.op('Shape', [stepSizes]), g.int64s([0])]);
  const outputs = g.opMulti('Loop', [steps, '', ...initial], initial.length + 1, {
    body: { graph: body },
  });
  for (const [i, { name, dims }] of specs.entries()) {
    g.output(outputs[3 * i] as string, 'float32', dims, `new_${name}`);
    g.output(outputs[3 * i + 1] as string, 'float32', dims, `new_m_${name}`);
    g.output(outputs[3 * i + 2] as string, 'float32', dims, `new_v_${name}`);
  }
  g.output(outputs[initial.length] as string, 'float32', ['steps'], 'loss');
  return g.toModel();
}

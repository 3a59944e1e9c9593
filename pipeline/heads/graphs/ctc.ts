/**
 * Train step of the speech-recognition head: LayerNorm + Linear from each frame embedding to
 * character logits, trained under CTC (torch.nn.CTCLoss semantics: blank 0, reduction "mean",
 * which divides each utterance's loss by its target length clamped to 1 and averages over the
 * batch; zero_infinity, so an utterance with no valid alignment adds nothing).
 *
 * The CTC forward-backward recursions run inside the graph as two Scan loops over time in the
 * log domain; the gradient with respect to the logits is
 *   softmax(z)_{t,k} - sum_{s: l'_s = k} exp(alpha_t(s) + beta_t(s) - e_t(s) - log P)
 * where l' is the target with blanks around every label, e_t(s) = log softmax(z_t)(l'_s), and
 * alpha and beta both include the emission at t.
 *
 * Inputs prepared by the caller (see ctc-head.ts), for a batch of B utterances padded to T
 * frames and S = 2 * (longest target) + 1 positions:
 *   x [B, T, D]; frame_valid [T, B] (bool); extended [B, S] (int64 l', blank-padded);
 *   position_valid [B, S] (bool); skip [B, S] (0 where the transition s-2 -> s is allowed,
 *   -inf elsewhere); alpha_init [B, S] (0 at s = 0); beta_init [B, S] (0 at s = S_b - 1);
 *   loss_scale [B] (1 / (max(L_b, 1) * B)).
 */
import { GraphBuilder } from '../../onnx/graph-builder.ts';
import { probeParameters } from './probe.ts';
import {
  adamUpdate,
  layerNorm,
  layerNormLinearGradients,
  logSumExp,
  parameterInputs,
  rows,
} from './common.ts';

/** Shift [B, S] along S by `by` positions (positive: towards higher s), filling with -inf. */
function shift(g: GraphBuilder, value: string, by: number): string {
  const big = 2 ** 31 - 1;
  const sliced =
    by > 0
      ? g.op('Slice', [value, g.int64s([0]), g.int64s([-by]), g.int64s([1])])
      : g.op('Slice', [value, g.int64s([-by]), g.int64s([big]), g.int64s([1])]);
  const pads = by > 0 ? [0, by, 0, 0] : [0, 0, 0, -by];
  return g.op('Pad', [sliced, g.int64s(pads), g.scalar(-Infinity)]);
}

/** The body of one CTC recursion step: the new state from the previous one and e_t. */
function recursionBody(
  name: string,
  skip: string,
  direction: 'forward' | 'backward',
): GraphBuilder {
  const body = new GraphBuilder(name, { prefix: `${name}_` });
  const previous = body.input(`${name}_state`, 'float32', ['b', 's']);
  const emission = body.input(`${name}_emission`, 'float32', ['b', 's']);
  const valid = body.input(`${name}_valid`, 'bool', ['b']);
  const neighbours =
    direction === 'forward'
      ? [previous, shift(body, previous, 1), body.op('Add', [shift(body, previous, 2), skip])]
      : [
          previous,
          shift(body, previous, -1),
          // The skip into s + 2 is allowed by the label at s + 2: shift the sum, not the mask.
          shift(body, body.op('Add', [previous, skip]), -2),
        ];
  const updated = body.op('Add', [logSumExp(body, neighbours), emission]);
  const state = body.op('Where', [
    body.op('Unsqueeze', [valid, body.int64s([1])]),
    updated,
    previous,
  ]);
  body.output(state, 'float32', ['b', 's']);
  body.output(body.op('Identity', [state]), 'float32', ['b', 's']);
  return body;
}

export function ctcTrainStepGraph(dim: number, vocabulary: number): Uint8Array {
  const g = new GraphBuilder('ctc_train_step');
  const x = g.input('x', 'float32', ['b', 't', dim]);
  const frameValid = g.input('frame_valid', 'bool', ['t', 'b']);
  const extended = g.input('extended', 'int64', ['b', 's']);
  const positionValid = g.input('position_valid', 'bool', ['b', 's']);
  const skip = g.input('skip', 'float32', ['b', 's']);
  const alphaInit = g.input('alpha_init', 'float32', ['b', 's']);
  const betaInit = g.input('beta_init', 'float32', ['b', 's']);
  const lossScale = g.input('loss_scale', 'float32', ['b']);
  const specs = probeParameters(dim, vocabulary);
  const p = parameterInputs(g, specs);

  // LayerNorm + Linear on every frame, as rows.
  const flat = rows(g, x, dim);
  const { h, xhat } = layerNorm(g, flat, p['gamma'] as string, p['beta'] as string);
  const logitRows = g.op('Gemm', [h, p['weight'] as string, p['bias'] as string]);
  const batchAndTime = g.op('Shape', [x], { start: 0, end: 2 });
  const logits = g.op('Reshape', [
    logitRows,
    g.op('Concat', [batchAndTime, g.int64s([vocabulary])], { axis: 0 }),
  ]);
  const logProbabilities = g.op('LogSoftmax', [logits], { axis: -1 });

  // e[b, t, s] = log p_t(l'_s), -inf at padded positions; then time-major for the scans.
  const gatherShape = g.op(
    'Concat',
    [batchAndTime, g.op('Shape', [extended], { start: 1, end: 2 })],
    { axis: 0 },
  );
  const indices = g.op('Expand', [g.op('Unsqueeze', [extended, g.int64s([1])]), gatherShape]);
  const emissions = g.op('Where', [
    g.op('Unsqueeze', [positionValid, g.int64s([1])]),
    g.op('GatherElements', [logProbabilities, indices], { axis: 2 }),
    g.scalar(-Infinity),
  ]);
  const emissionsByTime = g.op('Transpose', [emissions], { perm: [1, 0, 2] });

  const [, alphas] = g.opMulti('Scan', [alphaInit, emissionsByTime, frameValid], 2, {
    body: { graph: recursionBody('alpha', skip, 'forward') },
    num_scan_inputs: 2,
  });
  const [, betas] = g.opMulti('Scan', [betaInit, emissionsByTime, frameValid], 2, {
    body: { graph: recursionBody('beta', skip, 'backward') },
    num_scan_inputs: 2,
    scan_input_directions: [1, 1],
    scan_output_directions: [1],
  });

  // log P(l | x) from the start of the backward recursion: lse(beta_0(0), beta_0(1)).
  const firstBeta = g.op('Gather', [betas as string, g.int64s([0])], { axis: 0 });
  const logLikelihood = g.op('Reshape', [
    logSumExp(g, [
      g.op('Slice', [firstBeta, g.int64s([0]), g.int64s([1]), g.int64s([2])]),
      g.op('Slice', [firstBeta, g.int64s([1]), g.int64s([2]), g.int64s([2])]),
    ]),
    g.int64s([-1]),
  ]);
  const feasible = g.op('Not', [g.op('IsInf', [logLikelihood])]);
  const feasibleFloat = g.op('Cast', [feasible], { to: 1 });

  const occupancyLog = g.op('Sub', [
    g.op('Sub', [g.op('Add', [alphas as string, betas as string]), emissionsByTime]),
    g.op('Unsqueeze', [logLikelihood, g.int64s([0, 2])]),
  ]);
  const counted = g.op('And', [
    g.op('And', [
      g.op('Unsqueeze', [frameValid, g.int64s([2])]),
      g.op('Unsqueeze', [positionValid, g.int64s([0])]),
    ]),
    g.op('Unsqueeze', [feasible, g.int64s([0, 2])]),
  ]);
  const occupancy = g.op(
    'Transpose',
    [g.op('Where', [counted, g.op('Exp', [occupancyLog]), g.scalar(0)])],
    { perm: [1, 0, 2] },
  );
  const oneHot = g.op('OneHot', [
    extended,
    g.int64s([vocabulary]),
    g.constant(Float32Array.of(0, 1), [2]),
  ]);
  const classOccupancy = g.op('MatMul', [occupancy, oneHot]);
  const frameWeight = g.op('Mul', [
    g.op('Cast', [g.op('Transpose', [frameValid], { perm: [1, 0] })], { to: 1 }),
    g.op('Unsqueeze', [g.op('Mul', [lossScale, feasibleFloat]), g.int64s([1])]),
  ]);
  const dLogits = g.op('Mul', [
    g.op('Sub', [g.op('Softmax', [logits], { axis: -1 }), classOccupancy]),
    g.op('Unsqueeze', [frameWeight, g.int64s([2])]),
  ]);
  const loss = g.op(
    'ReduceSum',
    [
      g.op('Mul', [
        g.op('Where', [feasible, g.op('Neg', [logLikelihood]), g.scalar(0)]),
        lossScale,
      ]),
    ],
    { keepdims: 0 },
  );
  g.output(loss, 'float32', [], 'loss');
  g.output(feasibleFloat, 'float32', ['b'], 'feasible');
  const gradients = layerNormLinearGradients(g, {
    h,
    xhat,
    weight: p['weight'] as string,
    dLogits: rows(g, dLogits, vocabulary),
  });
  adamUpdate(g, specs, p, gradients);
  return g.toModel();
}

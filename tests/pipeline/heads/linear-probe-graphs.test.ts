/**
 * The linear probe's ONNX training graphs against an independent float64 reading of PyTorch:
 * the loss, its exact gradient, the Adam update, and the multi-step graph against single steps.
 */
import { describe, expect, it } from 'vitest';
import { ADAM } from '../../../pipeline/heads/graphs/common.ts';
import {
  probeTrainStepGraph,
  probeTrainStepsGraph,
  type ProbeLoss,
} from '../../../pipeline/heads/graphs/probe.ts';
import { OrtSession } from '../../../pipeline/runtime/ort.ts';
import { SeededRandom } from '../../../pipeline/util/random.ts';

const DIM = 5;
const CLASSES = 3;
const BATCH = 4;

const PROBE_PARAMETERS = ['gamma', 'beta', 'weight', 'bias'] as const;
type Params = Record<(typeof PROBE_PARAMETERS)[number], Float64Array>;

/** Independent float64 loss of LayerNorm(eps 1e-5) + Linear, averaged as PyTorch does. */
function referenceLoss(
  x: Float64Array,
  targets: Float64Array,
  p: Params,
  loss: ProbeLoss,
  posWeight: number,
): number {
  let total = 0;
  for (let b = 0; b < BATCH; b++) {
    const row = Array.from(x.subarray(b * DIM, (b + 1) * DIM));
    const mean = row.reduce((a, v) => a + v, 0) / DIM;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / DIM;
    const h = row.map(
      (v, d) =>
        ((v - mean) / Math.sqrt(variance + 1e-5)) * (p.gamma[d] as number) + (p.beta[d] as number),
    );
    const z = Array.from({ length: CLASSES }, (_, c) =>
      h.reduce((a, hv, d) => a + hv * (p.weight[d * CLASSES + c] as number), p.bias[c] as number),
    );
    const y = Array.from(targets.subarray(b * CLASSES, (b + 1) * CLASSES));
    if (loss === 'cross_entropy') {
      const max = Math.max(...z);
      const logSum = max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
      total += z.reduce((a, v, c) => a - (y[c] as number) * (v - logSum), 0);
    } else {
      const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
      total +=
        z.reduce(
          (a, v, c) =>
            a -
            (posWeight * (y[c] as number) * Math.log(sigmoid(v)) +
              (1 - (y[c] as number)) * Math.log(1 - sigmoid(v))),
          0,
        ) / CLASSES;
    }
  }
  return total / BATCH;
}

function randomParams(rng: SeededRandom): Params {
  const vector = (n: number, scale: number, offset = 0) =>
    Float64Array.from({ length: n }, () => offset + scale * rng.normal());
  return {
    gamma: vector(DIM, 0.3, 1),
    beta: vector(DIM, 0.3),
    weight: vector(DIM * CLASSES, 0.5),
    bias: vector(CLASSES, 0.3),
  };
}

const dims = (name: string) =>
  name === 'weight' ? [DIM, CLASSES] : name === 'bias' ? [CLASSES] : [DIM];

async function runStep(
  session: OrtSession,
  x: Float64Array,
  targets: Float64Array,
  p: Params,
  moments: Record<string, Float64Array>,
  stepSize: number,
  correction2: number,
) {
  const feeds: Record<string, { data: Float32Array; dims: number[] }> = {
    x: { data: Float32Array.from(x), dims: [BATCH, DIM] },
    targets: { data: Float32Array.from(targets), dims: [BATCH, CLASSES] },
    step_size: { data: Float32Array.of(stepSize), dims: [] },
    bias_correction2_sqrt: { data: Float32Array.of(correction2), dims: [] },
  };
  for (const name of PROBE_PARAMETERS) {
    feeds[name] = { data: Float32Array.from(p[name]), dims: dims(name) };
    feeds[`m_${name}`] = {
      data: Float32Array.from(moments[`m_${name}`] ?? new Float64Array(p[name].length)),
      dims: dims(name),
    };
    feeds[`v_${name}`] = {
      data: Float32Array.from(moments[`v_${name}`] ?? new Float64Array(p[name].length)),
      dims: dims(name),
    };
  }
  return session.run(feeds);
}

describe.each([
  ['cross_entropy', 1],
  ['bce', 3],
] as const)('train step graph (%s, pos_weight %d)', (loss, posWeight) => {
  const rng = new SeededRandom(1, `train-step-${loss}`);
  const x = Float64Array.from({ length: BATCH * DIM }, () => 2 * rng.normal() + 0.5);
  const targets = new Float64Array(BATCH * CLASSES);
  for (let b = 0; b < BATCH; b++) {
    if (loss === 'cross_entropy') {
      targets[b * CLASSES + (b % CLASSES)] = 1;
    } else {
      for (let c = 0; c < CLASSES; c++) {
        targets[b * CLASSES + c] = (b + c) % 2;
      }
    }
  }
  const params = randomParams(rng);
  let session: OrtSession;

  it('outputs the loss and, through the first Adam moment, the exact gradient (checked by central differences)', async () => {
    session = await OrtSession.create(probeTrainStepGraph(DIM, CLASSES, loss, posWeight), {
      label: 'step',
    });
    const outputs = await runStep(session, x, targets, params, {}, 0, 1);
    expect(outputs['loss']?.data[0]).toBeCloseTo(
      referenceLoss(x, targets, params, loss, posWeight),
      5,
    );
    for (const name of PROBE_PARAMETERS) {
      // With zero moments, m' = (1 - beta1) g.
      const gradient = Array.from(
        outputs[`new_m_${name}`]?.data ?? [],
        (m) => m / (1 - ADAM.beta1),
      );
      params[name].forEach((value, i) => {
        const h = 1e-6;
        const plus = {
          ...params,
          [name]: Float64Array.from(params[name], (v, j) => (j === i ? value + h : v)),
        };
        const minus = {
          ...params,
          [name]: Float64Array.from(params[name], (v, j) => (j === i ? value - h : v)),
        };
        const numeric =
          (referenceLoss(x, targets, plus, loss, posWeight) -
            referenceLoss(x, targets, minus, loss, posWeight)) /
          (2 * h);
        expect(Math.abs((gradient[i] as number) - numeric), `${name}[${i}]`).toBeLessThan(
          2e-5 + 2e-4 * Math.abs(numeric),
        );
      });
    }
  });

  it('applies the torch.optim.Adam update at step 3', async () => {
    const moments: Record<string, Float64Array> = {};
    for (const name of PROBE_PARAMETERS) {
      moments[`m_${name}`] = Float64Array.from(params[name], () => 0.01 * rng.normal());
      moments[`v_${name}`] = Float64Array.from(params[name], () => 1e-4 * Math.abs(rng.normal()));
    }
    const gradientRun = await runStep(session, x, targets, params, {}, 0, 1);
    const lr = 0.01;
    const t = 3;
    const outputs = await runStep(
      session,
      x,
      targets,
      params,
      moments,
      lr / (1 - ADAM.beta1 ** t),
      Math.sqrt(1 - ADAM.beta2 ** t),
    );
    for (const name of PROBE_PARAMETERS) {
      params[name].forEach((value, i) => {
        const g = (gradientRun[`new_m_${name}`]?.data[i] ?? 0) / (1 - ADAM.beta1);
        const m = ADAM.beta1 * (moments[`m_${name}`]?.[i] as number) + (1 - ADAM.beta1) * g;
        const v = ADAM.beta2 * (moments[`v_${name}`]?.[i] as number) + (1 - ADAM.beta2) * g * g;
        const expected =
          value -
          (lr / (1 - ADAM.beta1 ** t)) *
            (m / (Math.sqrt(v) / Math.sqrt(1 - ADAM.beta2 ** t) + ADAM.eps));
        expect(outputs[`new_${name}`]?.data[i]).toBeCloseTo(expected, 5);
        expect(outputs[`new_m_${name}`]?.data[i]).toBeCloseTo(m, 6);
        expect(outputs[`new_v_${name}`]?.data[i]).toBeCloseTo(v, 8);
      });
    }
    await session.release();
  });
});

describe.each([
  ['cross_entropy', 1],
  ['bce', 3],
] as const)('multi-step train graph (%s, pos_weight %d)', (loss, posWeight) => {
  const steps = 5;
  const rng = new SeededRandom(3, `multi-step-${loss}`);
  const xs = Float32Array.from({ length: steps * BATCH * DIM }, () => 2 * rng.normal() + 0.5);
  const targets = Float32Array.from({ length: steps * BATCH * CLASSES }, (_, i) =>
    loss === 'cross_entropy' ? Number(i % CLASSES === Math.floor(i / CLASSES) % CLASSES) : i % 2,
  );
  const scalars = (t: number) => ({
    stepSize: 0.01 / (1 - ADAM.beta1 ** t),
    correction2: Math.sqrt(1 - ADAM.beta2 ** t),
  });

  it('gives bit for bit the losses, parameters and moments of as many single steps', async () => {
    const single = await OrtSession.create(probeTrainStepGraph(DIM, CLASSES, loss, posWeight), {
      label: 'single',
    });
    const multi = await OrtSession.create(probeTrainStepsGraph(DIM, CLASSES, loss, posWeight), {
      label: 'multi',
    });
    const initial = randomParams(rng);
    const state: Record<string, Float32Array> = {};
    for (const name of PROBE_PARAMETERS) {
      state[name] = Float32Array.from(initial[name]);
      state[`m_${name}`] = new Float32Array(initial[name].length);
      state[`v_${name}`] = new Float32Array(initial[name].length);
    }
    const stateFeeds = (values: Record<string, Float32Array>) =>
      Object.fromEntries(
        Object.entries(values).map(([name, data]) => [
          name,
          { data, dims: dims(name.replace(/^[mv]_/, '')) },
        ]),
      );
    let current = { ...state };
    const singleLosses: number[] = [];
    for (let t = 1; t <= steps; t++) {
      const { stepSize, correction2 } = scalars(t);
      const outputs = await single.run({
        ...stateFeeds(current),
        x: { data: xs.subarray((t - 1) * BATCH * DIM, t * BATCH * DIM), dims: [BATCH, DIM] },
        targets: {
          data: targets.subarray((t - 1) * BATCH * CLASSES, t * BATCH * CLASSES),
          dims: [BATCH, CLASSES],
        },
        step_size: { data: Float32Array.of(stepSize), dims: [] },
        bias_correction2_sqrt: { data: Float32Array.of(correction2), dims: [] },
      });
      singleLosses.push(outputs['loss']?.data[0] as number);
      current = Object.fromEntries(
        Object.keys(current).map((name) => [name, outputs[`new_${name}`]?.data as Float32Array]),
      );
    }
    const ts = Array.from({ length: steps }, (_, i) => scalars(i + 1));
    const outputs = await multi.run({
      ...stateFeeds(state),
      x: { data: xs, dims: [steps, BATCH, DIM] },
      targets: { data: targets, dims: [steps, BATCH, CLASSES] },
      step_size: { data: Float32Array.from(ts, (t) => t.stepSize), dims: [steps] },
      bias_correction2_sqrt: { data: Float32Array.from(ts, (t) => t.correction2), dims: [steps] },
    });
    expect(Array.from(outputs['loss']?.data ?? [])).toEqual(singleLosses);
    for (const name of Object.keys(current)) {
      expect(outputs[`new_${name}`]?.data, name).toEqual(current[name]);
    }
    expect(singleLosses[steps - 1]).not.toBe(singleLosses[0]);
    await single.release();
    await multi.release();
  });
});

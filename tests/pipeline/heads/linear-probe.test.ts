import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../pipeline/heads/engine.ts';
import { accuracyEvaluator } from '../../../pipeline/heads/evaluators.ts';
import { ADAM } from '../../../pipeline/heads/graphs/common.ts';
import {
  probeParameters,
  probeTrainStepGraph,
  probeTrainStepsGraph,
  type ProbeLoss,
} from '../../../pipeline/heads/graphs/probe.ts';
import {
  inMemorySource,
  initialParameters,
  singleRowItems,
  trainLinearProbe,
  type ProbeSource,
  type SplitEvaluator,
} from '../../../pipeline/heads/linear-probe.ts';
import {
  AdamState,
  cosineLearningRate,
  MULTI_STEP_BATCHES,
  runTrainingLoop,
  type TrainingBatch,
} from '../../../pipeline/heads/training.ts';
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

describe('runTrainingLoop with a multi-step graph', () => {
  it('trains exactly as single steps do, over runs, shape changes and partial batches', async () => {
    const rng = new SeededRandom(5, 'loop');
    // 2 * MULTI_STEP_BATCHES + 3 full batches, one of another size in the middle, and a partial one.
    const sizes = [
      ...Array.from({ length: MULTI_STEP_BATCHES + 2 }, () => BATCH),
      BATCH + 1,
      ...Array.from({ length: MULTI_STEP_BATCHES + 1 }, () => BATCH),
      2,
    ];
    const epochBatches: TrainingBatch[] = sizes.map((rows) => ({
      items: rows,
      feeds: {
        x: {
          data: Float32Array.from({ length: rows * DIM }, () => rng.normal()),
          dims: [rows, DIM],
        },
        targets: {
          data: Float32Array.from({ length: rows * CLASSES }, (_, i) =>
            Number(i % CLASSES === Math.floor(i / CLASSES) % CLASSES),
          ),
          dims: [rows, CLASSES],
        },
      },
    }));
    const step = await OrtSession.create(probeTrainStepGraph(DIM, CLASSES, 'cross_entropy'), {
      label: 'step',
    });
    const multiStep = await OrtSession.create(probeTrainStepsGraph(DIM, CLASSES, 'cross_entropy'), {
      label: 'steps',
    });
    const initial = initialParameters(DIM, CLASSES, new SeededRandom(1, 'init'));
    const train = (withMultiStep: boolean) => {
      let calls = 0;
      const counted = (session: OrtSession) =>
        ({
          run: (feeds: Parameters<OrtSession['run']>[0]) => {
            calls++;
            return session.run(feeds);
          },
        }) as unknown as OrtSession;
      return runTrainingLoop({
        epochs: 3,
        learningRate: 0.01,
        state: new AdamState(probeParameters(DIM, CLASSES), initial),
        step: counted(step),
        multiStep: withMultiStep ? counted(multiStep) : undefined,
        batches: () => epochBatches,
        validate: (parameters) => Promise.resolve(parameters['bias']?.[0] ?? 0),
      }).then((outcome) => ({ outcome, calls }));
    };
    const single = await train(false);
    const multi = await train(true);
    expect(multi.outcome).toEqual(single.outcome);
    expect(single.calls).toBe(3 * sizes.length);
    // Per epoch: 16 + (2) + 1 + 16 + (1) + 1 calls instead of 38.
    expect(multi.calls).toBe(3 * 6);
    await step.release();
    await multiStep.release();
  });
});

describe('cosineLearningRate (ignite CosineAnnealingScheduler, lr to 0.1 lr over the epochs)', () => {
  it('starts at lr and ends the last epoch still above 0.1 lr', () => {
    expect(cosineLearningRate(1e-3, 1, 10)).toBe(1e-3);
    // 1e-3 - 0.45e-3 * (1 - cos(0.9 pi)) = 1.22025e-4 (the protocol notes quote 1.22e-4).
    expect(cosineLearningRate(1e-3, 10, 10)).toBeCloseTo(1.22025e-4, 9);
    // Halfway: lr - 0.45 lr * (1 - cos(pi / 2)) = 0.55 lr.
    expect(cosineLearningRate(1e-3, 6, 10)).toBeCloseTo(5.5e-4, 12);
    expect(cosineLearningRate(1e-3, 1, 1)).toBe(1e-3);
  });
});

describe('initialParameters (PyTorch defaults)', () => {
  it('sets LayerNorm to identity and draws Linear weights in +-1/sqrt(D)', () => {
    const p = initialParameters(64, 10, new SeededRandom(42, 'init'));
    expect(p.gamma.every((v) => v === 1) && p.beta.every((v) => v === 0)).toBe(true);
    const bound = 1 / 8;
    expect(
      p.weight.every((v) => Math.abs(v) <= bound) && p.bias.every((v) => Math.abs(v) <= bound),
    ).toBe(true);
    expect(Math.max(...p.weight)).toBeGreaterThan(0.9 * bound);
  });
});

function clusters(count: number, seed: string, spread: number): ProbeSource {
  const rng = new SeededRandom(3, seed);
  const centres = [
    [3, 0, 0, 1],
    [0, 3, 0, -1],
    [0, 0, 3, 0],
  ];
  const x = new Float32Array(count * 4);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 3;
    labels[i] = label;
    for (let d = 0; d < 4; d++) {
      x[i * 4 + d] = (centres[label]?.[d] as number) + spread * rng.normal();
    }
  }
  return inMemorySource(4, {
    x,
    itemRows: singleRowItems(count),
    targets: { kind: 'class', labels },
  });
}

/** An evaluator that returns scripted validation scores and records the logits it sees. */
function scriptedEvaluator(
  scripted: readonly number[],
  calls: Float32Array[],
): () => SplitEvaluator {
  return () => {
    let logits = new Float32Array();
    return {
      add(_block, blockLogits) {
        logits = Float32Array.from(blockLogits);
      },
      finish() {
        calls.push(logits);
        const score = scripted[calls.length - 1] ?? 0.123;
        return { score, items: 1, replicate: () => score };
      },
    };
  };
}

describe('trainLinearProbe', () => {
  const engine = new Engine({ intraOpThreads: 1 });
  afterAll(() => engine.release());
  const recipe = { epochs: 6, learningRate: 0.05, batchSize: 8, loss: 'cross_entropy' as const };

  it('learns separable clusters', async () => {
    const result = await trainLinearProbe(engine, {
      train: clusters(90, 'train', 0.5),
      valid: clusters(30, 'valid', 0.5),
      test: clusters(30, 'test', 0.5),
      classes: 3,
      recipe,
      evaluator: () => accuracyEvaluator(3),
      seed: 42,
      streamLabel: 'clusters',
    });
    expect(result.test.score).toBeGreaterThan(0.95);
    expect(result.test.items).toBe(30);
    expect(result.trainLosses[5]).toBeLessThan(result.trainLosses[0] as number);
  });

  it('keeps the first epoch with the best validation score and scores test once with it', async () => {
    const scripted = [0.5, 0.7, 0.6, 0.7, 0.65, 0.2];
    const calls: Float32Array[] = [];
    const data = clusters(30, 'same', 1);
    const result = await trainLinearProbe(engine, {
      train: data,
      valid: data,
      test: data,
      classes: 3,
      recipe,
      evaluator: scriptedEvaluator(scripted, calls),
      seed: 42,
      streamLabel: 'scripted',
    });
    expect(result.validScores).toEqual(scripted);
    expect(result.bestEpoch).toBe(2);
    expect(result.validScore).toBe(0.7);
    expect(calls).toHaveLength(7);
    expect(result.test.score).toBe(0.123);
    // Valid and test are the same data here, so the test logits are epoch 2's validation logits.
    expect(calls[6]).toEqual(calls[1]);
  });

  it('is deterministic for a seed and changes with it', async () => {
    const run = (seed: number) =>
      trainLinearProbe(engine, {
        train: clusters(60, 't', 2),
        valid: clusters(30, 'v', 2),
        test: clusters(30, 'x', 2),
        classes: 3,
        recipe,
        evaluator: () => accuracyEvaluator(3),
        seed,
        streamLabel: 'det',
      });
    const [a, b, c] = await Promise.all([run(42), run(42), run(7)]);
    expect(a.trainLosses).toEqual(b.trainLosses);
    expect(a.trainLosses).not.toEqual(c.trainLosses);
  });
});

/**
 * The probe's training loop and its schedule: the multi-step graph trains exactly as single
 * steps do, the cosine learning rate, and PyTorch's initial parameters.
 */
import { describe, expect, it } from 'vitest';
import {
  probeParameters,
  probeTrainStepGraph,
  probeTrainStepsGraph,
} from '../../../pipeline/heads/graphs/probe.ts';
import { initialParameters } from '../../../pipeline/heads/linear-probe.ts';
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

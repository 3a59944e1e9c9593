/**
 * trainLinearProbe end to end: it learns separable clusters, keeps the best validation epoch and
 * scores test once with it, and is deterministic for a seed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../pipeline/heads/engine.ts';
import { accuracyEvaluator } from '../../../pipeline/heads/evaluators.ts';
import {
  inMemorySource,
  singleRowItems,
  trainLinearProbe,
  type ProbeSource,
  type SplitEvaluator,
} from '../../../pipeline/heads/linear-probe.ts';
import { SeededRandom } from '../../../pipeline/util/random.ts';

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

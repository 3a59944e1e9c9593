import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../pipeline/heads/engine.ts';
import { knnScores, softmaxVote } from '../../../pipeline/heads/knn.ts';
import type { LabelledEmbeddings } from '../../../pipeline/heads/knn.ts';
import { SeededRandom } from '../../../pipeline/util/random.ts';

/**
 * Reference written from the X-ARES definition (trainer.py::KNN), in float64 plain loops:
 * train columns divided by their L2 norm over the training samples, queries by their own L2
 * norm, dot products, the 10 largest (lower index first on ties), softmax(sim / 0.07) vote.
 */
function referenceScores(
  train: LabelledEmbeddings,
  test: LabelledEmbeddings,
  classes: number,
): Float64Array {
  const { dim } = train;
  const k = Math.min(10, train.count);
  const columnNorms = Array.from({ length: dim }, (_, d) => {
    let sum = 0;
    for (let n = 0; n < train.count; n++) {
      sum += (train.embeddings[n * dim + d] as number) ** 2;
    }
    return Math.max(Math.sqrt(sum), 1e-12);
  });
  const scores = new Float64Array(test.count * classes);
  for (let q = 0; q < test.count; q++) {
    const query = Array.from(test.embeddings.subarray(q * dim, (q + 1) * dim));
    const norm = Math.max(Math.sqrt(query.reduce((a, v) => a + v * v, 0)), 1e-12);
    const sims = Array.from({ length: train.count }, (_, n) => ({
      n,
      sim: query.reduce(
        (a, v, d) =>
          a + (v / norm) * ((train.embeddings[n * dim + d] as number) / (columnNorms[d] as number)),
        0,
      ),
    }));
    sims.sort((a, b) => b.sim - a.sim || a.n - b.n);
    const top = sims.slice(0, k);
    const exps = top.map(({ sim }) => Math.exp(sim / 0.07));
    const total = exps.reduce((a, v) => a + v, 0);
    top.forEach(({ n }, j) => {
      const index = q * classes + (train.labels[n] as number);
      scores[index] = (scores[index] as number) + (exps[j] as number) / total;
    });
  }
  return scores;
}

function randomSet(count: number, dim: number, classes: number, label: string): LabelledEmbeddings {
  const rng = new SeededRandom(5, label);
  const labels = Int32Array.from({ length: count }, () => rng.int(0, classes - 1));
  // Per-dimension scales differ a lot, so the X-ARES column normalisation matters.
  const embeddings = Float32Array.from(
    { length: count * dim },
    (_, i) => (labels[Math.floor(i / dim)] as number) * 0.3 + rng.normal() * (1 + (i % dim)),
  );
  return { count, dim, embeddings, labels };
}

describe('knnScores (X-ARES Track B)', () => {
  const engine = new Engine({ intraOpThreads: 1 });
  afterAll(() => engine.release());

  it('matches a plain float64 implementation of the X-ARES definition', async () => {
    const train = randomSet(200, 12, 4, 'train');
    const test = randomSet(50, 12, 4, 'test');
    const got = await knnScores(engine, train, test, 4);
    const expected = referenceScores(train, test, 4);
    for (let i = 0; i < expected.length; i++) {
      expect(Math.abs((got[i] as number) - (expected[i] as number))).toBeLessThan(1e-4);
    }
  });

  it('uses every training sample when there are fewer than k', async () => {
    const train = randomSet(4, 3, 2, 'few');
    const test = randomSet(5, 3, 2, 'few-test');
    const got = await knnScores(engine, train, test, 2);
    const expected = referenceScores(train, test, 2);
    for (let i = 0; i < expected.length; i++) {
      expect(got[i]).toBeCloseTo(expected[i] as number, 4);
    }
  });

  it('computes a hand-checked two-neighbour vote', async () => {
    // Train [3, 0] (class 0) and [0, 4] (class 1): column norms 3 and 4, so both become unit
    // vectors. Query [2, 1] has unit vector [0.8944, 0.4472]: similarities 0.8944 and 0.4472, and
    // softmax weights 1 / (1 + exp(-(0.8944 - 0.4472) / 0.07)) = 0.998321 and 0.001679.
    const train = {
      count: 2,
      dim: 2,
      embeddings: Float32Array.of(3, 0, 0, 4),
      labels: Int32Array.of(0, 1),
    };
    const test = { count: 1, dim: 2, embeddings: Float32Array.of(2, 1), labels: Int32Array.of(0) };
    const got = await knnScores(engine, train, test, 2);
    expect(got[0]).toBeCloseTo(0.998321, 5);
    expect(got[1]).toBeCloseTo(0.001679, 5);
  });
});

describe('softmaxVote', () => {
  it('adds the weights of neighbours that share a class', () => {
    // Equal similarities: three neighbours get 1/3 each; classes 0, 1, 0.
    const scores = softmaxVote(
      Float32Array.of(0.5, 0.5, 0.5),
      BigInt64Array.of(0n, 1n, 2n),
      3,
      Int32Array.of(0, 1, 0),
      2,
      0.07,
    );
    expect(scores[0]).toBeCloseTo(2 / 3, 12);
    expect(scores[1]).toBeCloseTo(1 / 3, 12);
  });
});

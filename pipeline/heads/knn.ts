/**
 * Track B: the X-ARES kNN classifier exactly as coded (`trainer.py::KNN`): the training matrix
 * L2-normalised per dimension across samples (not per vector), queries L2-normalised per
 * sample, dot-product similarity, the k = 10 most similar training samples, and a vote weighted
 * by softmax(similarity / 0.07). Always scored with accuracy; the validation split is not used.
 */
import { KNN_NEIGHBOURS, KNN_TEMPERATURE } from '../protocol.ts';
import type { Engine } from './engine.ts';
import { knnGraph, knnNormalizeTrainGraph } from './graphs/knn.ts';

/** Pooled embeddings [count, dim] with one class label each. */
export interface LabelledEmbeddings {
  readonly count: number;
  readonly dim: number;
  readonly embeddings: Float32Array;
  readonly labels: Int32Array;
}

/** Upper bound on the similarity block computed per call, in matrix elements. */
const MAX_BLOCK_ELEMENTS = 32 * 1024 * 1024;

/**
 * Class scores from the neighbours of each query: `values`/`indices` [m, k] as returned by the
 * graph. Returns [m, classes] row-major.
 */
export function softmaxVote(
  values: Float32Array,
  indices: BigInt64Array,
  k: number,
  trainLabels: Int32Array,
  classes: number,
  temperature: number,
): Float64Array {
  const m = values.length / k;
  const scores = new Float64Array(m * classes);
  const weights = new Float64Array(k);
  for (let q = 0; q < m; q++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      max = Math.max(max, (values[q * k + j] as number) / temperature);
    }
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const weight = Math.exp((values[q * k + j] as number) / temperature - max);
      weights[j] = weight;
      sum += weight;
    }
    for (let j = 0; j < k; j++) {
      const label = trainLabels[Number(indices[q * k + j])] as number;
      scores[q * classes + label] =
        (scores[q * classes + label] as number) + (weights[j] as number) / sum;
    }
  }
  return scores;
}

/** kNN class scores [test.count, classes] for every test vector. */
export async function knnScores(
  engine: Engine,
  train: LabelledEmbeddings,
  test: LabelledEmbeddings,
  classes: number,
): Promise<Float64Array> {
  const k = Math.min(KNN_NEIGHBOURS, train.count);
  const normalize = await engine.session(`knn-normalize/${train.dim}`, () =>
    knnNormalizeTrainGraph(train.dim),
  );
  // Normalised once, not per block of queries: at 100,000 x 768 that pass cost as much as a block.
  const normalized = (
    await normalize.run({ train: { data: train.embeddings, dims: [train.count, train.dim] } })
  )['normalized']?.data as Float32Array;
  const session = await engine.session(`knn/${train.dim}/${k}`, () => knnGraph(train.dim, k));
  const rowsPerBlock = Math.max(1, Math.floor(MAX_BLOCK_ELEMENTS / train.count));
  const scores = new Float64Array(test.count * classes);
  for (let start = 0; start < test.count; start += rowsPerBlock) {
    const end = Math.min(test.count, start + rowsPerBlock);
    const outputs = await session.runRaw({
      normalized_train: { data: normalized, dims: [train.count, train.dim] },
      queries: {
        data: test.embeddings.subarray(start * test.dim, end * test.dim),
        dims: [end - start, test.dim],
      },
    });
    const values = outputs['values']?.data as Float32Array;
    const indices = outputs['indices']?.data as BigInt64Array;
    scores.set(
      softmaxVote(values, indices, k, train.labels, classes, KNN_TEMPERATURE),
      start * classes,
    );
  }
  return scores;
}

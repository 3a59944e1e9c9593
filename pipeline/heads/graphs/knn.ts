/**
 * The X-ARES kNN as two graphs: the training matrix [N, D] L2-normalised per dimension across
 * the N samples (run once per split), then, per block of queries [M, D], the queries normalised
 * per sample and the `values` and `indices` [M, k] of the k largest dot products with the
 * normalised training matrix, largest first (lower index first on ties).
 */
import { GraphBuilder } from '../../onnx/graph-builder.ts';

/** torch.nn.functional.normalize default epsilon. */
const NORMALIZE_EPS = 1e-12;

export function knnNormalizeTrainGraph(dim: number): Uint8Array {
  const g = new GraphBuilder('knn_normalize_train');
  const train = g.input('train', 'float32', ['n', dim]);
  const norm = g.op('Max', [
    g.op('ReduceL2', [train, g.int64s([0])], { keepdims: 1 }),
    g.scalar(NORMALIZE_EPS),
  ]);
  g.output(g.op('Div', [train, norm]), 'float32', ['n', dim], 'normalized');
  return g.toModel();
}

export function knnGraph(dim: number, k: number): Uint8Array {
  const g = new GraphBuilder('knn');
  const train = g.input('normalized_train', 'float32', ['n', dim]);
  const queries = g.input('queries', 'float32', ['m', dim]);
  const queryNorm = g.op('Max', [
    g.op('ReduceL2', [queries, g.int64s([1])], { keepdims: 1 }),
    g.scalar(NORMALIZE_EPS),
  ]);
  const similarity = g.op('Gemm', [g.op('Div', [queries, queryNorm]), train], { transB: 1 });
  const [values, indices] = g.opMulti('TopK', [similarity, g.int64s([k])], 2, {
    axis: 1,
    largest: 1,
    sorted: 1,
  });
  g.output(values as string, 'float32', ['m', k], 'values');
  g.output(indices as string, 'int64', ['m', k], 'indices');
  return g.toModel();
}

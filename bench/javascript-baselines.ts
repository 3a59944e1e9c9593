/**
 * The heads written as plain JavaScript loops over typed arrays: the baselines the engine's
 * onnxruntime graphs are measured against. Same arithmetic as the graphs (X-ARES kNN; LayerNorm +
 * Linear under cross-entropy with Adam), cache-friendly loop order, no libraries.
 */
import type { LabelledEmbeddings } from '../pipeline/heads/knn.ts';

/** Top-10 similarities of each query, X-ARES normalisation. */
export function knnInJavaScript(
  train: LabelledEmbeddings,
  test: LabelledEmbeddings,
  queries = test.count,
): Float64Array {
  const { dim } = train;
  const columnNorm = new Float64Array(dim);
  for (let n = 0; n < train.count; n++) {
    for (let d = 0; d < dim; d++) {
      columnNorm[d] = (columnNorm[d] as number) + (train.embeddings[n * dim + d] as number) ** 2;
    }
  }
  const scale = Float64Array.from(columnNorm, (sum) => 1 / Math.max(Math.sqrt(sum), 1e-12));
  const scores = new Float64Array(queries * 10);
  const similarity = new Float64Array(train.count);
  const scaledQuery = new Float64Array(dim);
  for (let q = 0; q < queries; q++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      norm += (test.embeddings[q * dim + d] as number) ** 2;
    }
    const inverse = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let d = 0; d < dim; d++) {
      scaledQuery[d] = (test.embeddings[q * dim + d] as number) * (scale[d] as number) * inverse;
    }
    for (let n = 0; n < train.count; n++) {
      let dot = 0;
      const row = n * dim;
      for (let d = 0; d < dim; d++) {
        dot += (scaledQuery[d] as number) * (train.embeddings[row + d] as number);
      }
      similarity[n] = dot;
    }
    // Partial selection of the 10 largest (insertion into a sorted list of 10).
    const best = new Float64Array(10).fill(-Infinity);
    for (let n = 0; n < train.count; n++) {
      const value = similarity[n] as number;
      if (value > (best[9] as number)) {
        let j = 9;
        while (j > 0 && (best[j - 1] as number) < value) {
          best[j] = best[j - 1] as number;
          j -= 1;
        }
        best[j] = value;
      }
    }
    scores.set(best, q * 10);
  }
  return scores;
}

/** LayerNorm(D) + Linear(D, C) trained with cross-entropy and Adam, one step at a time. */
export class ProbeInJavaScript {
  readonly #dim: number;
  readonly #classes: number;
  readonly #parameters: Float32Array[];
  readonly #moments: Float32Array[];
  readonly #gradients: Float32Array[];
  #step = 0;

  constructor(dim: number, classes: number) {
    this.#dim = dim;
    this.#classes = classes;
    const sizes = [dim, dim, dim * classes, classes];
    this.#parameters = sizes.map((size) => new Float32Array(size));
    (this.#parameters[0] as Float32Array).fill(1);
    const weight = this.#parameters[2] as Float32Array;
    for (let i = 0; i < weight.length; i++) {
      weight[i] = (((i * 7919) % 1000) / 1000 - 0.5) / Math.sqrt(dim);
    }
    this.#moments = sizes.flatMap((size) => [new Float32Array(size), new Float32Array(size)]);
    this.#gradients = sizes.map((size) => new Float32Array(size));
  }

  /** gamma, beta, weight [D, C] and bias, as the engine's probe names them. */
  get parameters(): Record<'gamma' | 'beta' | 'weight' | 'bias', Float32Array> {
    const [gamma, beta, weight, bias] = this.#parameters as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    return { gamma, beta, weight, bias };
  }

  /** One Adam step on rows x [B, D] with class labels; returns the mean loss. */
  step(x: Float32Array, labels: Int32Array, learningRate: number): number {
    const dim = this.#dim;
    const classes = this.#classes;
    const rows = labels.length;
    const [gamma, beta, weight, bias] = this.#parameters as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    const [dGamma, dBeta, dWeight, dBias] = this.#gradients as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    for (const gradient of this.#gradients) {
      gradient.fill(0);
    }
    const xhat = new Float32Array(rows * dim);
    const h = new Float32Array(rows * dim);
    const logits = new Float32Array(rows * classes);
    let loss = 0;
    for (let b = 0; b < rows; b++) {
      let mean = 0;
      for (let d = 0; d < dim; d++) {
        mean += x[b * dim + d] as number;
      }
      mean /= dim;
      let variance = 0;
      for (let d = 0; d < dim; d++) {
        variance += ((x[b * dim + d] as number) - mean) ** 2;
      }
      const rstd = 1 / Math.sqrt(variance / dim + 1e-5);
      for (let d = 0; d < dim; d++) {
        const normalised = ((x[b * dim + d] as number) - mean) * rstd;
        xhat[b * dim + d] = normalised;
        h[b * dim + d] = normalised * (gamma[d] as number) + (beta[d] as number);
      }
      const out = b * classes;
      logits.set(bias, out);
      for (let d = 0; d < dim; d++) {
        const value = h[b * dim + d] as number;
        const row = d * classes;
        for (let c = 0; c < classes; c++) {
          logits[out + c] = (logits[out + c] as number) + value * (weight[row + c] as number);
        }
      }
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        max = Math.max(max, logits[out + c] as number);
      }
      let sum = 0;
      for (let c = 0; c < classes; c++) {
        sum += Math.exp((logits[out + c] as number) - max);
      }
      const label = labels[b] as number;
      loss += Math.log(sum) + max - (logits[out + label] as number);
      // logits become dLoss/dlogits = (softmax - onehot) / B
      for (let c = 0; c < classes; c++) {
        const p = Math.exp((logits[out + c] as number) - max) / sum;
        logits[out + c] = (p - (c === label ? 1 : 0)) / rows;
      }
    }
    for (let b = 0; b < rows; b++) {
      const out = b * classes;
      for (let c = 0; c < classes; c++) {
        dBias[c] = (dBias[c] as number) + (logits[out + c] as number);
      }
      for (let d = 0; d < dim; d++) {
        const value = h[b * dim + d] as number;
        const row = d * classes;
        let dH = 0;
        for (let c = 0; c < classes; c++) {
          const g = logits[out + c] as number;
          dWeight[row + c] = (dWeight[row + c] as number) + value * g;
          dH += g * (weight[row + c] as number);
        }
        dGamma[d] = (dGamma[d] as number) + dH * (xhat[b * dim + d] as number);
        dBeta[d] = (dBeta[d] as number) + dH;
      }
    }
    this.#step += 1;
    const stepSize = learningRate / (1 - 0.9 ** this.#step);
    const correction2 = Math.sqrt(1 - 0.999 ** this.#step);
    this.#parameters.forEach((parameter, p) => {
      const gradient = this.#gradients[p] as Float32Array;
      const m = this.#moments[2 * p] as Float32Array;
      const v = this.#moments[2 * p + 1] as Float32Array;
      for (let i = 0; i < parameter.length; i++) {
        const g = gradient[i] as number;
        const mi = 0.9 * (m[i] as number) + 0.1 * g;
        const vi = 0.999 * (v[i] as number) + 0.001 * g * g;
        m[i] = mi;
        v[i] = vi;
        parameter[i] =
          (parameter[i] as number) - (stepSize * mi) / (Math.sqrt(vi) / correction2 + 1e-8);
      }
    });
    return loss / rows;
  }
}

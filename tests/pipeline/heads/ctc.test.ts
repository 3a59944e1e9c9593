import { afterAll, describe, expect, it } from 'vitest';
import {
  CTC_VOCABULARY,
  ctcBatchFeeds,
  encodeTranscript,
  greedyDecode,
  type CtcUtterance,
} from '../../../pipeline/heads/ctc-head.ts';
import { ctcTrainStepGraph } from '../../../pipeline/heads/graphs/ctc.ts';
import { ADAM } from '../../../pipeline/heads/graphs/common.ts';
import { probeParameters } from '../../../pipeline/heads/graphs/probe.ts';
import { OrtSession } from '../../../pipeline/runtime/ort.ts';
import { SeededRandom } from '../../../pipeline/util/random.ts';
import { bruteForceCtcLoss, collapse } from '../../support/ctc-reference.ts';

const DIM = 3;
// A small vocabulary keeps the brute force (V^T paths) cheap; the graph takes any size.
const V = 4;

type Params = Record<'gamma' | 'beta' | 'weight' | 'bias', Float64Array>;

/** LayerNorm (eps 1e-5) + Linear in float64: logits [T][V] of one utterance. */
function referenceLogits(frames: Float32Array, p: Params): number[][] {
  const out: number[][] = [];
  for (let t = 0; t < frames.length / DIM; t++) {
    const row = Array.from(frames.subarray(t * DIM, (t + 1) * DIM));
    const mean = row.reduce((a, b) => a + b, 0) / DIM;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / DIM;
    const h = row.map(
      (v, d) =>
        ((v - mean) / Math.sqrt(variance + 1e-5)) * (p.gamma[d] as number) + (p.beta[d] as number),
    );
    out.push(
      Array.from({ length: V }, (_, k) =>
        h.reduce((sum, hv, d) => sum + hv * (p.weight[d * V + k] as number), p.bias[k] as number),
      ),
    );
  }
  return out;
}

/** torch CTCLoss(reduction="mean", zero_infinity=True) of a batch, by brute force. */
function referenceBatchLoss(utterances: readonly CtcUtterance[], p: Params): number {
  let total = 0;
  for (const utterance of utterances) {
    const loss = bruteForceCtcLoss(referenceLogits(utterance.frames, p), utterance.labels);
    total += Number.isFinite(loss) ? loss / Math.max(1, utterance.labels.length) : 0;
  }
  return total / utterances.length;
}

function randomParams(rng: SeededRandom): Params {
  return {
    gamma: Float64Array.from({ length: DIM }, () => 1 + 0.2 * rng.normal()),
    beta: Float64Array.from({ length: DIM }, () => 0.1 * rng.normal()),
    weight: Float64Array.from({ length: DIM * V }, () => rng.normal()),
    bias: Float64Array.from({ length: V }, () => 0.5 * rng.normal()),
  };
}

function frames(rng: SeededRandom, count: number): Float32Array {
  return Float32Array.from({ length: count * DIM }, () => rng.normal());
}

async function runStep(session: OrtSession, utterances: readonly CtcUtterance[], p: Params) {
  const feeds: Record<string, { data: Float32Array | BigInt64Array | Uint8Array; dims: number[] }> =
    {
      ...ctcBatchFeeds(utterances, DIM),
      step_size: { data: Float32Array.of(0), dims: [] },
      bias_correction2_sqrt: { data: Float32Array.of(1), dims: [] },
    };
  for (const { name, dims } of probeParameters(DIM, V)) {
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[name] = { data: Float32Array.from(p[name as keyof Params]), dims: [...dims] };
    feeds[`m_${name}`] = { data: new Float32Array(size), dims: [...dims] };
    feeds[`v_${name}`] = { data: new Float32Array(size), dims: [...dims] };
  }
  const outputs = await session.run(feeds);
  const gradient = (name: keyof Params) =>
    Float64Array.from(outputs[`new_m_${name}`]?.data ?? [], (m) => m / (1 - ADAM.beta1));
  return {
    loss: outputs['loss']?.data[0] as number,
    feasible: Array.from(outputs['feasible']?.data ?? []),
    gradient,
  };
}

describe('CTC train step (graph) against brute-force CTC', () => {
  const rng = new SeededRandom(11, 'ctc');
  const sessionPromise = OrtSession.create(ctcTrainStepGraph(DIM, V), {
    label: 'ctc',
    intraOpThreads: 1,
  });
  afterAll(async () => (await sessionPromise).release());
  // Repeated label (needs a blank between), varying frame and label counts, padding on both.
  const utterances: CtcUtterance[] = [
    { frames: frames(rng, 5), labels: [2, 2] },
    { frames: frames(rng, 3), labels: [3] },
    { frames: frames(rng, 4), labels: [1, 3, 2] },
    // Two equal labels need three frames; two frames admit no alignment (zero_infinity).
    { frames: frames(rng, 2), labels: [1, 1] },
  ];
  const params = randomParams(rng);

  it('computes the mean CTC loss of a padded batch, dropping impossible utterances', async () => {
    const session = await sessionPromise;
    const { loss, feasible } = await runStep(session, utterances, params);
    expect(feasible).toEqual([1, 1, 1, 0]);
    expect(loss).toBeCloseTo(referenceBatchLoss(utterances, params), 4);
  });

  it('has the gradient of the brute-force loss with respect to every parameter', async () => {
    const session = await sessionPromise;
    const { gradient } = await runStep(session, utterances, params);
    const h = 1e-5;
    for (const name of ['gamma', 'beta', 'weight', 'bias'] as const) {
      const analytic = gradient(name);
      // Every gamma/beta entry, and a spread of weight/bias entries.
      const indices = Array.from({ length: params[name].length }, (_, i) => i).filter(
        (i) => name === 'gamma' || name === 'beta' || i % 5 === 0,
      );
      for (const i of indices) {
        const shifted = (delta: number) => ({
          ...params,
          [name]: Float64Array.from(params[name], (v, j) => (j === i ? v + delta : v)),
        });
        const numeric =
          (referenceBatchLoss(utterances, shifted(h)) -
            referenceBatchLoss(utterances, shifted(-h))) /
          (2 * h);
        expect(Math.abs((analytic[i] as number) - numeric), `${name}[${i}]`).toBeLessThan(
          1e-4 + 1e-3 * Math.abs(numeric),
        );
      }
    }
  });

  it('gives each utterance the loss it has alone', async () => {
    const session = await sessionPromise;
    const together = (await runStep(session, utterances.slice(0, 3), params)).loss;
    let alone = 0;
    for (const utterance of utterances.slice(0, 3)) {
      alone += (await runStep(session, [utterance], params)).loss / 3;
    }
    expect(together).toBeCloseTo(alone, 5);
  });
});

describe('CTC text handling', () => {
  it('maps transcripts to labels (blank 0, space 1, a-z, apostrophe)', () => {
    expect(encodeTranscript("IT'S  a b")).toEqual([9 + 1, 20 + 1, 28, 19 + 1, 1, 1 + 1, 1, 2 + 1]);
    expect(encodeTranscript('Zoë!')).toEqual([26 + 1, 15 + 1]);
  });

  it('decodes greedily: merge repeats, then drop blanks', () => {
    // Frames: a a blank a b b -> "aab".
    const path = [2, 2, 0, 2, 3, 3];
    expect(collapse(path)).toEqual([2, 2, 3]);
    const logits = new Float32Array(path.length * CTC_VOCABULARY);
    path.forEach((symbol, t) => {
      logits[t * CTC_VOCABULARY + symbol] = 5;
    });
    expect(greedyDecode(logits, path.length)).toBe('aab');
  });
});

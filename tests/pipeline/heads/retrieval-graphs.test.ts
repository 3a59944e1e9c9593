import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ADAM } from '../../../pipeline/heads/graphs/common.ts';
import {
  audioTowerGraph,
  retrievalMatchGraph,
  retrievalParameters,
  retrievalTrainStepGraph,
  textTowerGraph,
} from '../../../pipeline/heads/graphs/retrieval.ts';
import { recallAtOne } from '../../../pipeline/metrics/retrieval.ts';
import { OrtSession } from '../../../pipeline/runtime/ort.ts';
import { distinctTokens } from '../../../pipeline/text/wordpiece.ts';
import { SeededRandom } from '../../../pipeline/util/random.ts';

const DIM = 3;
const HIDDEN = 4;
const VOCABULARY = 6;
const BATCH = 3;
const TOKENS = 4;

type Params = Record<string, Float64Array>;

// --- an independent float64 forward pass, written from retrival.py --------------------------

const erf = (x: number): number => {
  // Abramowitz-Stegun 7.1.26 is too coarse for finite differences; integrate the series instead.
  let sum = 0;
  let term = x;
  for (let n = 0; n < 60; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
};
const geluExact = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));

function linear(input: number[], w: Float64Array, b: Float64Array, outDim: number) {
  return Array.from({ length: outDim }, (_, o) =>
    input.reduce((sum, v, i) => sum + v * (w[i * outDim + o] as number), b[o] as number),
  );
}

function towers(p: Params, x: Float64Array, tokens: number[][], mask: number[][]) {
  const audio = Array.from({ length: BATCH }, (_, b) => {
    const row = Array.from(x.subarray(b * DIM, (b + 1) * DIM));
    const mean = row.reduce((a, v) => a + v, 0) / DIM;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / DIM;
    const h = row.map(
      (v, d) =>
        ((v - mean) / Math.sqrt(variance + 1e-5)) * (p['gamma']?.[d] as number) +
        (p['beta']?.[d] as number),
    );
    const u = linear(h, p['audio_w1'] as Float64Array, p['audio_b1'] as Float64Array, HIDDEN).map(
      geluExact,
    );
    return linear(u, p['audio_w2'] as Float64Array, p['audio_b2'] as Float64Array, HIDDEN);
  });
  const text = tokens.map((ids, b) => {
    const out = new Array<number>(HIDDEN).fill(0);
    const count = (mask[b] as number[]).reduce((a, v) => a + v, 0);
    ids.forEach((id, l) => {
      const e = Array.from(
        (p['text_embedding'] as Float64Array).subarray(id * HIDDEN, (id + 1) * HIDDEN),
      );
      const v1 = linear(e, p['text_w1'] as Float64Array, p['text_b1'] as Float64Array, HIDDEN).map(
        geluExact,
      );
      const v2 = linear(v1, p['text_w2'] as Float64Array, p['text_b2'] as Float64Array, HIDDEN);
      v2.forEach((v, h) => {
        out[h] = (out[h] as number) + (v * (mask[b]?.[l] as number)) / count;
      });
    });
    return out;
  });
  return { audio, text };
}

function referenceLoss(p: Params, x: Float64Array, tokens: number[][], mask: number[][]): number {
  const { audio, text } = towers(p, x, tokens, mask);
  const scale = Math.exp(p['logit_scale']?.[0] as number);
  const sim = audio.map((a) =>
    text.map((t) => scale * a.reduce((s, v, h) => s + v * (t[h] as number), 0)),
  );
  const lse = (values: number[]) => {
    const max = Math.max(...values);
    return max + Math.log(values.reduce((s, v) => s + Math.exp(v - max), 0));
  };
  let a2t = 0;
  let t2a = 0;
  for (let i = 0; i < BATCH; i++) {
    a2t += lse(sim[i] as number[]) - (sim[i]?.[i] as number);
    t2a += lse(sim.map((row) => row[i] as number)) - (sim[i]?.[i] as number);
  }
  const reg = (m: number[][]) => {
    const flat = m.flat();
    return (
      flat.reduce((s, v) => s + Math.abs(v), 0) /
      flat.length /
      Math.sqrt(flat.reduce((s, v) => s + v * v, 0))
    );
  };
  return (a2t / BATCH + t2a / BATCH) / 2 + reg(audio) + reg(text);
}

// --- fixtures -------------------------------------------------------------------------------

const rng = new SeededRandom(17, 'retrieval');
const specs = retrievalParameters(DIM, HIDDEN, VOCABULARY);
const params: Params = Object.fromEntries(
  specs.map(({ name, dims }) => {
    const size = dims.reduce((a, b) => a * b, 1);
    const values = Float64Array.from({ length: size }, () => 0.5 * rng.normal());
    if (name === 'gamma') {
      values.forEach((_, i) => (values[i] = 1 + 0.2 * rng.normal()));
    }
    if (name === 'logit_scale') {
      values[0] = Math.log(1 / 0.07) - 2;
    }
    return [name, values];
  }),
);
const x = Float64Array.from({ length: BATCH * DIM }, () => rng.normal());
// Token 3 repeats within and across captions, id 4 is absent; trailing zeros are padding.
const tokens = [
  [2, 3, 5, 0],
  [2, 3, 3, 1],
  [2, 5, 0, 0],
];
const distinct = distinctTokens(BigInt64Array.from(tokens.flat().map(BigInt)));
const mask = tokens.map((ids) => ids.map((id) => (id === 0 ? 0 : 1)));

function feeds() {
  const out: Record<string, { data: Float32Array | BigInt64Array; dims: number[] }> = {
    x: { data: Float32Array.from(x), dims: [BATCH, DIM] },
    tokens: { data: BigInt64Array.from(tokens.flat().map(BigInt)), dims: [BATCH, TOKENS] },
    token_mask: { data: Float32Array.from(mask.flat()), dims: [BATCH, TOKENS] },
    token_rows: { data: distinct.rows, dims: [distinct.rows.length] },
    token_slots: { data: distinct.slots, dims: [BATCH, TOKENS] },
    step_size: { data: Float32Array.of(0), dims: [] },
    bias_correction2_sqrt: { data: Float32Array.of(1), dims: [] },
  };
  for (const { name, dims } of specs) {
    out[name] = { data: Float32Array.from(params[name] as Float64Array), dims: [...dims] };
    out[`m_${name}`] = {
      data: new Float32Array((params[name] as Float64Array).length),
      dims: [...dims],
    };
    out[`v_${name}`] = {
      data: new Float32Array((params[name] as Float64Array).length),
      dims: [...dims],
    };
  }
  return out;
}

describe('retrieval train step (graph) against a float64 reference', () => {
  const sessionPromise = OrtSession.create(retrievalTrainStepGraph(DIM, HIDDEN, VOCABULARY), {
    label: 'retrieval',
    intraOpThreads: 1,
  });
  afterAll(async () => (await sessionPromise).release());

  it('computes the symmetric InfoNCE loss with the regulariser', async () => {
    const outputs = await (await sessionPromise).run(feeds());
    expect(outputs['loss']?.data[0]).toBeCloseTo(referenceLoss(params, x, tokens, mask), 4);
  });

  it('has the gradient of the reference loss for every parameter (central differences)', async () => {
    const outputs = await (await sessionPromise).run(feeds());
    const h = 1e-5;
    for (const { name } of specs) {
      const analytic = Array.from(
        outputs[`new_m_${name}`]?.data ?? [],
        (m) => m / (1 - ADAM.beta1),
      );
      (params[name] as Float64Array).forEach((value, i) => {
        const at = (delta: number) => ({
          ...params,
          [name]: Float64Array.from(params[name] as Float64Array, (v, j) =>
            j === i ? value + delta : v,
          ),
        });
        const numeric =
          (referenceLoss(at(h), x, tokens, mask) - referenceLoss(at(-h), x, tokens, mask)) /
          (2 * h);
        expect(Math.abs((analytic[i] as number) - numeric), `${name}[${i}]`).toBeLessThan(
          2e-4 + 2e-3 * Math.abs(numeric),
        );
      });
    }
  });
});

describe('retrieval towers and matching', () => {
  it('embed audio and text as the train step does', async () => {
    const { audio, text } = towers(params, x, tokens, mask);
    const all = feeds();
    const audioSession = await OrtSession.create(audioTowerGraph(DIM, HIDDEN), { label: 'audio' });
    const pick = (names: string[]) => Object.fromEntries(names.map((n) => [n, all[n] as never]));
    const audioOut = await audioSession.run(
      pick(['x', 'gamma', 'beta', 'audio_w1', 'audio_b1', 'audio_w2', 'audio_b2']),
    );
    audio.flat().forEach((v, i) => {
      expect(audioOut['audio']?.data[i]).toBeCloseTo(v, 4);
    });
    const textSession = await OrtSession.create(textTowerGraph(HIDDEN, VOCABULARY), {
      label: 'text',
    });
    const textOut = await textSession.run(
      pick(['tokens', 'token_mask', 'text_embedding', 'text_w1', 'text_b1', 'text_w2', 'text_b2']),
    );
    text.flat().forEach((v, i) => {
      expect(textOut['text']?.data[i]).toBeCloseTo(v, 4);
    });
    await audioSession.release();
    await textSession.release();
  });

  it('finds the same best matches as the plain Recall@1 reference', async () => {
    const local = new SeededRandom(3, 'match');
    const clips = 7;
    const captions = clips * 5;
    const audio = Float32Array.from({ length: clips * HIDDEN }, () => local.normal());
    const text = Float32Array.from({ length: captions * HIDDEN }, (_, i) => {
      // Captions lean towards their clip, some strongly, so hits and misses both occur.
      const clip = Math.floor(i / HIDDEN / 5);
      return (audio[clip * HIDDEN + (i % HIDDEN)] as number) * (clip % 3) * 0.5 + local.normal();
    });
    const session = await OrtSession.create(retrievalMatchGraph(HIDDEN), { label: 'match' });
    const outputs = await session.runRaw({
      audio: { data: audio, dims: [clips, HIDDEN] },
      text: { data: text, dims: [captions, HIDDEN] },
    });
    await session.release();
    const bestCaption = Array.from(outputs['best_caption']?.data as BigInt64Array, Number);
    const bestClip = Array.from(outputs['best_clip']?.data as BigInt64Array, Number);
    const audioToText = bestCaption.filter((c, clip) => Math.floor(c / 5) === clip).length / clips;
    const textToAudio = bestClip.filter((clip, c) => clip === Math.floor(c / 5)).length / captions;
    const reference = recallAtOne(audio, text, HIDDEN, 5);
    expect(audioToText).toBe(reference.audioToText);
    expect(textToAudio).toBe(reference.textToAudio);
    expect(reference.audioToText).toBeGreaterThan(0);
    expect(reference.audioToText).toBeLessThan(1);
  });
});

describe('retrieval train step at the size of a real batch', () => {
  // 128 captions of 16 tokens into the 30,522-token BERT vocabulary: large enough for
  // onnxruntime to spread the work over threads, where a scatter-add of repeated token ids races.
  const [batch, length, dim, hidden, vocabulary] = [128, 16, 64, 256, 30_522];

  it('gives bit-identical outputs on every run with several threads', async () => {
    const rng = new SeededRandom(7, 'big-batch');
    const ids = BigInt64Array.from({ length: batch * length }, () =>
      BigInt(Math.floor(rng.uniform(0, 300))),
    );
    const distinct = distinctTokens(ids);
    const big: Record<string, { data: Float32Array | BigInt64Array; dims: number[] }> = {
      x: {
        data: Float32Array.from({ length: batch * dim }, () => rng.normal()),
        dims: [batch, dim],
      },
      tokens: { data: ids, dims: [batch, length] },
      token_mask: { data: new Float32Array(batch * length).fill(1), dims: [batch, length] },
      token_rows: { data: distinct.rows, dims: [distinct.rows.length] },
      token_slots: { data: distinct.slots, dims: [batch, length] },
      step_size: { data: Float32Array.of(1e-3), dims: [] },
      bias_correction2_sqrt: { data: Float32Array.of(0.03), dims: [] },
    };
    for (const { name, dims } of retrievalParameters(dim, hidden, vocabulary)) {
      const count = dims.reduce((product, size) => product * size, 1);
      // A cheap deterministic fill: 7.8 million normal draws would dominate the test.
      big[name] = {
        data: Float32Array.from({ length: count }, (_, i) => 0.05 * Math.sin(i * 0.7 + 1)),
        dims: [...dims],
      };
      big[`m_${name}`] = { data: new Float32Array(count), dims: [...dims] };
      big[`v_${name}`] = { data: new Float32Array(count), dims: [...dims] };
    }
    const session = await OrtSession.create(retrievalTrainStepGraph(dim, hidden, vocabulary), {
      label: 'retrieval-big',
      intraOpThreads: 4,
    });
    try {
      const digests = async () =>
        Object.fromEntries(
          Object.entries(await session.run(big)).map(([name, output]) => [
            name,
            createHash('sha256').update(output.data).digest('hex'),
          ]),
        );
      const first = await digests();
      for (let run = 0; run < 3; run++) {
        expect(await digests()).toEqual(first);
      }
    } finally {
      await session.release();
    }
  });
});

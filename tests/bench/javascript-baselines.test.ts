import { describe, expect, it } from 'vitest';
import { knnInJavaScript, ProbeInJavaScript } from '../../bench/javascript-baselines.ts';
import { Engine } from '../../pipeline/heads/engine.ts';
import { knnGraph, knnNormalizeTrainGraph } from '../../pipeline/heads/graphs/knn.ts';
import { probeParameters, probeTrainStepGraph } from '../../pipeline/heads/graphs/probe.ts';
import { OrtSession } from '../../pipeline/runtime/ort.ts';
import { SeededRandom } from '../../pipeline/util/random.ts';

// The benchmark's speed-ups only mean something if its baselines compute what the engine does.
describe('JavaScript baselines of the benchmark', () => {
  const rng = new SeededRandom(3, 'baselines');
  const normals = (count: number) => Float32Array.from({ length: count }, () => rng.normal());

  it('the kNN loops find the top-10 similarities of the engine graphs', async () => {
    const dim = 16;
    const train = { count: 300, dim, embeddings: normals(300 * dim), labels: new Int32Array(300) };
    const test = { count: 7, dim, embeddings: normals(7 * dim), labels: new Int32Array(7) };
    const engine = new Engine({ intraOpThreads: 1 });
    const normalize = await engine.session('n', () => knnNormalizeTrainGraph(dim));
    const knn = await engine.session('k', () => knnGraph(dim, 10));
    const normalized = (
      await normalize.run({ train: { data: train.embeddings, dims: [300, dim] } })
    )['normalized']?.data as Float32Array;
    const outputs = await knn.runRaw({
      normalized_train: { data: normalized, dims: [300, dim] },
      queries: { data: test.embeddings, dims: [7, dim] },
    });
    await engine.release();
    const expected = outputs['values']?.data as Float32Array;
    const loops = knnInJavaScript(train, test);
    expect(loops.length).toBe(expected.length);
    loops.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] as number, 5);
    });
  });

  it('one step of the probe loops gives the loss and the parameters of the train-step graph', async () => {
    const dim = 12;
    const classes = 5;
    const rows = 4;
    const x = normals(rows * dim);
    const labels = Int32Array.of(0, 3, 4, 3);
    const probe = new ProbeInJavaScript(dim, classes);
    const before = Object.fromEntries(
      Object.entries(probe.parameters).map(([name, value]) => [name, Float32Array.from(value)]),
    );
    const loss = probe.step(x, labels, 1e-2);
    const targets = new Float32Array(rows * classes);
    labels.forEach((label, row) => (targets[row * classes + label] = 1));
    const session = await OrtSession.create(probeTrainStepGraph(dim, classes, 'cross_entropy'), {
      label: 'probe step',
      intraOpThreads: 1,
    });
    const feeds: Parameters<OrtSession['run']>[0] = {
      x: { data: x, dims: [rows, dim] },
      targets: { data: targets, dims: [rows, classes] },
      step_size: { data: Float32Array.of(1e-2 / (1 - 0.9)), dims: [] },
      bias_correction2_sqrt: { data: Float32Array.of(Math.sqrt(1 - 0.999)), dims: [] },
    };
    for (const { name, dims } of probeParameters(dim, classes)) {
      const size = dims.reduce((a, b) => a * b, 1);
      feeds[name] = { data: before[name] as Float32Array, dims: [...dims] };
      feeds[`m_${name}`] = { data: new Float32Array(size), dims: [...dims] };
      feeds[`v_${name}`] = { data: new Float32Array(size), dims: [...dims] };
    }
    const outputs = await session.run(feeds);
    await session.release();
    expect(loss).toBeCloseTo(outputs['loss']?.data[0] as number, 5);
    for (const [name, value] of Object.entries(probe.parameters)) {
      const updated = outputs[`new_${name}`]?.data as Float32Array;
      value.forEach((parameter, i) => {
        expect(parameter).toBeCloseTo(updated[i] as number, 5);
      });
    }
  });
});

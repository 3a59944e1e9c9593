/**
 * The heads at the size of the largest X-ARES tasks: Track B's kNN on 100,000 training x 5,000
 * test vectors of 768 dimensions, and Track A's probe on 140,000 x 768 rows to 1,251 classes
 * (VoxCeleb1) for 10 epochs. Each against the plain JavaScript loops and, where installed,
 * scikit-learn's KNeighborsClassifier and a PyTorch CPU probe with the same recipe.
 * The JavaScript loops would take hours at this size; they are timed on a prefix (queries,
 * steps) and scaled linearly, which is exact for work that is the same per query and per step.
 */
import { availableParallelism } from 'node:os';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../pipeline/heads/engine.ts';
import { knnScores, type LabelledEmbeddings } from '../pipeline/heads/knn.ts';
import {
  inMemorySource,
  singleRowItems,
  trainLinearProbe,
  type ProbeBlock,
} from '../pipeline/heads/linear-probe.ts';
import { SeededRandom } from '../pipeline/util/random.ts';
import { knnInJavaScript, ProbeInJavaScript } from './javascript-baselines.ts';
import { median, repeat, timed, type Row } from './measure.ts';
import { pythonWith, runPeer } from './peers.ts';

/**
 * Scale of the class centres against unit noise. At 0.1 the classes overlap: kNN on 10 classes
 * reaches about 0.44 accuracy rather than 1.0, so agreement with the peers is informative.
 */
const CENTRE_SCALE = 0.1;

/** Gaussian vectors around one centre per class: a set a kNN and a probe can learn, not trivially. */
export function clusteredSet(
  count: number,
  dim: number,
  classes: number,
  seed: number,
): LabelledEmbeddings {
  const centres = new SeededRandom(7, 'centres');
  const centre = Float32Array.from({ length: classes * dim }, () => centres.normal());
  const rng = new SeededRandom(seed, 'rows');
  const labels = Int32Array.from({ length: count }, () => rng.int(0, classes - 1));
  const embeddings = new Float32Array(count * dim);
  for (let n = 0; n < count; n++) {
    const c = labels[n] as number;
    for (let d = 0; d < dim; d++) {
      embeddings[n * dim + d] = CENTRE_SCALE * (centre[c * dim + d] as number) + rng.normal();
    }
  }
  return { count, dim, embeddings, labels };
}

export function argmaxRows(scores: Float64Array, classes: number): Int32Array {
  const rows = scores.length / classes;
  return Int32Array.from({ length: rows }, (_, row) => {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if ((scores[row * classes + c] as number) > (scores[row * classes + best] as number)) {
        best = c;
      }
    }
    return best;
  });
}

async function writeRaw(path: string, data: Float32Array | Int32Array): Promise<void> {
  await writeFile(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

export interface ScaleOptions {
  readonly repetitions: number;
  readonly probeEpochs: number;
}

export async function knnAtScaleRows(options: ScaleOptions): Promise<Row[]> {
  const classes = 10;
  const train = clusteredSet(100_000, 768, classes, 1);
  const test = clusteredSet(5_000, 768, classes, 2);
  const engine = new Engine();
  let scores: Float64Array = new Float64Array();
  const graph = await repeat(options.repetitions, async () => {
    scores = await knnScores(engine, train, test, classes);
  });
  await engine.release();
  const predicted = argmaxRows(scores, classes);
  const prefix = 50;
  const loops =
    (await timed(() => Promise.resolve(knnInJavaScript(train, test, prefix)))) *
    (test.count / prefix);
  const rows: Row[] = [
    {
      name: 'kNN, 5,000 queries x 100,000 x 768',
      baseline: `JavaScript loops (${prefix} queries, scaled)`,
      baselineSeconds: loops,
      measured: 'engine (Gemm + TopK)',
      measuredSeconds: graph,
    },
  ];
  const python = pythonWith('sklearn');
  if ('missing' in python) {
    rows.push(skipped('kNN vs scikit-learn', python.missing));
    return rows;
  }
  const work = await mkdtemp(join(tmpdir(), 'bench-knn-'));
  try {
    await writeRaw(join(work, 'train.f32'), train.embeddings);
    await writeRaw(join(work, 'labels.i32'), train.labels);
    await writeRaw(join(work, 'test.f32'), test.embeddings);
    const seconds: number[] = [];
    let version = '';
    for (let i = 0; i < options.repetitions; i++) {
      const report = runPeer(python.python, 'knn_sklearn.py', [
        join(work, 'train.f32'),
        join(work, 'labels.i32'),
        join(work, 'test.f32'),
        String(train.count),
        String(test.count),
        String(train.dim),
        join(work, 'predicted.i32'),
      ]) as { seconds: number; sklearn: string };
      seconds.push(report.seconds);
      version = report.sklearn;
    }
    const theirs = new Int32Array((await readFile(join(work, 'predicted.i32'))).buffer.slice(0));
    const agree = predicted.filter((label, i) => label === theirs[i]).length;
    const accuracy = (labels: Int32Array) =>
      labels.filter((label, i) => label === test.labels[i]).length / test.count;
    rows.push({
      name: 'kNN, 5,000 queries x 100,000 x 768',
      baseline: `scikit-learn ${version} KNeighborsClassifier (brute)`,
      baselineSeconds: median(seconds),
      measured: 'engine (Gemm + TopK)',
      measuredSeconds: graph,
      note: `kNN agreement with scikit-learn: ${agree} of ${test.count} predictions equal; accuracy ${accuracy(predicted).toFixed(4)} (engine) vs ${accuracy(theirs).toFixed(4)} (scikit-learn)`,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}

function skipped(name: string, reason: string): Row {
  return {
    name: `${name}: skipped`,
    baseline: reason,
    baselineSeconds: Number.NaN,
    measured: '',
    measuredSeconds: Number.NaN,
  };
}

/** The benchmark probe: 768 -> 1,251 classes, batches of 32, the X-ARES recipe at lr 1e-3. */
export const BENCH_PROBE = { classes: 1251, dim: 768, batchSize: 32 } as const;

/**
 * Train the benchmark probe for `epochs` on `count` clustered items (500 held-out items for
 * validation and test); the training set comes back for baselines that replay its steps.
 */
export async function timeBenchProbe(
  engine: Engine,
  count: number,
  epochs: number,
): Promise<{ seconds: number; trainLosses: readonly number[]; set: LabelledEmbeddings }> {
  const { classes, dim, batchSize } = BENCH_PROBE;
  const set = clusteredSet(count, dim, classes, 3);
  const block: ProbeBlock = {
    x: set.embeddings,
    itemRows: singleRowItems(set.count),
    targets: { kind: 'class', labels: set.labels },
  };
  const held = clusteredSet(500, dim, classes, 4);
  const heldBlock: ProbeBlock = {
    x: held.embeddings,
    itemRows: singleRowItems(held.count),
    targets: { kind: 'class', labels: held.labels },
  };
  let trainLosses: readonly number[] = [];
  const seconds = await timed(async () => {
    const result = await trainLinearProbe(engine, {
      train: inMemorySource(dim, block),
      valid: inMemorySource(dim, heldBlock),
      test: inMemorySource(dim, heldBlock),
      classes,
      recipe: { epochs, learningRate: 1e-3, batchSize, loss: 'cross_entropy' },
      evaluator: () => ({
        add: () => undefined,
        finish: () => ({ score: 0, items: 0, replicate: () => 0 }),
      }),
      seed: 1,
      streamLabel: 'bench',
    });
    trainLosses = result.trainLosses;
  });
  return { seconds, trainLosses, set };
}

export async function probeAtScaleRows(options: ScaleOptions): Promise<Row[]> {
  const { classes, dim, batchSize } = BENCH_PROBE;
  const engine = new Engine();
  const {
    seconds: engineSeconds,
    trainLosses,
    set,
  } = await timeBenchProbe(engine, 140_000, options.probeEpochs);
  await engine.release();
  const steps = options.probeEpochs * Math.ceil(set.count / batchSize);

  const probe = new ProbeInJavaScript(dim, classes);
  const prefix = 40;
  const loops =
    (await timed(() => {
      for (let step = 0; step < prefix; step++) {
        const start = step * batchSize;
        probe.step(
          set.embeddings.subarray(start * dim, (start + batchSize) * dim),
          set.labels.subarray(start, start + batchSize),
          1e-3,
        );
      }
      return Promise.resolve();
    })) *
    (steps / prefix);
  const name = `probe, 140,000 x 768 -> 1,251, ${options.probeEpochs} epochs (${steps} steps)`;
  const rows: Row[] = [
    {
      name,
      baseline: `JavaScript loops (${prefix} steps, scaled)`,
      baselineSeconds: loops,
      measured: 'engine (train-step graph)',
      measuredSeconds: engineSeconds,
      note: `probe, engine: train loss per epoch ${trainLosses.map((loss) => loss.toFixed(3)).join(', ')}`,
    },
  ];
  const python = pythonWith('torch');
  if ('missing' in python) {
    rows.push(skipped('probe vs PyTorch', python.missing));
    return rows;
  }
  const work = await mkdtemp(join(tmpdir(), 'bench-probe-'));
  try {
    await writeRaw(join(work, 'x.f32'), set.embeddings);
    await writeRaw(join(work, 'y.i32'), set.labels);
    const report = runPeer(python.python, 'probe_torch.py', [
      join(work, 'x.f32'),
      join(work, 'y.i32'),
      String(set.count),
      String(dim),
      String(classes),
      String(options.probeEpochs),
    ]) as { seconds: number; losses: number[]; torch: string };
    rows.push({
      name,
      baseline: `PyTorch ${report.torch} CPU, ${availableParallelism()} threads`,
      baselineSeconds: report.seconds,
      measured: 'engine (train-step graph)',
      measuredSeconds: engineSeconds,
      note: `probe, PyTorch: train loss per epoch ${report.losses.map((loss) => loss.toFixed(3)).join(', ')}`,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}

/**
 * `npm run bench -- --device webgpu|cuda`: the same work on the CPU provider and on the GPU
 * provider, in one run on one machine, as ratios: each example encoder on the demo's batches,
 * an 85.5M-parameter transformer encoder on 16 clips of 10 s (exported from PyTorch by
 * tools/export_onnx.py, with PyTorch itself as the peer), the kNN graph and the probe's train
 * steps. Each row also says how far the GPU's outputs are from the CPU's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../pipeline/heads/engine.ts';
import { knnScores } from '../pipeline/heads/knn.ts';
import { OrtSession, type ExecutionProvider } from '../pipeline/runtime/ort.ts';
import { getSuite, suiteTasks } from '../pipeline/suites/index.ts';
import { loadSubmission } from '../pipeline/submissions/scan.ts';
import { demoTaskData, stageBatches } from './encoder-stage.ts';
import {
  BATCH_CLIPS,
  BATCH_SECONDS,
  exportTransformer85m,
  noiseBatch,
  TRANSFORMER_85M_LABEL,
  TRANSFORMER_85M_SOURCE,
} from './transformer-85m.ts';
import { argmaxRows, BENCH_PROBE, clusteredSet, timeBenchProbe } from './heads-at-scale.ts';
import { repeat, type Row } from './measure.ts';
import { runPeer } from './peers.ts';

export interface DeviceBenchOptions {
  readonly root: string;
  readonly provider: Exclude<ExecutionProvider, 'cpu'>;
  readonly repetitions: number;
}

type Feeds = Record<string, { data: Float32Array; dims: number[] }>;

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  }
  return worst;
}

/** Median seconds to run every feed once, after one warm-up pass, and the first output. */
async function runAll(
  session: OrtSession,
  feeds: readonly Feeds[],
  repetitions: number,
): Promise<{ seconds: number; first: Float32Array }> {
  const output = session.outputNames[0] as string;
  let first: Float32Array | undefined;
  for (const feed of feeds) {
    const data = (await session.run(feed))[output]?.data;
    first ??= data;
  }
  const seconds = await repeat(repetitions, async () => {
    for (const feed of feeds) {
      await session.run(feed);
    }
  });
  return { seconds, first: first ?? new Float32Array() };
}

async function encoderRow(
  label: string,
  model: string,
  feeds: readonly Feeds[],
  audioSeconds: number,
  options: DeviceBenchOptions,
): Promise<Row> {
  const cpu = await OrtSession.create(model, { label });
  const cpuRun = await runAll(cpu, feeds, options.repetitions);
  await cpu.release();
  const gpu = await OrtSession.create(model, { label, provider: options.provider });
  const gpuRun = await runAll(gpu, feeds, options.repetitions);
  await gpu.release();
  const rate = (seconds: number) => (audioSeconds / seconds).toFixed(0);
  return {
    name: `${label} (${audioSeconds.toFixed(0)} s of audio)`,
    baseline: 'CPU provider',
    baselineSeconds: cpuRun.seconds,
    measured: `${options.provider} provider`,
    measuredSeconds: gpuRun.seconds,
    note: `${label}: ${rate(cpuRun.seconds)} s of audio per second on the CPU, ${rate(gpuRun.seconds)} on ${options.provider}; first batch max |GPU - CPU| ${maxAbsDifference(cpuRun.first, gpuRun.first).toExponential(2)}`,
  };
}

async function exampleEncoderRows(options: DeviceBenchOptions): Promise<Row[]> {
  const cacheDir = join(options.root, '.cache');
  const task = suiteTasks(getSuite('demo')).find((t) => t.id === 'demo_sound_events');
  if (!task) {
    throw new Error('no demo_sound_events task');
  }
  const data = await demoTaskData(task, cacheDir);
  const rows: Row[] = [];
  for (const slug of ['logmel-baseline', 'random-conv', 'random-transformer']) {
    const submission = await loadSubmission(
      join(options.root, 'submissions', slug),
      slug,
      cacheDir,
    );
    const batches = await stageBatches(submission, task, data);
    const audioSeconds =
      batches.reduce((sum, batch) => sum + batch.input.length, 0) / submission.manifest.sampleRate;
    const session = await OrtSession.create(submission.modelPath, { label: slug });
    const name = session.inputNames[0] as string;
    await session.release();
    const feeds = batches.map((batch) => ({
      [name]: { data: batch.input, dims: [batch.count, batch.width] },
    }));
    rows.push(
      await encoderRow(
        `encoder ${slug}, demo_sound_events batches`,
        submission.modelPath,
        feeds,
        audioSeconds,
        options,
      ),
    );
  }
  return rows;
}

/** The 85.5M transformer, exported by tools/export_onnx.py, against ONNX on CPU and PyTorch. */
async function transformerRows(options: DeviceBenchOptions): Promise<Row[]> {
  const skipped = (why: string): Row[] => [
    {
      name: 'transformer 85.5M, 16 clips of 10 s',
      baseline: `skipped: ${why}`,
      baselineSeconds: Number.NaN,
      measured: '',
      measuredSeconds: Number.NaN,
    },
  ];
  const out = await mkdtemp(join(tmpdir(), 'bench-transformer-'));
  try {
    const exported = exportTransformer85m(options.root, out);
    if ('skipped' in exported) {
      return skipped(exported.skipped);
    }
    const feeds = await noiseBatch(exported.model);
    const row = await encoderRow(
      `${TRANSFORMER_85M_LABEL}, 16 clips of 10 s`,
      exported.model,
      [feeds],
      BATCH_CLIPS * BATCH_SECONDS,
      options,
    );
    const peer = runPeer(exported.python, 'encoder_torch.py', [
      TRANSFORMER_85M_SOURCE,
      String(BATCH_CLIPS),
      String(BATCH_SECONDS),
      String(options.repetitions),
    ]) as { torch: string; seconds: Record<string, number> };
    const best = Object.entries(peer.seconds).sort((a, b) => a[1] - b[1])[0];
    const rows: Row[] = [row];
    if (best) {
      rows.push({
        name: 'transformer 85.5M, 16 clips of 10 s (160 s of audio)',
        baseline: `PyTorch ${peer.torch} ${best[0]}`,
        baselineSeconds: best[1],
        measured: `onnxruntime ${options.provider}`,
        measuredSeconds: row.measuredSeconds,
        note: `transformer 85.5M, PyTorch ${peer.torch}: ${Object.entries(peer.seconds)
          .map(([mode, seconds]) => `${mode} ${(seconds * 1000).toFixed(1)} ms`)
          .join(', ')} per batch`,
      });
    }
    return rows;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

async function knnRow(options: DeviceBenchOptions): Promise<Row> {
  const classes = 10;
  const train = clusteredSet(100_000, 768, classes, 1);
  const test = clusteredSet(5_000, 768, classes, 2);
  const time = async (provider: ExecutionProvider) => {
    const engine = new Engine({ provider });
    let scores: Float64Array = await knnScores(engine, train, test, classes);
    const seconds = await repeat(options.repetitions, async () => {
      scores = await knnScores(engine, train, test, classes);
    });
    await engine.release();
    return { seconds, scores };
  };
  const cpu = await time('cpu');
  const gpu = await time(options.provider);
  const cpuPredictions = argmaxRows(cpu.scores, classes);
  const gpuPredictions = argmaxRows(gpu.scores, classes);
  const agree = cpuPredictions.filter((label, row) => label === gpuPredictions[row]).length;
  return {
    name: 'kNN, 5,000 queries x 100,000 x 768',
    baseline: 'CPU provider',
    baselineSeconds: cpu.seconds,
    measured: `${options.provider} provider`,
    measuredSeconds: gpu.seconds,
    note: `kNN on ${options.provider}: ${agree} of ${test.count} predictions equal the CPU's`,
  };
}

async function probeRow(options: DeviceBenchOptions): Promise<Row> {
  const time = async (provider: ExecutionProvider) => {
    const engine = new Engine({ provider });
    const { seconds, trainLosses } = await timeBenchProbe(engine, 400 * BENCH_PROBE.batchSize, 1);
    await engine.release();
    return { seconds, loss: trainLosses[0] ?? Number.NaN };
  };
  const cpu = await time('cpu');
  const gpu = await time(options.provider);
  return {
    name: 'probe, 400 steps of 32 x 768 -> 1,251',
    baseline: 'CPU provider',
    baselineSeconds: cpu.seconds,
    measured: `${options.provider} provider`,
    measuredSeconds: gpu.seconds,
    note: `probe on ${options.provider}: train loss ${gpu.loss.toFixed(5)} vs ${cpu.loss.toFixed(5)} on the CPU`,
  };
}

export async function deviceRows(options: DeviceBenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const parts: [string, () => Promise<Row[]>][] = [
    ['example encoders', () => exampleEncoderRows(options)],
    ['transformer 85.5M', () => transformerRows(options)],
    ['kNN', async () => [await knnRow(options)]],
    ['probe', async () => [await probeRow(options)]],
  ];
  for (const [name, run] of parts) {
    const started = performance.now();
    rows.push(...(await run()));
    process.stderr.write(
      `bench: device, ${name} done in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
    );
  }
  return rows;
}

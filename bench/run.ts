/**
 * `npm run bench`: speed of the engine's heavy parts, each reported as a ratio against a baseline
 * measured in the same run on the same machine (never as absolute targets in tests):
 * - kNN similarity + top-k in one onnxruntime graph vs the same arithmetic in JavaScript loops;
 * - the encoder on batches of 16 equal-length crops vs one crop per call;
 * - a task whose embeddings are cached vs the same task encoded from scratch;
 * - reading a WebDataset shard with tar-stream vs reading the same file's bytes;
 * - decoding and resampling 44.1 kHz stereo WAV and FLAC to 16 kHz mono, against real time on
 *   one core (the speed-up is the real-time factor).
 * Each figure is the median of several repetitions.
 */
import { availableParallelism, cpus } from 'node:os';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { toMonoAtRate } from '../pipeline/audio/crop.ts';
import { decodeAudio } from '../pipeline/audio/decode.ts';
import { encodeFlac } from '../pipeline/audio/flac.ts';
import { encodeWav } from '../pipeline/audio/wav.ts';
import { packTar, readWebDataset } from '../pipeline/data/webdataset.ts';
import { ClipEncoder } from '../pipeline/encode/embed.ts';
import { ensureExampleModels } from '../pipeline/encoders/examples.ts';
import { evaluate } from '../pipeline/evaluate.ts';
import { Engine } from '../pipeline/heads/engine.ts';
import { knnScores, type LabelledEmbeddings } from '../pipeline/heads/knn.ts';
import { createMemoryLogger } from '../pipeline/log.ts';
import { OrtSession } from '../pipeline/runtime/ort.ts';
import { resultFile } from '../schemas/results-layout.ts';
import { loadSubmission } from '../pipeline/submissions/scan.ts';
import { SeededRandom } from '../pipeline/util/random.ts';

const ROOT = resolve(import.meta.dirname, '..');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

async function repeat(times: number, run: () => Promise<unknown>): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < times; i++) {
    seconds.push(await timed(run));
  }
  return median(seconds);
}

interface Row {
  /** Extra figure printed under the table (a throughput). */
  readonly note?: string;
  readonly name: string;
  readonly baseline: string;
  readonly baselineSeconds: number;
  readonly measured: string;
  readonly measuredSeconds: number;
}

function randomSet(count: number, dim: number, label: string): LabelledEmbeddings {
  const rng = new SeededRandom(1, label);
  return {
    count,
    dim,
    embeddings: Float32Array.from({ length: count * dim }, () => rng.normal()),
    labels: Int32Array.from({ length: count }, () => rng.int(0, 9)),
  };
}

/** The X-ARES kNN written as plain loops: the baseline the graph must beat. */
function knnInJavaScript(train: LabelledEmbeddings, test: LabelledEmbeddings): Float64Array {
  const { dim } = train;
  const columnNorm = new Float64Array(dim);
  for (let n = 0; n < train.count; n++) {
    for (let d = 0; d < dim; d++) {
      columnNorm[d] = (columnNorm[d] as number) + (train.embeddings[n * dim + d] as number) ** 2;
    }
  }
  const scale = Float64Array.from(columnNorm, (sum) => 1 / Math.max(Math.sqrt(sum), 1e-12));
  const scores = new Float64Array(test.count * 10);
  const similarity = new Float64Array(train.count);
  for (let q = 0; q < test.count; q++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      norm += (test.embeddings[q * dim + d] as number) ** 2;
    }
    const inverse = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let n = 0; n < train.count; n++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) {
        dot +=
          (test.embeddings[q * dim + d] as number) *
          (train.embeddings[n * dim + d] as number) *
          (scale[d] as number);
      }
      similarity[n] = dot * inverse;
    }
    const top = Array.from(similarity.keys())
      .sort((a, b) => (similarity[b] as number) - (similarity[a] as number))
      .slice(0, 10);
    top.forEach((n, j) => {
      scores[q * 10 + j] = similarity[n] as number;
    });
  }
  return scores;
}

async function knnBench(): Promise<Row> {
  const train = randomSet(4000, 256, 'train');
  const test = randomSet(500, 256, 'test');
  const engine = new Engine();
  await knnScores(engine, train, test, 10);
  const graph = await repeat(5, () => knnScores(engine, train, test, 10));
  await engine.release();
  const loops = await repeat(3, () => Promise.resolve(knnInJavaScript(train, test)));
  return {
    name: 'kNN, 500 queries x 4000 x 256',
    baseline: 'JavaScript loops',
    baselineSeconds: loops,
    measured: 'Gemm + TopK graph',
    measuredSeconds: graph,
  };
}

async function batchBench(): Promise<Row> {
  const submissions = join(ROOT, 'submissions');
  await ensureExampleModels(submissions, createMemoryLogger());
  const submission = await loadSubmission(
    join(submissions, 'random-transformer'),
    'random-transformer',
    join(ROOT, '.cache'),
  );
  const encoder = new ClipEncoder(
    await OrtSession.create(submission.modelPath, { label: 'bench' }),
    submission.manifest,
  );
  const rng = new SeededRandom(2, 'crops');
  const crops = Array.from({ length: 64 }, () =>
    Float32Array.from({ length: 16000 }, () => 0.1 * rng.normal()),
  );
  await encoder.pooled(crops.slice(0, 16), 'warm-up');
  const single = await repeat(3, async () => {
    for (const crop of crops) {
      await encoder.pooled([crop], 'bench');
    }
  });
  const batched = await repeat(3, async () => {
    for (let start = 0; start < crops.length; start += 16) {
      await encoder.pooled(crops.slice(start, start + 16), 'bench');
    }
  });
  await encoder.release();
  return {
    name: 'random-transformer, 64 crops of 1 s',
    baseline: 'one crop per call',
    baselineSeconds: single,
    measured: '16 crops per call',
    measuredSeconds: batched,
  };
}

async function cacheBench(): Promise<Row> {
  const work = await mkdtemp(join(tmpdir(), 'bench-cache-'));
  const options = {
    suiteId: 'demo',
    resultsDir: join(work, 'results'),
    cacheDir: join(work, 'cache'),
    submissionsDir: join(ROOT, 'submissions'),
    submission: 'random-transformer',
    task: 'demo_timbre',
    replicates: 200,
    logger: createMemoryLogger(),
  };
  // Data generation is not what is measured: do it once first.
  await evaluate(options);
  const result = resultFile(options.resultsDir, 'random-transformer', 'demo_timbre');
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    await rm(join(work, 'cache', 'embeddings'), { recursive: true, force: true });
    await rm(result);
    cold.push(await timed(() => evaluate(options)));
    await rm(result);
    warm.push(await timed(() => evaluate(options)));
  }
  await rm(work, { recursive: true, force: true });
  return {
    name: 'demo_timbre, random-transformer',
    baseline: 'encode + heads',
    baselineSeconds: median(cold),
    measured: 'cached embeddings + heads',
    measuredSeconds: median(warm),
  };
}

/** 10 s of a 44.1 kHz stereo chord with a little noise: what most public datasets hold. */
function stereoClip(seconds: number, seed: number): Float32Array[] {
  const rng = new SeededRandom(seed, 'clip');
  const frames = Math.round(44_100 * seconds);
  return [0, 1].map((channel) =>
    Float32Array.from({ length: frames }, (_, t) => {
      const time = t / 44_100;
      return (
        0.2 * Math.sin(2 * Math.PI * (220 + 110 * channel) * time) +
        0.1 * Math.sin(2 * Math.PI * 660 * time) +
        0.02 * rng.normal()
      );
    }),
  );
}

async function tarReadBench(): Promise<Row> {
  const work = await mkdtemp(join(tmpdir(), 'bench-tar-'));
  const entries = [];
  for (let clip = 0; clip < 24; clip++) {
    entries.push({ name: `clip${clip}.wav`, bytes: encodeWav(stereoClip(10, clip), 44_100) });
    entries.push({ name: `clip${clip}.json`, bytes: new TextEncoder().encode('{"label":"a"}') });
  }
  const path = join(work, 'shard.tar');
  await writeFile(path, await packTar(entries));
  const bytes = (await stat(path)).size;
  const raw = await repeat(5, async () => {
    for await (const _chunk of createReadStream(path)) {
      // only the bytes
    }
  });
  const parsed = await repeat(5, async () => {
    for await (const _sample of readWebDataset(createReadStream(path), 'shard.tar')) {
      // every sample assembled
    }
  });
  await rm(work, { recursive: true, force: true });
  return {
    name: `tar read, ${(bytes / 2 ** 20).toFixed(0)} MiB shard`,
    baseline: 'file read',
    baselineSeconds: raw,
    measured: 'tar-stream samples',
    measuredSeconds: parsed,
    note: `tar read: ${(bytes / 2 ** 20 / parsed).toFixed(0)} MiB/s (file read ${(bytes / 2 ** 20 / raw).toFixed(0)} MiB/s)`,
  };
}

async function decodeBench(format: 'wav' | 'flac'): Promise<Row> {
  const clips = await Promise.all(
    Array.from({ length: 6 }, async (_, seed) => {
      const channels = stereoClip(10, 100 + seed);
      return format === 'wav' ? encodeWav(channels, 44_100) : encodeFlac(channels, 44_100);
    }),
  );
  const audioSeconds = clips.length * 10;
  const seconds = await repeat(3, async () => {
    for (const bytes of clips) {
      const decoded = await decodeAudio(bytes, 'bench');
      toMonoAtRate(decoded.channels, decoded.sampleRate, 16_000);
    }
  });
  return {
    name: `decode + resample ${format.toUpperCase()}, 44.1 kHz stereo to 16 kHz mono, 1 core`,
    baseline: 'real time',
    baselineSeconds: audioSeconds,
    measured: 'decode + resample',
    measuredSeconds: seconds,
  };
}

const rows = [
  await knnBench(),
  await batchBench(),
  await cacheBench(),
  await tarReadBench(),
  await decodeBench('wav'),
  await decodeBench('flac'),
];
const host = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}`;
process.stdout.write(`benchmarks on ${host} (medians)\n\n`);
const header = ['benchmark', 'baseline', 's', 'measured', 's', 'speed-up'];
const body = rows.map((row) => [
  row.name,
  row.baseline,
  row.baselineSeconds.toFixed(3),
  row.measured,
  row.measuredSeconds.toFixed(3),
  `${(row.baselineSeconds / row.measuredSeconds).toFixed(1)}x`,
]);
const widths = header.map((title, column) =>
  Math.max(title.length, ...body.map((cells) => (cells[column] as string).length)),
);
for (const cells of [header, ...body]) {
  process.stdout.write(
    cells
      .map((cell, column) => cell.padEnd(widths[column] as number))
      .join('  ')
      .trimEnd() + '\n',
  );
}
for (const row of rows) {
  if (row.note !== undefined) {
    process.stdout.write(`${row.note}\n`);
  }
}

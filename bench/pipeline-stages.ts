/**
 * The bench groups that measure one pipeline stage in this process (kNN, batching, the cache,
 * tar reading, decoding) or the whole demo build in child processes, each against a baseline
 * measured in the same run.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { toMonoAtRate } from '../pipeline/audio/crop.ts';
import { decodeAudio } from '../pipeline/audio/decode.ts';
import { encodeFlac } from '../pipeline/audio/flac.ts';
import { encodeWav } from '../pipeline/audio/wav.ts';
import { packTar, readWebDataset } from '../pipeline/data/webdataset.ts';
import { packCrops } from '../pipeline/encode/crop-batches.ts';
import { ClipEncoder } from '../pipeline/encode/embed.ts';
import { ensureExampleModels } from '../pipeline/example-encoders/examples.ts';
import { evaluate } from '../pipeline/run/loop.ts';
import { Engine } from '../pipeline/heads/engine.ts';
import { knnScores, type LabelledEmbeddings } from '../pipeline/heads/knn.ts';
import { knnInJavaScript } from './javascript-baselines.ts';
import { repeat, timed, median, type Row } from './measure.ts';
import { measureCommand } from './process-tree.ts';
import { createMemoryLogger } from '../pipeline/log.ts';
import { OrtSession } from '../pipeline/runtime/ort.ts';
import { resultFile } from '../schemas/results-layout.ts';
import { loadSubmission } from '../pipeline/submissions/scan.ts';
import { SeededRandom } from '../pipeline/util/random.ts';

const ROOT = resolve(import.meta.dirname, '..');

function randomSet(count: number, dim: number, label: string): LabelledEmbeddings {
  const rng = new SeededRandom(1, label);
  return {
    count,
    dim,
    embeddings: Float32Array.from({ length: count * dim }, () => rng.normal()),
    labels: Int32Array.from({ length: count }, () => rng.int(0, 9)),
  };
}

export async function knnBench(): Promise<Row> {
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

export async function batchBench(): Promise<Row> {
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
  const batch = (slice: Float32Array[]) =>
    packCrops(
      slice.map((samples, crop) => ({
        samples,
        item: { key: 'bench', crop, target: { kind: 'class', index: 0 } },
        where: 'bench',
        shard: 0,
      })),
      'none',
    );
  await encoder.pooled(batch(crops.slice(0, 16)));
  const single = await repeat(3, async () => {
    for (const crop of crops) {
      await encoder.pooled(batch([crop]));
    }
  });
  const batched = await repeat(3, async () => {
    for (let start = 0; start < crops.length; start += 16) {
      await encoder.pooled(batch(crops.slice(start, start + 16)));
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

export async function cacheBench(): Promise<Row> {
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

export async function tarReadBench(): Promise<Row> {
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

export async function decodeBench(format: 'wav' | 'flac'): Promise<Row> {
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

/**
 * `npm run build` as a fresh clone runs it (no .cache, no results: demo data generated, every
 * pair encoded and scored, the site built) and again with everything cached, in scratch folders.
 */
export async function buildRows(repetitions: number): Promise<Row[]> {
  const work = await mkdtemp(join(tmpdir(), 'bench-build-'));
  const env = {
    ...process.env,
    LEADERBOARD_CACHE_DIR: join(work, 'cache'),
    LEADERBOARD_RESULTS_DIR: join(work, 'results'),
    LEADERBOARD_OUT_DIR: join(work, 'dist'),
    LEADERBOARD_ASTRO_CACHE_DIR: join(work, 'astro-cache'),
  };
  const build = async () => {
    const evaluate = await measureCommand(process.execPath, ['pipeline/cli.ts', 'evaluate'], {
      cwd: ROOT,
      env,
    });
    const site = await measureCommand(
      process.execPath,
      [join(ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build'],
      { cwd: ROOT, env },
    );
    return {
      seconds: evaluate.seconds + site.seconds,
      peak: Math.max(evaluate.peakTreeRssBytes, site.peakTreeRssBytes),
    };
  };
  const cold: { seconds: number; peak: number }[] = [];
  const warm: { seconds: number; peak: number }[] = [];
  try {
    for (let i = 0; i < repetitions; i++) {
      await rm(join(work, 'cache'), { recursive: true, force: true });
      await rm(join(work, 'results'), { recursive: true, force: true });
      cold.push(await build());
      warm.push(await build());
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const mib = (runs: { peak: number }[]) =>
    `${(Math.max(...runs.map((run) => run.peak)) / 2 ** 20).toFixed(0)} MiB`;
  return [
    {
      name: 'demo build (evaluate + astro build)',
      baseline: 'cold (fresh clone)',
      baselineSeconds: median(cold.map((run) => run.seconds)),
      measured: 'warm (all cached)',
      measuredSeconds: median(warm.map((run) => run.seconds)),
      note: `demo build: cold ${median(cold.map((run) => run.seconds)).toFixed(1)} s, warm ${median(warm.map((run) => run.seconds)).toFixed(1)} s; peak resident memory (process tree) cold ${mib(cold)}, warm ${mib(warm)}`,
    },
  ];
}

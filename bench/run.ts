/**
 * `npm run bench [-- --only <groups>] [--probe-epochs <n>] [--repetitions <n>]`: speed of every
 * stage, each reported as a ratio against a baseline measured in the same run on the same
 * machine (never as absolute targets in tests). docs/performance.md has the figures.
 * - kNN similarity + top-k in one onnxruntime graph vs the same arithmetic in JavaScript loops;
 * - the heads at full task size against JavaScript loops, scikit-learn and PyTorch;
 * - the encoder stage of each example encoder against bare session.run on the same batches;
 * - the whole demo build (`npm run build`), cold and warm, with peak resident memory;
 * - the site at 30 and 500 synthetic submissions: build time, the home page's size, and a sort
 *   and a filter in Chromium;
 * - the encoder on batches of 16 equal-length crops vs one crop per call;
 * - a task whose embeddings are cached vs the same task encoded from scratch;
 * - reading a WebDataset shard with tar-stream vs reading the same file's bytes;
 * - decoding and resampling 44.1 kHz stereo WAV and FLAC to 16 kHz mono, against real time on
 *   one core (the speed-up is the real-time factor);
 * - only with `--only frames-scale`: a frame-level task of 9 million frames trained out of core
 *   (writes 28 GB to the temporary folder; `--frames`, `--scale-epochs`, `--scale-dir`, `--keep`);
 * - only with `--device webgpu|cuda`: every example encoder, an 85.5M-parameter transformer (with
 *   PyTorch as the peer), kNN and probe steps on the CPU provider against the GPU provider.
 * Each figure is the median of several repetitions unless its row says otherwise; `--json <file>`
 * also writes the rows as JSON.
 */
import { availableParallelism, cpus } from 'node:os';
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
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
import { ensureExampleModels } from '../pipeline/encoders/examples.ts';
import { evaluate } from '../pipeline/run/loop.ts';
import { Engine } from '../pipeline/heads/engine.ts';
import { knnScores, type LabelledEmbeddings } from '../pipeline/heads/knn.ts';
import { deviceRows } from './device.ts';
import { encoderStageRows } from './encoder-stage.ts';
import { framesAtScaleRows } from './frames-at-scale.ts';
import { knnAtScaleRows, probeAtScaleRows } from './heads-at-scale.ts';
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

/**
 * `npm run build` as a fresh clone runs it (no .cache, no results: demo data generated, every
 * pair encoded and scored, the site built) and again with everything cached, in scratch folders.
 */
async function buildRows(repetitions: number): Promise<Row[]> {
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

const GROUPS = [
  'knn',
  'knn-scale',
  'probe-scale',
  'encoder-stage',
  'batch',
  'cache',
  'tar',
  'decode',
  'build',
  'site',
  'frames-scale',
  'device',
] as const;
/** Run only when asked for: frames-scale writes 30 GB; device needs --device webgpu|cuda. */
const OPT_IN: readonly string[] = ['frames-scale', 'device'];
type Group = (typeof GROUPS)[number];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'probe-epochs': { type: 'string', default: '10' },
    repetitions: { type: 'string', default: '3' },
    frames: { type: 'string', default: '9000000' },
    'scale-epochs': { type: 'string', default: '1' },
    'scale-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
    device: { type: 'string' },
    /** Also write every row, with the host, as JSON here (the prepared GPU run collects them). */
    json: { type: 'string' },
  },
});
const device = values.device ?? 'cpu';
if (!['cpu', 'webgpu', 'cuda'].includes(device)) {
  throw new Error(`bench: --device must be cpu, webgpu or cuda (got "${device}")`);
}
// --device alone runs the CPU-versus-GPU comparison; with --only, what --only names.
const selected = new Set(
  (
    values.only ??
    (device === 'cpu' ? GROUPS.filter((group) => !OPT_IN.includes(group)).join(',') : 'device')
  )
    .split(',')
    .map((group) => group.trim()),
);
for (const group of selected) {
  if (!(GROUPS as readonly string[]).includes(group)) {
    throw new Error(`bench: unknown group "${group}"; the groups are ${GROUPS.join(', ')}`);
  }
}
const repetitions = Number(values.repetitions);
const probeEpochs = Number(values['probe-epochs']);
const runners: Record<Group, () => Promise<Row[]>> = {
  knn: async () => [await knnBench()],
  'knn-scale': () => knnAtScaleRows({ repetitions, probeEpochs }),
  'probe-scale': () => probeAtScaleRows({ repetitions, probeEpochs }),
  'encoder-stage': () =>
    encoderStageRows(
      ROOT,
      ['logmel-baseline', 'random-conv', 'random-transformer'],
      'demo_sound_events',
      10,
      repetitions,
    ),
  batch: async () => [await batchBench()],
  cache: async () => [await cacheBench()],
  tar: async () => [await tarReadBench()],
  decode: async () => [await decodeBench('wav'), await decodeBench('flac')],
  build: () => buildRows(repetitions),
  // Imported here: it needs Chromium's driver, which the GPU machine's carried packages lack.
  site: async () => (await import('./site.ts')).siteRows(repetitions),
  device: () => {
    if (device !== 'webgpu' && device !== 'cuda') {
      throw new Error('bench: the device group needs --device webgpu or --device cuda');
    }
    return deviceRows({ root: ROOT, provider: device, repetitions });
  },
  'frames-scale': () =>
    framesAtScaleRows({
      dir: values['scale-dir'] ?? join(tmpdir(), 'bench-frames-at-scale'),
      frames: Number(values.frames),
      epochs: Number(values['scale-epochs']),
      keep: values.keep,
    }),
};
const rows: Row[] = [];
for (const group of GROUPS) {
  if (selected.has(group)) {
    const started = performance.now();
    rows.push(...(await runners[group]()));
    process.stderr.write(
      `bench: ${group} done in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
    );
  }
}
const host = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}`;
process.stdout.write(`benchmarks on ${host} (medians of ${repetitions} unless noted)\n\n`);
const header = ['benchmark', 'baseline', 's', 'measured', 's', 'speed-up'];
const body = rows.map((row) => [
  row.name,
  row.baseline,
  Number.isNaN(row.baselineSeconds) ? '' : row.baselineSeconds.toFixed(3),
  row.measured,
  Number.isNaN(row.measuredSeconds) ? '' : row.measuredSeconds.toFixed(3),
  Number.isNaN(row.measuredSeconds)
    ? ''
    : `${(row.baselineSeconds / row.measuredSeconds).toFixed(2)}x`,
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
process.stdout.write('\n');
for (const row of rows) {
  if (row.note !== undefined) {
    process.stdout.write(`${row.note}\n`);
  }
}
if (values.json !== undefined) {
  await writeFile(
    values.json,
    JSON.stringify(
      {
        host,
        device,
        repetitions,
        rows: rows.map((row) => ({
          ...row,
          ratio: Number.isNaN(row.measuredSeconds)
            ? null
            : row.baselineSeconds / row.measuredSeconds,
        })),
      },
      null,
      2,
    ) + '\n',
  );
}

/**
 * A frame-level task at full size, trained out of core: a synthetic training split of 9 million
 * frames of 768 dimensions (LibriSpeech-100h at 25 frames per second; 27.6 GB of float32 in the
 * embedding cache's own file format), with validation and test splits the size of dev-clean and
 * test-clean, trained by the engine's frame probe exactly as a frame task is (blocks of 256 MiB
 * read from disk, shuffled block order, items shuffled inside each block).
 *
 * `npm run bench -- --only frames-scale [--frames <n>] [--scale-epochs <n>] [--scale-dir <dir>]`.
 * The files are written first (streamed, by this process); training then runs in a child
 * process whose peak resident memory the kernel reports at its end (getrusage maxrss), so the
 * figure is the training's alone.
 */
import { spawn } from 'node:child_process';
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrameEvent } from '../pipeline/data/labels.ts';
import {
  EmbeddingFileWriter,
  openEmbeddingFile,
  type CachedItem,
  type EmbeddingFile,
  type EmbeddingFileHeader,
  type EmbeddingIdentity,
} from '../pipeline/encode/cache.ts';
import { Engine } from '../pipeline/heads/engine.ts';
import { probeEvaluator } from '../pipeline/heads/evaluators.ts';
import { trainLinearProbe } from '../pipeline/heads/linear-probe.ts';
import { frameProbeSource, frameTargets } from '../pipeline/heads/sources.ts';
import { SeededRandom } from '../pipeline/util/random.ts';
import type { Row } from './measure.ts';

const DIM = 768;
const CLASSES = 10;
const HOP_MS = 40;
const ITEMS_PER_FILE = 1000;
const SPLITS = { train: 9_000_000, valid: 480_000, test: 480_000 } as const;
type Split = keyof typeof SPLITS;

function identity(split: string, shard: string): EmbeddingIdentity {
  return {
    key: 'a'.repeat(64),
    modelSha256: 'b'.repeat(64),
    task: 'frames_at_scale',
    taskVersion: 1,
    split,
    shard,
    shardSha256: 'c'.repeat(64),
    sequence: null,
  };
}

/** Utterances of 2-25 s (50-625 frames) with one to three events of the ten classes. */
function plannedItems(split: string, frames: number): CachedItem[] {
  const rng = new SeededRandom(11, `items/${split}`);
  const items: CachedItem[] = [];
  for (let total = 0, i = 0; total < frames; i++) {
    const length = Math.min(frames - total, rng.int(50, 625));
    const seconds = (length * HOP_MS) / 1000;
    const events: FrameEvent[] = Array.from({ length: rng.int(1, 3) }, () => {
      const start = rng.uniform(0, seconds * 0.8);
      return {
        start,
        end: Math.min(seconds, start + rng.uniform(0.5, seconds / 2)),
        classes: [rng.int(0, CLASSES - 1)],
      };
    });
    items.push({
      key: `${split}-${i}`,
      crop: 0,
      frames: length,
      target: { kind: 'events', events },
    });
    total += length;
  }
  return items;
}

/**
 * Write one cache file without holding its embeddings: each frame is its active classes'
 * centres plus noise drawn from a fixed bank at a random offset (cheap, and learnable).
 */
async function writeSyntheticFile(
  path: string,
  header: EmbeddingFileHeader,
  centres: Float32Array,
  noise: Float32Array,
  rng: SeededRandom,
): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const writer = new EmbeddingFileWriter(handle, header);
    for (const item of header.items) {
      const rows = new Float32Array(item.frames * DIM);
      const active =
        item.target.kind === 'events'
          ? frameTargets(item.target.events, item.frames, CLASSES, HOP_MS, undefined)
          : new Float32Array(item.frames * CLASSES);
      for (let t = 0; t < item.frames; t++) {
        const offset = rng.int(0, noise.length - DIM);
        rows.set(noise.subarray(offset, offset + DIM), t * DIM);
        for (let c = 0; c < CLASSES; c++) {
          if (active[t * CLASSES + c] === 1) {
            for (let d = 0; d < DIM; d++) {
              rows[t * DIM + d] = (rows[t * DIM + d] as number) + (centres[c * DIM + d] as number);
            }
          }
        }
      }
      await writer.writeRows(rows);
    }
    await writer.finish();
  } finally {
    await handle.close();
  }
}

async function writeSplits(dir: string, frames: number): Promise<void> {
  const centreRng = new SeededRandom(12, 'centres');
  const centres = Float32Array.from({ length: CLASSES * DIM }, () => 0.15 * centreRng.normal());
  const noiseRng = new SeededRandom(13, 'noise');
  const noise = Float32Array.from({ length: 1 << 20 }, () => noiseRng.normal());
  for (const split of Object.keys(SPLITS) as Split[]) {
    const target = split === 'train' ? frames : Math.min(SPLITS[split], frames);
    const items = plannedItems(split, target);
    const rng = new SeededRandom(14, `rows/${split}`);
    await mkdir(join(dir, split), { recursive: true });
    for (let file = 0; file * ITEMS_PER_FILE < items.length; file++) {
      const shard = `${split}-${String(file).padStart(6, '0')}`;
      await writeSyntheticFile(
        join(dir, split, `${shard}.emb`),
        {
          identity: identity(split, shard),
          mode: 'frames',
          precision: 'float32',
          dim: DIM,
          items: items.slice(file * ITEMS_PER_FILE, (file + 1) * ITEMS_PER_FILE),
          audioSeconds: 0,
          encodedSeconds: 0,
          encodeSeconds: 0,
        },
        centres,
        noise,
        rng,
      );
    }
  }
}

async function openSplit(dir: string, split: Split): Promise<EmbeddingFile[]> {
  const files: EmbeddingFile[] = [];
  for (let file = 0; ; file++) {
    const shard = `${split}-${String(file).padStart(6, '0')}`;
    const opened = await openEmbeddingFile(
      join(dir, split, `${shard}.emb`),
      identity(split, shard),
    );
    if (opened.status === 'missing') {
      return files;
    }
    if (opened.status === 'invalid') {
      throw new Error(`${shard}: ${opened.reason}`);
    }
    files.push(opened.file);
  }
}

export interface FramesAtScaleReport {
  readonly trainFrames: number;
  readonly trainBytes: number;
  readonly blocks: number;
  readonly seconds: number;
  readonly peakRssBytes: number;
  readonly trainLosses: readonly number[];
  readonly validScores: readonly number[];
  readonly testScore: number;
}

/** The child process: train the frame probe on the files and report. */
async function train(dir: string, epochs: number): Promise<FramesAtScaleReport> {
  const splits = {
    train: await openSplit(dir, 'train'),
    valid: await openSplit(dir, 'valid'),
    test: await openSplit(dir, 'test'),
  };
  const source = (files: EmbeddingFile[]) =>
    frameProbeSource(files, DIM, CLASSES, HOP_MS, undefined);
  const trainSource = source(splits.train);
  const trainFrames = splits.train.reduce((sum, file) => sum + (file.rowOffsets.at(-1) ?? 0), 0);
  const engine = new Engine();
  const started = performance.now();
  const result = await trainLinearProbe(engine, {
    train: trainSource,
    valid: source(splits.valid),
    test: source(splits.test),
    classes: CLASSES,
    recipe: { epochs, learningRate: 1e-3, batchSize: 32, loss: 'bce' },
    evaluator: probeEvaluator('segment_f1_macro', CLASSES, 1000 / HOP_MS),
    seed: 1,
    streamLabel: 'frames-at-scale',
  });
  const seconds = (performance.now() - started) / 1000;
  await engine.release();
  return {
    trainFrames,
    trainBytes: trainFrames * DIM * 4,
    blocks: trainSource.blocks,
    seconds,
    // Node reports getrusage's ru_maxrss in kibibytes.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    trainLosses: result.trainLosses,
    validScores: result.validScores,
    testScore: result.test.score,
  };
}

/** Seconds to read every file of a folder once, 64 MiB at a time: the I/O floor of an epoch. */
async function readEveryFile(dir: string): Promise<number> {
  const started = performance.now();
  const buffer = new Uint8Array(64 * 2 ** 20);
  for (const name of (await readdir(dir)).sort()) {
    const handle = await open(join(dir, name), 'r');
    try {
      while ((await handle.read(buffer, 0, buffer.length, null)).bytesRead > 0) {
        // only the bytes
      }
    } finally {
      await handle.close();
    }
  }
  return (performance.now() - started) / 1000;
}

export interface FramesAtScaleOptions {
  readonly dir: string;
  readonly frames: number;
  readonly epochs: number;
  readonly keep: boolean;
}

export async function framesAtScaleRows(options: FramesAtScaleOptions): Promise<Row[]> {
  const writeStarted = performance.now();
  await writeSplits(options.dir, options.frames);
  const writeSeconds = (performance.now() - writeStarted) / 1000;
  try {
    const readSeconds = await readEveryFile(join(options.dir, 'train'));
    const child = spawn(
      process.execPath,
      [import.meta.filename, '--train', options.dir, '--epochs', String(options.epochs)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) {
      throw new Error(`frames-at-scale training exited with ${code}`);
    }
    const report = JSON.parse(output.trim().split('\n').at(-1) ?? '') as FramesAtScaleReport;
    const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
    return [
      {
        name: `frame probe out of core, ${report.trainFrames.toLocaleString('en')} x ${DIM} frames (${gib(report.trainBytes)}), ${options.epochs} epoch${options.epochs === 1 ? '' : 's'}`,
        baseline: 'reading the training files once',
        baselineSeconds: readSeconds,
        measured: 'training + validation + test',
        measuredSeconds: report.seconds,
        note: `frames at scale: files written in ${writeSeconds.toFixed(0)} s; ${report.blocks} blocks of at most 256 MiB; peak resident memory of the training process ${gib(report.peakRssBytes)} (limit 4 GiB); ${((report.trainFrames * options.epochs) / report.seconds / 1e6).toFixed(2)} M frames/s; train loss ${report.trainLosses.map((loss) => loss.toFixed(4)).join(', ')}; validation segment F1 ${report.validScores.map((score) => score.toFixed(3)).join(', ')}; test ${report.testScore.toFixed(3)}`,
      },
    ];
  } finally {
    if (!options.keep) {
      await rm(options.dir, { recursive: true, force: true });
    }
  }
}

if (process.argv[2] === '--train') {
  const report = await train(process.argv[3] as string, Number(process.argv[5] ?? '1'));
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/**
 * The X-ARES-as-shipped protocol on cases small enough to work out by hand: batches of
 * consecutive crops cross shard boundaries and are zero-padded to the longest crop, the padding
 * frames are averaged into the pooled embedding, long inputs are cut as the X-ARES example
 * encoders cut them, and all of it can change what the kNN answers.
 *
 * The encoder here has exactly computable output: one frame per 128 samples (16 kHz, 8 ms),
 * frame = [m, 1 - m] with m the window's mean. A padding frame is therefore [0, 1], and a clip of
 * constant value v that fills a fraction r of its padded batch pools to [r v, 1 - r v].
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../../schemas/protocols.ts';
import { TaskDefinition as TaskSchema, type TaskDefinition } from '../../../schemas/task.ts';
import { encodeWav } from '../../../pipeline/audio/wav.ts';
import type { LabelledAudio } from '../../../pipeline/data/samples.ts';
import { packTar, type ShardEntry } from '../../../pipeline/data/webdataset.ts';
import {
  cropEvents,
  type CropBatch,
  type CropEvent,
} from '../../../pipeline/encode/crop-batches.ts';
import { ClipEncoder } from '../../../pipeline/encode/embed.ts';
import { encodeTask } from '../../../pipeline/encode/stage.ts';
import { DEFAULT_ENCODE_LIMITS } from '../../../pipeline/encode/supervisor.ts';
import { Engine } from '../../../pipeline/heads/engine.ts';
import { scoreTask } from '../../../pipeline/heads/score-task.ts';
import { createMemoryLogger } from '../../../pipeline/log.ts';
import { GraphBuilder } from '../../../pipeline/onnx/graph-builder.ts';
import { OrtSession } from '../../../pipeline/runtime/ort.ts';
import { loadSubmission } from '../../../pipeline/submissions/scan.ts';
import { sha256Bytes } from '../../../pipeline/util/hash.ts';
import { nanOutput, writeSubmission } from '../../support/broken-encoders.ts';

const RATE = 16000;
const WINDOW = 128;

function windowMeanEncoder(): Uint8Array {
  const g = new GraphBuilder('window_mean');
  const waveform = g.input('waveform', 'float32', ['batch', 'samples']);
  const mean = g.op(
    'Conv',
    [
      g.op('Unsqueeze', [waveform, g.int64s([1])]),
      g.constant(new Float32Array(WINDOW).fill(1 / WINDOW), [1, 1, WINDOW]),
    ],
    { kernel_shape: [WINDOW], strides: [WINDOW] },
  );
  const frames = g.op('Concat', [mean, g.op('Sub', [g.scalar(1), mean])], { axis: 1 });
  g.output(
    g.op('Transpose', [frames], { perm: [0, 2, 1] }),
    'float32',
    ['batch', 'frames', 2],
    'embeddings',
  );
  return g.toModel();
}

const constant = (value: number, windows: number) => new Float32Array(windows * WINDOW).fill(value);

async function* clips(
  shard: string,
  entries: readonly (readonly [string, Float32Array])[],
): AsyncGenerator<LabelledAudio> {
  for (const [key, samples] of entries) {
    await Promise.resolve();
    yield {
      shard,
      key,
      channels: [samples],
      sampleRate: RATE,
      target: { kind: 'class', index: 0 },
    };
  }
}

async function events(
  shards: readonly (readonly (readonly [string, Float32Array])[])[],
  batching: 'equal-length' | 'padded',
): Promise<CropEvent[]> {
  const out: CropEvent[] = [];
  const sources = shards.map((entries, id) => ({ id, samples: clips(`s${id}.tar`, entries) }));
  for await (const event of cropEvents({ sampleRate: RATE }, sources, {
    mode: 'pooled',
    cropSeconds: undefined,
    batchSize: 2,
    batching,
  })) {
    out.push(event);
  }
  return out;
}

const summary = (event: CropEvent) =>
  event.type === 'batch'
    ? `batch ${event.batch.items.map((item) => item.key).join('+')} width ${event.batch.width}`
    : `end s${event.shard}`;

describe('padded batches (X-ARES as shipped)', () => {
  let dir: string;
  let session: OrtSession;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'padded-'));
    await writeFile(join(dir, 'model.onnx'), windowMeanEncoder());
    session = await OrtSession.create(join(dir, 'model.onnx'), { label: 'window-mean' });
  });

  it('runs batches on across shard boundaries and pads them to their longest crop', async () => {
    const shards = [
      [
        ['a', constant(0.5, 2)],
        ['b', constant(0.5, 1)],
        ['c', constant(0.5, 3)],
      ],
      [['d', constant(0.5, 1)]],
      [],
      [['e', constant(0.5, 4)]],
    ] as const;
    expect((await events(shards, 'padded')).map(summary)).toEqual([
      'batch a+b width 256',
      // c (shard 0) and d (shard 1) share a batch; shard 0 ends only once c is in one.
      'batch c+d width 384',
      'end s0',
      'end s1',
      // An empty shard ends at once.
      'end s2',
      'batch e width 512',
      'end s3',
    ]);
    // The default protocol never pads and never crosses a shard: a batch per length run.
    expect((await events(shards, 'equal-length')).map(summary)).toEqual([
      'batch a width 256',
      'batch b width 128',
      'batch c width 384',
      'end s0',
      'batch d width 128',
      'end s1',
      'end s2',
      'batch e width 512',
      'end s3',
    ]);
    const [first] = (await events(shards, 'padded')).filter(
      (event): event is Extract<CropEvent, { type: 'batch' }> => event.type === 'batch',
    );
    // b is zero-padded from 128 to 256 samples.
    expect(Array.from(first?.batch.input.subarray(256, 512) ?? [])).toEqual([
      ...new Array<number>(128).fill(0.5),
      ...new Array<number>(128).fill(0),
    ]);
  });

  it('averages the padding frames into the pooled embedding', async () => {
    const [event] = (
      await events(
        [
          [
            ['loud', constant(0.5, 4)],
            ['short', constant(0.5, 1)],
          ],
        ],
        'padded',
      )
    ).filter((candidate) => candidate.type === 'batch');
    const batch = (event as Extract<CropEvent, { type: 'batch' }>).batch;
    const encoder = new ClipEncoder(session, {
      sampleRate: RATE,
      embeddingDim: 2,
      maxInputSeconds: 10,
    });
    // "short" fills 1 of the batch's 4 frames: [0.5 / 4, 1 - 0.5 / 4]; "loud" fills them all.
    expect(Array.from(await encoder.pooled(batch))).toEqual([0.5, 0.5, 0.125, 0.875]);
  });

  it('cuts long inputs as the X-ARES example encoders do: the whole batch, a last chunk under 1 s padded to 1 s', async () => {
    // maxInputSeconds 1 s = 16000 samples = 125 windows; the crop has 126 windows (16128 samples).
    const contract = { sampleRate: RATE, embeddingDim: 2, maxInputSeconds: 1 };
    const batch: CropBatch = {
      input: constant(0.5, 126),
      count: 1,
      width: 126 * WINDOW,
      items: [{ key: 'long', crop: 0, target: { kind: 'class', index: 0 } }],
      wheres: ['s0.tar: long'],
      shards: [0],
    };
    const xares = await new ClipEncoder(session, contract, 'x-ares-examples').sequences(batch);
    // Chunk 1: 125 frames [0.5, 0.5]. Chunk 2: 1 window of 0.5 padded to 1 s (125 windows): one
    // frame [0.5, 0.5] and 124 padding frames [0, 1]. 250 frames, 126 of them real.
    const sequence = xares[0] as Float32Array;
    expect(sequence.length).toBe(250 * 2);
    const column = (d: number) => sequence.filter((_, i) => i % 2 === d);
    expect(column(0).filter((value) => value === 0.5).length).toBe(126);
    expect(column(0).filter((value) => value === 0).length).toBe(124);
    const mean = (values: Float32Array) => values.reduce((sum, value) => sum + value, 0) / 250;
    expect(mean(column(0))).toBeCloseTo(63 / 250, 12);
    expect(mean(column(1))).toBeCloseTo(1 - 63 / 250, 12);
    // The default chunks each crop and never pads: 125 + 1 frames, all [0.5, 0.5].
    const plain = await new ClipEncoder(session, contract, 'per-crop').sequences(batch);
    expect(Array.from(plain[0] ?? [])).toEqual(new Array<number>(126 * 2).fill(0.5));
  });
});

describe('what padding does to a kNN answer', () => {
  // Train: 5 clips of 0.5 ("a": [0.5, 0.5]) and 5 of 0.125 ("b": [0.125, 0.875]), all 4 windows
  // long, so no train batch is padded. Test: "query" (a, 0.5, 1 window) then "filler" (b, 0.125,
  // 4 windows). In a padded batch of 2 the query fills 1 of 4 windows and pools to
  // [0.125, 0.875]: exactly a "b" clip.
  //
  // The kNN (X-ARES): train columns L2-normalised over the 10 items, c0 = sqrt(5 * 0.25 +
  // 5 * 0.015625), c1 = sqrt(5 * 0.25 + 5 * 0.765625); a' = [0.4339, 0.2219], b' = [0.1085,
  // 0.3883]; the query unit-normalised.
  // - Unpadded query [0.7071, 0.7071]: similarity to a 0.4637, to b 0.3513 -> "a" (right).
  // - Padded query [0.1414, 0.9899]: to a 0.2811, to b 0.3997 -> "b" (wrong).
  // - Filler [0.1414, 0.9899] either way -> "b" (right).
  // Track B accuracy: 2/2 under the leaderboard protocol, 1/2 under X-ARES as shipped.
  let task: TaskDefinition;
  let work: string;
  let shards: Record<string, string>;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'padded-knn-'));
    const entry = (key: string, samples: Float32Array, label: string): ShardEntry[] => [
      { name: `${key}.wav`, bytes: encodeWav([samples], RATE, 'pcm16') },
      { name: `${key}.json`, bytes: new TextEncoder().encode(JSON.stringify({ label })) },
    ];
    const train = Array.from({ length: 10 }, (_, i) =>
      entry(`t${i}`, constant(i < 5 ? 0.5 : 0.125, 4), i < 5 ? 'a' : 'b'),
    ).flat();
    const test = [
      ...entry('query', constant(0.5, 1), 'a'),
      ...entry('filler', constant(0.125, 4), 'b'),
    ];
    shards = {};
    for (const [name, entries] of [
      ['train.tar', train],
      ['test.tar', test],
    ] as const) {
      const bytes = await packTar(entries);
      await writeFile(join(work, name), bytes);
      shards[name] = sha256Bytes(bytes);
    }
    task = TaskSchema.parse({
      id: 'padding_flip',
      version: 1,
      name: 'Padding flip',
      description: 'Two classes, one query that padding moves across the boundary.',
      domain: 'sound',
      dataset: { name: 'Hand-made' },
      type: 'clip',
      metric: 'accuracy',
      labels: { kind: 'single', key: 'label', classes: ['a', 'b'] },
      splits: { kind: 'standard', train: ['train.tar'], valid: ['test.tar'], test: ['test.tar'] },
      source: { kind: 'generated', generator: 'test' },
      trackA: { epochs: 1 },
      trackB: true,
      weight: 1,
    });
    await writeSubmission(join(work, 'submissions'), 'window-mean', windowMeanEncoder(), {
      embeddingDim: 2,
      hopMs: 8,
      maxInputSeconds: 10,
    });
  });

  it.each([
    ['leaderboard', 1],
    ['xares-0.1.3', 0.5],
  ] as const)('under the %s protocol Track B scores %s', async (name, expected) => {
    const submission = await loadSubmission(
      join(work, 'submissions', 'window-mean'),
      'window-mean',
      join(work, 'cache'),
    );
    const encoded = await encodeTask({
      submission,
      task,
      data: { status: 'ready', dir: work, shards, newlyLocked: {} },
      cacheDir: join(work, 'cache'),
      protocol: PROTOCOLS[name],
      provider: 'cpu',
      precision: 'float32',
      limits: DEFAULT_ENCODE_LIMITS,
      logger: createMemoryLogger(),
      label: `window-mean x ${task.id}`,
    });
    const engine = new Engine({ provider: 'cpu' });
    try {
      const scores = await scoreTask({
        engine,
        task,
        manifest: submission.manifest,
        splits: encoded.splits,
        tokenizer: { cacheDir: join(work, 'cache') },
        replicates: 10,
        paddedFrameEvaluation: PROTOCOLS[name].batching === 'padded',
      });
      expect(scores.trackB?.score).toBe(expected);
    } finally {
      await engine.release();
    }
  });

  it('refuses an embedding that is not finite, naming the clip, even past the checker', async () => {
    // evaluate runs the checker's probes first; this guard is the last line behind them.
    await writeSubmission(join(work, 'submissions'), 'nan', nanOutput());
    const submission = await loadSubmission(
      join(work, 'submissions', 'nan'),
      'nan',
      join(work, 'cache'),
    );
    await expect(
      encodeTask({
        submission,
        task,
        data: { status: 'ready', dir: work, shards, newlyLocked: {} },
        cacheDir: join(work, 'cache'),
        protocol: PROTOCOLS.leaderboard,
        provider: 'cpu',
        precision: 'float32',
        limits: DEFAULT_ENCODE_LIMITS,
        logger: createMemoryLogger(),
        label: `nan x ${task.id}`,
      }),
    ).rejects.toThrow(/model\.onnx: embedding of train\.tar: t0 contains NaN/);
  });
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskLabels } from '../../../schemas/task.ts';
import { encodeWav } from '../../../pipeline/audio/wav.ts';
import { readLabelledAudio } from '../../../pipeline/data/samples.ts';
import { packTar, type ShardEntry } from '../../../pipeline/data/webdataset.ts';
import {
  CropThread,
  PREFETCH_BATCHES,
  type CropThreadJob,
} from '../../../pipeline/encode/crop-thread.ts';
import { cropBatches, type CropBatch, type CropBatches } from '../../../pipeline/encode/embed.ts';
import { DataError } from '../../../pipeline/errors.ts';

const LABELS: TaskLabels = { kind: 'single', key: 'label', classes: ['a', 'b'] };
let dir: string;

function clip(name: string, samples: Float32Array, rate: number, label = 'a'): ShardEntry[] {
  return [
    { name: `${name}.wav`, bytes: encodeWav([samples], rate, 'pcm16') },
    { name: `${name}.json`, bytes: new TextEncoder().encode(JSON.stringify({ label })) },
  ];
}

/** Clips of mixed lengths and rates, so batches break on length and on the batch size. */
async function mixedShard(name: string, clips: number, seed: number): Promise<void> {
  const entries: ShardEntry[] = [];
  for (let i = 0; i < clips; i++) {
    const length = [900, 2400, 2400, 2400, 500, 4100][(i + seed) % 6] as number;
    const rate = i % 3 === 0 ? 16000 : 8000;
    const samples = Float32Array.from({ length }, (_, t) => 0.5 * Math.sin((t * (i + seed)) / 7));
    entries.push(...clip(`c${seed}-${i}`, samples, rate, i % 2 === 0 ? 'a' : 'b'));
  }
  await writeFile(join(dir, name), await packTar(entries));
}

function job(shards: string[], overrides: Partial<CropThreadJob> = {}): CropThreadJob {
  return {
    contract: { sampleRate: 8000, embeddingDim: 4, maxInputSeconds: 10 },
    labels: LABELS,
    dataDir: dir,
    shards,
    mode: 'pooled',
    cropSeconds: 0.1,
    batchSize: 3,
    ...overrides,
  };
}

async function drain(reader: CropBatches): Promise<CropBatch[]> {
  const batches: CropBatch[] = [];
  for await (const batch of reader.batches) {
    batches.push(batch);
  }
  return batches;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crop-thread-'));
  await mixedShard('one.tar', 14, 1);
  await mixedShard('two.tar', 9, 2);
  const broken = [
    ...clip('fine', new Float32Array(800).fill(0.25), 8000),
    { name: 'nolabel.wav', bytes: encodeWav([new Float32Array(800)], 8000, 'pcm16') },
  ];
  await writeFile(join(dir, 'broken.tar'), await packTar(broken));
  await mixedShard('long.tar', 60, 3);
});

describe('CropThread', () => {
  it.each([
    ['pooled, cropped', { mode: 'pooled', cropSeconds: 0.1 }],
    ['pooled, whole clips', { mode: 'pooled', cropSeconds: undefined }],
    ['frames', { mode: 'frames', cropSeconds: undefined, batchSize: 1 }],
  ] as const)('yields exactly the batches of the in-thread reader (%s)', async (_, options) => {
    const shards = ['one.tar', 'two.tar'];
    const thread = new CropThread(job(shards, options));
    try {
      for (const [index, shard] of shards.entries()) {
        const expected = cropBatches(
          job(shards, options).contract,
          readLabelledAudio(dir, [shard], LABELS),
          job(shards, options),
        );
        const wanted = await drain(expected);
        const reader = thread.shard(index);
        const got = await drain(reader);
        expect(wanted.length).toBeGreaterThan(2);
        expect(got).toEqual(wanted);
        expect(reader.audioSeconds()).toBe(expected.audioSeconds());
        expect(reader.cropSamples()).toBe(expected.cropSamples());
      }
    } finally {
      await thread.close();
    }
  });

  it('rethrows a bad sample as the same typed error, with its message', async () => {
    const inThread = drain(
      cropBatches(job([]).contract, readLabelledAudio(dir, ['broken.tar'], LABELS), job([])),
    );
    const expected = await inThread.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(expected).toBeInstanceOf(DataError);
    const thread = new CropThread(job(['broken.tar']));
    try {
      const error = await drain(thread.shard(0)).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).message).toBe((expected as DataError).message);
      expect((error as DataError).message).toContain('broken.tar: sample "nolabel"');
    } finally {
      await thread.close();
    }
  });

  it(`reads at most ${PREFETCH_BATCHES} batches ahead of the consumer`, async () => {
    const thread = new CropThread(job(['long.tar'], { batchSize: 1 }));
    try {
      const reader = thread.shard(0);
      const iterator = reader.batches[Symbol.asyncIterator]();
      await iterator.next();
      const deadline = Date.now() + 10_000;
      while (thread.bufferedBatches < PREFETCH_BATCHES && Date.now() < deadline) {
        await sleep(20);
      }
      await sleep(300);
      expect(thread.bufferedBatches).toBe(PREFETCH_BATCHES);
      let taken = 1;
      while (!(await iterator.next()).done) {
        taken++;
      }
      expect(taken).toBeGreaterThan(4 * PREFETCH_BATCHES);
    } finally {
      await thread.close();
    }
  });

  it('refuses shards out of order', async () => {
    const thread = new CropThread(job(['one.tar', 'two.tar']));
    try {
      expect(() => thread.shard(1)).toThrow(/shard 1 asked for, 0 is next/);
    } finally {
      await thread.close();
    }
  });
});

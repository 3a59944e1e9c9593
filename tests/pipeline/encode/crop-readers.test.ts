import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskLabels } from '../../../schemas/task.ts';
import { encodeWav } from '../../../pipeline/audio/wav.ts';
import { packTar, type ShardEntry } from '../../../pipeline/data/webdataset.ts';
import {
  CropReaders,
  PREFETCH_BATCHES,
  readStreamsInline,
  type CropReadJob,
  type StreamEvent,
} from '../../../pipeline/encode/crop-readers.ts';
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

/** Each shard its own stream, unless `streams` groups them. */
function job(shards: string[], overrides: Partial<CropReadJob> = {}): CropReadJob {
  return {
    contract: { sampleRate: 8000, embeddingDim: 4, maxInputSeconds: 10 },
    labels: LABELS,
    dataDir: dir,
    shards,
    streams: shards.map((_, index) => [index]),
    mode: 'pooled',
    cropSeconds: 0.1,
    batchSize: 3,
    batching: 'equal-length',
    ...overrides,
  };
}

async function drain(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of events) {
    out.push(event);
  }
  return out;
}

/** The events of each stream, in order: what must not depend on the readers. */
function byStream(events: readonly StreamEvent[]): Map<number, StreamEvent['event'][]> {
  const streams = new Map<number, StreamEvent['event'][]>();
  for (const { stream, event } of events) {
    streams.set(stream, [...(streams.get(stream) ?? []), event]);
  }
  return streams;
}

async function readWith(readJob: CropReadJob, readers: number): Promise<StreamEvent[]> {
  const threads = new CropReaders(readJob, readers);
  try {
    return await drain(threads.events());
  } finally {
    await threads.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crop-readers-'));
  await mixedShard('one.tar', 14, 1);
  await mixedShard('two.tar', 9, 2);
  await mixedShard('three.tar', 11, 4);
  const broken = [
    ...clip('fine', new Float32Array(800).fill(0.25), 8000),
    // A label entry that is not JSON (a missing one is skipped, as X-ARES skips it).
    { name: 'badlabel.wav', bytes: encodeWav([new Float32Array(800)], 8000, 'pcm16') },
    { name: 'badlabel.json', bytes: new TextEncoder().encode('{"label":') },
  ];
  await writeFile(join(dir, 'broken.tar'), await packTar(broken));
  await mixedShard('long.tar', 60, 3);
});

describe('CropReaders', () => {
  const shards = ['one.tar', 'two.tar', 'three.tar'];
  it.each([
    ['pooled, cropped', { mode: 'pooled', cropSeconds: 0.1 }],
    ['pooled, whole clips', { mode: 'pooled', cropSeconds: undefined }],
    ['frames', { mode: 'frames', cropSeconds: undefined, batchSize: 1 }],
    [
      'padded, one stream over every shard',
      { cropSeconds: undefined, batching: 'padded', streams: [[0, 1, 2]] },
    ],
  ] as const)(
    'yields exactly the events of the in-thread reader with 1 and 3 threads (%s)',
    async (_, options) => {
      const readJob = job(shards, options);
      const wanted = byStream(await drain(readStreamsInline(readJob)));
      expect([...wanted.values()].flat().filter((e) => e.type === 'batch').length).toBeGreaterThan(
        4,
      );
      for (const readers of [1, 3]) {
        const got = await readWith(readJob, readers);
        expect(byStream(got)).toEqual(wanted);
      }
    },
  );

  it('starts at most one thread per stream', async () => {
    const threads = new CropReaders(job(['one.tar']), 4);
    try {
      expect(threads.readerCount).toBe(1);
      await drain(threads.events());
    } finally {
      await threads.close();
    }
  });

  it('rethrows a bad sample as the same typed error, with its message', async () => {
    const readJob = job(['broken.tar']);
    const expected = await drain(readStreamsInline(readJob)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(expected).toBeInstanceOf(DataError);
    const error = await readWith(readJob, 2).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toBe((expected as DataError).message);
    expect((error as DataError).message).toBe('broken.tar: badlabel.json is not valid JSON');
  });

  it(`reads at most ${PREFETCH_BATCHES} batches ahead of the consumer per thread`, async () => {
    const threads = new CropReaders(job(['long.tar'], { batchSize: 1 }), 1);
    try {
      const iterator = threads.events()[Symbol.asyncIterator]();
      await iterator.next();
      const deadline = Date.now() + 20_000;
      while (threads.bufferedBatches < PREFETCH_BATCHES && Date.now() < deadline) {
        await sleep(20);
      }
      await sleep(300);
      expect(threads.bufferedBatches).toBe(PREFETCH_BATCHES);
      let taken = 1;
      while (!(await iterator.next()).done) {
        taken++;
      }
      expect(taken).toBeGreaterThan(4 * PREFETCH_BATCHES);
    } finally {
      await threads.close();
    }
  });
});

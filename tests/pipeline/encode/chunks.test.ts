import { describe, expect, it } from 'vitest';
import type { CropBatch } from '../../../pipeline/encode/crop-batches.ts';
import { ClipEncoder } from '../../../pipeline/encode/embed.ts';
import { OrtSession } from '../../../pipeline/runtime/ort.ts';
import { needsFullWindow } from '../../support/broken-encoders.ts';
import { chunkRanges, fixedChunkRanges, shortestChunk } from '../../../pipeline/encode/chunks.ts';

describe('chunkRanges (the leaderboard protocol)', () => {
  it('cuts a clip just over the maximum into two halves, never a sliver', () => {
    // 10.01 s at 16 kHz with a 10 s maximum: 160160 samples, two chunks of 80080.
    expect(chunkRanges(160160, 160000)).toEqual([
      [0, 80080],
      [80080, 160160],
    ]);
    expect(shortestChunk(160000)).toBe(80000);
    expect(chunkRanges(160001, 160000)).toEqual([
      [0, 80001],
      [80001, 160001],
    ]);
  });

  it('keeps a clip of at most the maximum whole, and makes the first chunks one sample longer', () => {
    expect(chunkRanges(160000, 160000)).toEqual([[0, 160000]]);
    expect(chunkRanges(1600, 160000)).toEqual([[0, 1600]]);
    expect(chunkRanges(10, 4)).toEqual([
      [0, 4],
      [4, 7],
      [7, 10],
    ]);
    for (const length of [1, 7, 99, 100, 101, 12345]) {
      const ranges = chunkRanges(length, 10);
      const sizes = ranges.map(([start, end]) => end - start);
      expect(ranges[0]?.[0]).toBe(0);
      expect(ranges.at(-1)?.[1]).toBe(length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    }
  });
});

describe('fixedChunkRanges (X-ARES example encoders)', () => {
  it('cuts chunks of the maximum and leaves what remains last', () => {
    expect(fixedChunkRanges(160160, 160000)).toEqual([
      [0, 160000],
      [160000, 160160],
    ]);
  });
});

describe('the pipeline never feeds a piece the encoder cannot take', () => {
  it('evaluates a 10.01 s clip with an encoder that needs a full 25 ms window', async () => {
    // Fixed 10 s chunks would give this clip a 160-sample last chunk, which the encoder's
    // 400-sample convolution cannot run on; equal chunks give two of 80080.
    const session = await OrtSession.create(needsFullWindow(), { label: 'full-window' });
    const contract = { sampleRate: 16000, embeddingDim: 64, maxInputSeconds: 10 };
    const width = 160160;
    const batch: CropBatch = {
      input: Float32Array.from({ length: width }, (_, t) => 0.1 * Math.sin(t / 7)),
      count: 1,
      width,
      items: [{ key: 'long', crop: 0, target: { kind: 'class', index: 0 } }],
      wheres: ['s0.tar: long'],
      shards: [0],
    };
    const [sequence] = await new ClipEncoder(session, contract, 'per-crop').sequences(batch);
    // Two chunks of 80080 samples, each 80080 / 160 + 1 = 501 frames of 64.
    expect(sequence?.length).toBe(2 * 501 * 64);
    expect(sequence?.every((value) => Number.isFinite(value))).toBe(true);
    await expect(
      session.run({
        [session.inputNames[0] ?? '']: { data: new Float32Array(160), dims: [1, 160] },
      }),
    ).rejects.toThrow();
    await session.release();
  });
});

import { describe, expect, it } from 'vitest';
import type { CachedItem, EmbeddingFile } from '../../../pipeline/encode/cache.ts';
import {
  blockRows,
  captionedClips,
  clipTargets,
  frameProbeSource,
  frameTargets,
  paddedFrameProbeSource,
  type PooledSet,
} from '../../../pipeline/heads/sources.ts';

/** Column c of targets [frames, classes] as a 0/1 string, frame 0 first. */
function column(targets: Float32Array, classes: number, c: number): string {
  let out = '';
  for (let t = 0; t < targets.length / classes; t++) {
    out += String(targets[t * classes + c]);
  }
  return out;
}

describe('frameTargets (X-ARES label frames)', () => {
  it('gives a MAESTRO piece without notes a zero target over all its frames (X-ARES raises)', () => {
    const targets = frameTargets([], 6, 3, 10, undefined);
    expect(Array.from(targets)).toEqual(new Array(18).fill(0));
  });

  it('sets frames [ceil(start / hop), ceil(end / hop)) of each class, end excluded', () => {
    // hop 40 ms: 0.1 / 0.04 = 2.5 -> 3 and 0.35 / 0.04 = 8.75 -> 9, so frames 3 to 8.
    const targets = frameTargets([{ start: 0.1, end: 0.35, classes: [1] }], 12, 2, 40, 0.48);
    expect(column(targets, 2, 0)).toBe('000000000000');
    expect(column(targets, 2, 1)).toBe('000111111000');
  });

  it('divides by hop / 1000 as X-ARES does, so 0.07 s at 10 ms is frame 8, not 7', () => {
    // In floating point 0.07 / 0.01 = 7.000000000000001, whose ceiling is 8.
    const targets = frameTargets([{ start: 0.07, end: 0.1, classes: [0] }], 12, 1, 10, 0.12);
    expect(column(targets, 1, 0)).toBe('000000001100');
  });

  it('pads with zeros or trims to the embedding frames, and clips events at the label length', () => {
    // DESED-style fixed duration of 0.2 s at 40 ms = 5 label frames; the encoder gave 8.
    const padded = frameTargets([{ start: 0, end: 1, classes: [0] }], 8, 1, 40, 0.2);
    expect(column(padded, 1, 0)).toBe('11111000');
    // MAESTRO-style: duration is the latest end (0.2 s = 5 frames), the encoder gave 3.
    const trimmed = frameTargets(
      [
        { start: 0, end: 0.08, classes: [0] },
        { start: 0.04, end: 0.2, classes: [1] },
      ],
      3,
      2,
      40,
      undefined,
    );
    expect([column(trimmed, 2, 0), column(trimmed, 2, 1)]).toEqual(['110', '011']);
  });
});

function pooled(keys: string[], x: number[], targets: CachedItem['target'][]): PooledSet {
  return {
    dim: 2,
    count: keys.length,
    x: Float32Array.from(x),
    items: keys.map((key, i) => ({
      key,
      crop: 0,
      frames: 1,
      target: targets[i] ?? { kind: 'class', index: 0 },
    })),
  };
}

describe('pooled sets', () => {
  it('turns multi-label targets into 0/1 rows and single labels into indices', () => {
    const multi = pooled(
      ['a', 'b'],
      [0, 0, 0, 0],
      [
        { kind: 'multi', indices: [0, 2] },
        { kind: 'multi', indices: [1] },
      ],
    );
    expect(clipTargets(multi, 3)).toEqual({
      kind: 'dense',
      values: Float32Array.of(1, 0, 1, 0, 1, 0),
    });
    const single = pooled(['a'], [0, 0], [{ kind: 'class', index: 4 }]);
    expect(clipTargets(single, 5)).toEqual({ kind: 'class', labels: Int32Array.of(4) });
  });

  it('averages the crops of a clip for retrieval, keeping one set of captions per clip', () => {
    const captions = (name: string) => ({
      kind: 'captions' as const,
      captions: [`${name} 1`, `${name} 2`],
    });
    const set = pooled(
      ['x', 'x', 'y'],
      [1, 2, 3, 4, 10, 20],
      [captions('x'), captions('x'), captions('y')],
    );
    const clips = captionedClips(set);
    expect(clips.count).toBe(2);
    expect(Array.from(clips.audio)).toEqual([2, 3, 10, 20]);
    expect(clips.captions).toEqual([
      ['x 1', 'x 2'],
      ['y 1', 'y 2'],
    ]);
  });
});

describe('frameProbeSource', () => {
  it('cuts cache files into blocks of whole items of at most blockRows(dim) rows', async () => {
    const dim = 2 ** 25; // blockRows = 2 rows per block
    expect(blockRows(dim)).toBe(2);
    const items = [1, 1, 2, 3].map((frames, i) => ({
      key: `k${i}`,
      crop: 0,
      frames,
      target: { kind: 'events' as const, events: [] },
    }));
    const offsets = Int32Array.of(0, 1, 2, 4, 7);
    const reads: [number, number][] = [];
    const file = {
      path: 'x',
      rowOffsets: offsets,
      header: { items } as unknown as EmbeddingFile['header'],
      read: (start: number, end: number) => {
        reads.push([start, end]);
        return Promise.resolve(new Float32Array(0));
      },
    } as EmbeddingFile;
    const source = frameProbeSource([file], dim, 1, 40, undefined);
    // [k0, k1] fit in 2 rows; k2 alone (2 rows); k3 alone although it has 3.
    expect(source.blocks).toBe(3);
    expect(source.items).toBe(4);
    for (let b = 0; b < source.blocks; b++) {
      await source.block(b).catch(() => undefined);
    }
    expect(reads).toEqual([
      [0, 2],
      [2, 3],
      [3, 4],
    ]);
  });
});

describe('paddedFrameProbeSource (X-ARES evaluation batches)', () => {
  it('pads each clip with zero frames to the longest of its batch, targets over the padded length', async () => {
    const frames = [2, 3, 1];
    const items = frames.map((count, i) => ({
      key: `k${i}`,
      crop: 0,
      frames: count,
      // Each clip's one event covers its whole real length at a 1 s hop.
      target: { kind: 'events' as const, events: [{ start: 0, end: count, classes: [0] }] },
    }));
    const rows = (index: number) =>
      Float32Array.from({ length: (frames[index] ?? 0) * 2 }, (_, r) => 10 * (index + 1) + r + 1);
    const file = {
      path: 'x',
      rowOffsets: Int32Array.of(0, 2, 5, 6),
      header: { items } as unknown as EmbeddingFile['header'],
      read: (start: number, end: number) => {
        expect(end).toBe(start + 1);
        return Promise.resolve(rows(start));
      },
    } as EmbeddingFile;
    const source = paddedFrameProbeSource([file], 2, 1, 1000, undefined, 2);
    expect([source.blocks, source.items]).toEqual([2, 3]);
    const first = await source.block(0);
    expect(Array.from(first.itemRows)).toEqual([0, 3, 6]);
    // k0: two real frames and one zero frame; k1: three real frames.
    expect(Array.from(first.x)).toEqual([11, 12, 13, 14, 0, 0, 21, 22, 23, 24, 25, 26]);
    expect(first.targets).toEqual({ kind: 'dense', values: Float32Array.of(1, 1, 0, 1, 1, 1) });
    const second = await source.block(1);
    expect(Array.from(second.itemRows)).toEqual([0, 1]);
    expect(Array.from(second.x)).toEqual([31, 32]);
  });
});

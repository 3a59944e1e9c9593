/**
 * From cached embeddings to what each head trains on: pooled clip matrices for the probe, the
 * kNN and the retrieval towers; frame sequences, read block by block, for frame-level tasks and
 * speech recognition, with their targets built from the labels and the encoder's declared hop.
 */
import type { EmbeddingFile } from '../encode/cache.ts';
import type { CachedItem } from '../encode/cache.ts';
import { classIndex, type FrameEvent } from '../data/labels.ts';
import { concatenateFloat32 } from '../util/arrays.ts';
import type { CaptionedClips } from './retrieval-head.ts';
import type { LabelledEmbeddings } from './knn.ts';
import type { ProbeBlock, ProbeSource, RowTargets } from './linear-probe.ts';
import { singleRowItems } from './linear-probe.ts';
import type { SpeechBlock, SpeechSource } from './ctc-head.ts';

/** Rows per block of frame-level data: 256 MiB of float32 whatever the embedding size. */
export function blockRows(dim: number): number {
  return Math.max(1, Math.floor(2 ** 26 / dim));
}

/**
 * Splits held in memory between epochs when they are no larger than this (float32 values):
 * 512 MiB each, so train, validation and test kept together stay well under the 4 GB a
 * full-size frame task may use.
 */
const IN_MEMORY_VALUES = 2 ** 27;

/** Pooled embeddings of one or more cache files, in order. */
export interface PooledSet {
  readonly dim: number;
  readonly count: number;
  readonly x: Float32Array;
  readonly items: readonly CachedItem[];
}

export async function loadPooled(files: readonly EmbeddingFile[], dim: number): Promise<PooledSet> {
  const parts: Float32Array[] = [];
  const items: CachedItem[] = [];
  for (const file of files) {
    parts.push(await file.read(0, file.header.items.length));
    items.push(...file.header.items);
  }
  return { dim, count: items.length, x: concatenateFloat32(parts), items };
}

/** Probe rows of a pooled clip set: class labels, or 0/1 rows for multi-label tasks. */
export function clipTargets(set: PooledSet, classes: number): RowTargets {
  const first = set.items[0]?.target.kind;
  if (first === 'multi') {
    const values = new Float32Array(set.count * classes);
    set.items.forEach((item, row) => {
      if (item.target.kind !== 'multi') {
        throw new Error('mixed target kinds in one split');
      }
      for (const index of item.target.indices) {
        values[row * classes + index] = 1;
      }
    });
    return { kind: 'dense', values };
  }
  return { kind: 'class', labels: Int32Array.from(set.items, (item) => classIndex(item.target)) };
}

export function clipProbeSource(set: PooledSet, classes: number): ProbeSource {
  const block: ProbeBlock = {
    x: set.x,
    itemRows: singleRowItems(set.count),
    targets: clipTargets(set, classes),
  };
  return { dim: set.dim, items: set.count, blocks: 1, block: () => Promise.resolve(block) };
}

export function knnSet(set: PooledSet): LabelledEmbeddings {
  return {
    count: set.count,
    dim: set.dim,
    embeddings: set.x,
    labels: Int32Array.from(set.items, (item) => classIndex(item.target)),
  };
}

/** Concatenate pooled sets (the training folds of a k-fold task). */
export function concatenatePooled(sets: readonly PooledSet[]): PooledSet {
  return {
    dim: sets[0]?.dim ?? 0,
    count: sets.reduce((sum, set) => sum + set.count, 0),
    x: concatenateFloat32(sets.map((set) => set.x)),
    items: sets.flatMap((set) => set.items),
  };
}

/**
 * Clips with their captions for retrieval: crops of one clip (consecutive items with the same
 * key) are averaged into one embedding, so every clip keeps exactly its own captions.
 */
export function captionedClips(set: PooledSet): CaptionedClips {
  const { dim } = set;
  const audio: number[][] = [];
  const captions: string[][] = [];
  for (let start = 0; start < set.count;) {
    const key = set.items[start]?.key;
    let end = start + 1;
    while (end < set.count && set.items[end]?.key === key) {
      end += 1;
    }
    const mean = new Array<number>(dim).fill(0);
    for (let row = start; row < end; row++) {
      for (let d = 0; d < dim; d++) {
        mean[d] = (mean[d] as number) + (set.x[row * dim + d] as number) / (end - start);
      }
    }
    const target = set.items[start]?.target;
    if (target?.kind !== 'captions') {
      throw new Error('retrieval items need caption targets');
    }
    audio.push(mean);
    captions.push([...target.captions]);
    start = end;
  }
  return { count: audio.length, dim, audio: Float32Array.from(audio.flat()), captions };
}

/**
 * X-ARES frame targets: C x ceil(duration / hop) zeros, with frames [ceil(start / hop),
 * ceil(end / hop)) of each event's classes set to 1, then zero-padded or trimmed to the
 * embedding's frame count. Duration is the task's fixed clip length (DESED) or the latest event
 * end (MAESTRO). Returned row-major [frames, classes].
 */
export function frameTargets(
  events: readonly FrameEvent[],
  frames: number,
  classes: number,
  hopMs: number,
  durationSeconds: number | undefined,
): Float32Array {
  // Written exactly as X-ARES's sec_to_frames so floating point rounds the same way.
  const secondsToFrames = (seconds: number) => Math.ceil(seconds / (hopMs / 1000));
  const duration = durationSeconds ?? Math.max(0, ...events.map((event) => event.end));
  const labelFrames = secondsToFrames(duration);
  const limit = Math.min(frames, labelFrames);
  const out = new Float32Array(frames * classes);
  for (const event of events) {
    const from = Math.max(0, secondsToFrames(event.start));
    const to = Math.min(limit, secondsToFrames(event.end));
    for (let t = from; t < to; t++) {
      for (const index of event.classes) {
        out[t * classes + index] = 1;
      }
    }
  }
  return out;
}

interface BlockRange {
  readonly file: EmbeddingFile;
  readonly start: number;
  readonly end: number;
}

/** Consecutive item ranges of each file holding at most blockRows(dim) rows (at least one item). */
function blockRanges(files: readonly EmbeddingFile[], dim: number): BlockRange[] {
  const limit = blockRows(dim);
  const ranges: BlockRange[] = [];
  for (const file of files) {
    const items = file.header.items.length;
    let start = 0;
    while (start < items) {
      let end = start + 1;
      while (
        end < items &&
        (file.rowOffsets[end + 1] as number) - (file.rowOffsets[start] as number) <= limit
      ) {
        end += 1;
      }
      ranges.push({ file, start, end });
      start = end;
    }
  }
  return ranges;
}

/** A block loader that keeps small splits in memory across epochs. */
function blockLoader<T>(
  files: readonly EmbeddingFile[],
  dim: number,
  build: (range: BlockRange, x: Float32Array) => T,
): { count: number; load: (index: number) => Promise<T> } {
  const ranges = blockRanges(files, dim);
  const rows = files.reduce((sum, file) => sum + (file.rowOffsets.at(-1) ?? 0), 0);
  const keep = rows * dim <= IN_MEMORY_VALUES;
  const loaded = new Map<number, T>();
  return {
    count: ranges.length,
    async load(index) {
      const kept = loaded.get(index);
      if (kept) {
        return kept;
      }
      const range = ranges[index] as BlockRange;
      const block = build(range, await range.file.read(range.start, range.end));
      if (keep) {
        loaded.set(index, block);
      }
      return block;
    },
  };
}

function itemRowsOf(range: BlockRange): Int32Array {
  const base = range.file.rowOffsets[range.start] as number;
  return Int32Array.from(
    { length: range.end - range.start + 1 },
    (_, i) => (range.file.rowOffsets[range.start + i] as number) - base,
  );
}

/** Frame sequences with their frame targets, for frame-level tasks. */
export function frameProbeSource(
  files: readonly EmbeddingFile[],
  dim: number,
  classes: number,
  hopMs: number,
  durationSeconds: number | undefined,
): ProbeSource {
  const loader = blockLoader(files, dim, (range, x): ProbeBlock => {
    const itemRows = itemRowsOf(range);
    const values = new Float32Array((itemRows.at(-1) ?? 0) * classes);
    for (let i = 0; i < range.end - range.start; i++) {
      const item = range.file.header.items[range.start + i] as CachedItem;
      if (item.target.kind !== 'events') {
        throw new Error('frame-level items need event targets');
      }
      values.set(
        frameTargets(item.target.events, item.frames, classes, hopMs, durationSeconds),
        (itemRows[i] as number) * classes,
      );
    }
    return { x, itemRows, targets: { kind: 'dense', values } };
  });
  return {
    dim,
    items: files.reduce((sum, file) => sum + file.header.items.length, 0),
    blocks: loader.count,
    block: loader.load,
  };
}

/** Utterances with their transcripts, for speech recognition. */
export function speechSource(files: readonly EmbeddingFile[], dim: number): SpeechSource {
  const loader = blockLoader(files, dim, (range, x): SpeechBlock => {
    const transcripts = range.file.header.items.slice(range.start, range.end).map((item) => {
      if (item.target.kind !== 'transcript') {
        throw new Error('speech items need transcript targets');
      }
      return item.target.text;
    });
    return { x, itemRows: itemRowsOf(range), transcripts };
  });
  return {
    dim,
    items: files.reduce((sum, file) => sum + file.header.items.length, 0),
    blocks: loader.count,
    block: loader.load,
  };
}

/**
 * Frame sequences as X-ARES evaluates them (the xares-0.1.3 edition): consecutive clips in
 * batches of `batchSize` (its validation batch size is the training one), each clip's frames
 * zero-padded to the longest of its batch (audiowebdataset.py's `pad`), and the padding frames
 * scored too: a zero frame's LayerNorm is its bias, so the head gives every padding frame the
 * same logits, and a positive one counts as a false positive in every padded segment. Targets
 * are built over the padded length as X-ARES pads or trims them to the embedding's. One block
 * per batch.
 */
export function paddedFrameProbeSource(
  files: readonly EmbeddingFile[],
  dim: number,
  classes: number,
  hopMs: number,
  durationSeconds: number | undefined,
  batchSize: number,
): ProbeSource {
  const items = files.flatMap((file) =>
    file.header.items.map((item, index) => ({ file, index, item })),
  );
  const batches = Math.ceil(items.length / batchSize);
  return {
    dim,
    items: items.length,
    blocks: batches,
    async block(batch) {
      const members = items.slice(batch * batchSize, (batch + 1) * batchSize);
      const length = Math.max(...members.map((member) => member.item.frames));
      const x = new Float32Array(members.length * length * dim);
      const values = new Float32Array(members.length * length * classes);
      for (const [slot, { file, index, item }] of members.entries()) {
        if (item.target.kind !== 'events') {
          throw new Error('frame-level items need event targets');
        }
        x.set(await file.read(index, index + 1), slot * length * dim);
        values.set(
          frameTargets(item.target.events, length, classes, hopMs, durationSeconds),
          slot * length * classes,
        );
      }
      return {
        x,
        itemRows: Int32Array.from({ length: members.length + 1 }, (_, i) => i * length),
        targets: { kind: 'dense', values },
      };
    },
  };
}

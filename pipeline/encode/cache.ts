/**
 * The embedding cache: one file per (model, task version, split, shard), written atomically by
 * the encoder process as soon as the shard is encoded, so a run killed mid-task resumes at the
 * first shard without a file. Files are never trusted blindly: the header names everything the
 * embeddings were computed from and is compared with what the current run needs, and the values
 * carry a checksum that is verified when the file is opened: a flipped bit or a hand edit in the
 * embeddings would otherwise move a score silently (8 values of 5,120 moved a Track A score from
 * 0.715 to 0.416), and the result computed from them would be reused from then on.
 *
 * Layout: the 8 magic bytes, a little-endian uint32 header length, the header as JSON, zero
 * padding to a multiple of 8 bytes, the items' embeddings back to back ([frames, dim] each,
 * float32 or float16), then the 32-byte sha256 of everything before it. Items are read by range
 * without holding the whole file.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { SampleTarget } from '../data/labels.ts';
import { writeFileAtomic } from '../io/files.ts';
import { errorMessage } from '../errors.ts';

// 02: the sha256 trailer. Files of format 01 are invalid and encoded again.
const MAGIC = 'AEMBED02';
const ALIGNMENT = 8;
const CHECKSUM_BYTES = 32;

export const EmbeddingPrecision = z.enum(['float32', 'float16']);
export type EmbeddingPrecision = z.infer<typeof EmbeddingPrecision>;

/** Everything a cached shard's embeddings depend on. */
export const EmbeddingIdentity = z.strictObject({
  /** Hash of the encoder settings that shape every embedding (see embeddingKey). */
  key: z.string().regex(/^[0-9a-f]{64}$/),
  modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
  task: z.string(),
  taskVersion: z.int().positive(),
  split: z.string(),
  shard: z.string(),
  shardSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /**
   * Padded batches cross shard boundaries, so a shard's embeddings depend on the shards before it:
   * sha256 over the names and hashes of the stream's shards, in order. Null when no batch crosses
   * a shard (the default protocol).
   */
  sequence: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
});
export type EmbeddingIdentity = z.infer<typeof EmbeddingIdentity>;

const Target = z.custom<SampleTarget>(
  (value) => typeof value === 'object' && value !== null && 'kind' in value,
);

export const CachedItem = z.strictObject({
  key: z.string(),
  /** Index of the crop within its clip (0 when the clip is not cropped). */
  crop: z.int().nonnegative(),
  /** 1 for pooled embeddings. */
  frames: z.int().positive(),
  target: Target,
});
export type CachedItem = z.infer<typeof CachedItem>;

export const EmbeddingFileHeader = z.strictObject({
  identity: EmbeddingIdentity,
  mode: z.enum(['pooled', 'frames']),
  precision: EmbeddingPrecision,
  dim: z.int().positive(),
  items: z.array(CachedItem),
  /** Seconds of audio read from the shard and seconds the encoder processed (after cropping). */
  audioSeconds: z.number().nonnegative(),
  encodedSeconds: z.number().nonnegative(),
  /** Wall-clock seconds inside the encoder: a measurement, not part of any result. */
  encodeSeconds: z.number().nonnegative(),
});
export type EmbeddingFileHeader = z.infer<typeof EmbeddingFileHeader>;

/** Where the cached embeddings of one shard live. */
export function embeddingFilePath(cacheDir: string, identity: EmbeddingIdentity): string {
  return join(
    cacheDir,
    'embeddings',
    identity.modelSha256.slice(0, 16),
    `${identity.task}-v${identity.taskVersion}`,
    identity.key.slice(0, 16),
    identity.split,
    `${identity.shard}.${identity.shardSha256.slice(0, 16)}${identity.sequence === null ? '' : `.${identity.sequence.slice(0, 16)}`}.emb`,
  );
}

function elementBytes(precision: EmbeddingPrecision): number {
  return precision === 'float16' ? 2 : 4;
}

/** Serialise a shard's embeddings; `data` holds every item's frames back to back. */
export function encodeEmbeddingFile(header: EmbeddingFileHeader, data: Float32Array): Uint8Array {
  const rows = header.items.reduce((sum, item) => sum + item.frames, 0);
  if (data.length !== rows * header.dim) {
    throw new RangeError(
      `embedding file ${header.identity.shard}: ${data.length} values for ${rows} rows of ${header.dim}`,
    );
  }
  const prefix = embeddingFilePrefix(header);
  const payload =
    header.precision === 'float16'
      ? new Uint8Array(Float16Array.from(data).buffer)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(prefix.length + payload.length + CHECKSUM_BYTES);
  out.set(prefix, 0);
  out.set(payload, prefix.length);
  const checksum = createHash('sha256').update(prefix).update(payload).digest();
  out.set(checksum, prefix.length + payload.length);
  return out;
}

/**
 * Writes a file whose embeddings are streamed item by item instead of held (the benchmark's
 * multi-gigabyte files): the prefix first, rows as they come, the checksum at the end.
 */
export class EmbeddingFileWriter {
  readonly #handle: FileHandle;
  readonly #header: EmbeddingFileHeader;
  readonly #hash: Hash = createHash('sha256');
  #started = false;

  constructor(handle: FileHandle, header: EmbeddingFileHeader) {
    if (header.precision !== 'float32') {
      throw new RangeError('EmbeddingFileWriter writes float32 files only');
    }
    this.#handle = handle;
    this.#header = header;
  }

  async #write(bytes: Uint8Array): Promise<void> {
    this.#hash.update(bytes);
    await this.#handle.write(bytes);
  }

  async writeRows(rows: Float32Array): Promise<void> {
    if (!this.#started) {
      this.#started = true;
      await this.#write(embeddingFilePrefix(this.#header));
    }
    await this.#write(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
  }

  async finish(): Promise<void> {
    if (!this.#started) {
      this.#started = true;
      await this.#write(embeddingFilePrefix(this.#header));
    }
    await this.#handle.write(this.#hash.digest());
  }
}

/** Everything of a file before the embeddings (magic, header length, header, padding). */
function embeddingFilePrefix(header: EmbeddingFileHeader): Uint8Array {
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + headerBytes.length) / ALIGNMENT) * ALIGNMENT;
  const prefix = new Uint8Array(start);
  prefix.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(prefix.buffer).setUint32(8, headerBytes.length, true);
  prefix.set(headerBytes, 12);
  return prefix;
}

export async function writeEmbeddingFile(
  path: string,
  header: EmbeddingFileHeader,
  data: Float32Array,
): Promise<void> {
  await writeFileAtomic(path, encodeEmbeddingFile(header, data));
}

/** A cached shard whose header matched; items are read on demand. */
export interface EmbeddingFile {
  readonly path: string;
  readonly header: EmbeddingFileHeader;
  /** Row offset of each item, and the total row count at the end. */
  readonly rowOffsets: Int32Array;
  /** Embeddings of items [start, end) as float32, [rows, dim] row-major. */
  read(start: number, end: number): Promise<Float32Array>;
}

export type OpenResult =
  | { readonly status: 'ok'; readonly file: EmbeddingFile }
  | { readonly status: 'missing' }
  | { readonly status: 'invalid'; readonly reason: string };

function sameIdentity(a: EmbeddingIdentity, b: EmbeddingIdentity): string | undefined {
  for (const key of Object.keys(b) as (keyof EmbeddingIdentity)[]) {
    if (a[key] !== b[key]) {
      return `${key} is ${String(a[key])}, expected ${String(b[key])}`;
    }
  }
  return undefined;
}

/** Whether the sha256 of everything before the trailer equals the trailer. */
async function checksumMatches(handle: FileHandle, size: number): Promise<boolean> {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(Math.min(1 << 22, Math.max(size - CHECKSUM_BYTES, 1)));
  for (let position = 0; position < size - CHECKSUM_BYTES;) {
    const wanted = Math.min(chunk.length, size - CHECKSUM_BYTES - position);
    const { bytesRead } = await handle.read(chunk, 0, wanted, position);
    if (bytesRead === 0) {
      return false;
    }
    hash.update(chunk.subarray(0, bytesRead));
    position += bytesRead;
  }
  const trailer = Buffer.alloc(CHECKSUM_BYTES);
  await handle.read(trailer, 0, CHECKSUM_BYTES, size - CHECKSUM_BYTES);
  return hash.digest().equals(trailer);
}

/**
 * Open the cached embeddings of a shard. A missing file is a cache miss; a file that is
 * truncated, corrupt (its checksum) or was computed from other inputs is reported as invalid (and
 * recomputed by the caller).
 */
export async function openEmbeddingFile(
  path: string,
  expected: EmbeddingIdentity,
  options: { readonly verifyChecksum?: boolean } = {},
): Promise<OpenResult> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { status: 'missing' };
    }
    return { status: 'invalid', reason: errorMessage(error) };
  }
  try {
    const size = (await handle.stat()).size;
    const prefix = Buffer.alloc(12);
    await handle.read(prefix, 0, 12, 0);
    if (size < 12 || prefix.toString('latin1', 0, 8) !== MAGIC) {
      return { status: 'invalid', reason: 'not an embedding cache file' };
    }
    const headerLength = prefix.readUInt32LE(8);
    if (12 + headerLength > size) {
      return { status: 'invalid', reason: 'the header is truncated' };
    }
    const headerBytes = Buffer.alloc(headerLength);
    await handle.read(headerBytes, 0, headerLength, 12);
    let header: EmbeddingFileHeader;
    try {
      header = EmbeddingFileHeader.parse(JSON.parse(headerBytes.toString('utf8')));
    } catch (error) {
      return { status: 'invalid', reason: `the header is not valid: ${errorMessage(error)}` };
    }
    const mismatch = sameIdentity(header.identity, expected);
    if (mismatch !== undefined) {
      return { status: 'invalid', reason: `computed from other inputs (${mismatch})` };
    }
    const rowOffsets = new Int32Array(header.items.length + 1);
    header.items.forEach((item, i) => {
      rowOffsets[i + 1] = (rowOffsets[i] as number) + item.frames;
    });
    const start = Math.ceil((12 + headerLength) / ALIGNMENT) * ALIGNMENT;
    const bytesPerRow = header.dim * elementBytes(header.precision);
    const expectedSize =
      start + (rowOffsets[header.items.length] as number) * bytesPerRow + CHECKSUM_BYTES;
    if (size !== expectedSize) {
      return {
        status: 'invalid',
        reason: `the file has ${size} bytes, ${expectedSize} expected (truncated?)`,
      };
    }
    if (options.verifyChecksum !== false && !(await checksumMatches(handle, size))) {
      return {
        status: 'invalid',
        reason:
          'its embeddings do not match their checksum (the file was changed after it was written, or the disk damaged it)',
      };
    }
    const file: EmbeddingFile = {
      path,
      header,
      rowOffsets,
      async read(first, last) {
        const fromRow = rowOffsets[first] as number;
        const toRow = rowOffsets[last] as number;
        const bytes = (toRow - fromRow) * bytesPerRow;
        const buffer = new ArrayBuffer(bytes);
        const reader = await open(path, 'r');
        try {
          await reader.read(new Uint8Array(buffer), 0, bytes, start + fromRow * bytesPerRow);
        } finally {
          await reader.close();
        }
        return header.precision === 'float16'
          ? Float32Array.from(new Float16Array(buffer))
          : new Float32Array(buffer);
      },
    };
    return { status: 'ok', file };
  } finally {
    await handle.close();
  }
}

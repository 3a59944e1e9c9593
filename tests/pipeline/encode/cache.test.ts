import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  embeddingFilePath,
  openEmbeddingFile,
  writeEmbeddingFile,
  type EmbeddingFileHeader,
  type EmbeddingIdentity,
} from '../../../pipeline/encode/cache.ts';

const identity: EmbeddingIdentity = {
  key: '1'.repeat(64),
  modelSha256: '2'.repeat(64),
  task: 'demo_notes',
  taskVersion: 3,
  split: 'train',
  shard: 'notes-train-000000.tar',
  shardSha256: '3'.repeat(64),
  sequence: null,
};

function header(precision: 'float32' | 'float16'): EmbeddingFileHeader {
  return {
    identity,
    mode: 'frames',
    precision,
    dim: 3,
    items: [
      { key: 'a', crop: 0, frames: 2, target: { kind: 'transcript', text: 'hi' } },
      { key: 'b', crop: 0, frames: 1, target: { kind: 'transcript', text: 'yo' } },
    ],
    audioSeconds: 1.5,
    encodedSeconds: 1.5,
    encodeSeconds: 0.01,
  };
}

// Three rows of three: values that float16 cannot hold exactly, and one that it can.
const rows = Float32Array.of(0.1, -2.5, 3, 1 / 3, 1000.7, -0.0001, 7, 8, 65504);

describe('embedding cache files', () => {
  it('round-trips float32 exactly and reads items by range', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cache-'));
    const path = embeddingFilePath(dir, identity);
    expect(path).toContain(join('demo_notes-v3', '1111111111111111', 'train'));
    await writeEmbeddingFile(path, header('float32'), rows);
    const opened = await openEmbeddingFile(path, identity);
    expect(opened.status).toBe('ok');
    if (opened.status !== 'ok') {
      return;
    }
    expect(Array.from(opened.file.rowOffsets)).toEqual([0, 2, 3]);
    expect(await opened.file.read(0, 2)).toEqual(rows);
    expect(await opened.file.read(1, 2)).toEqual(rows.subarray(6));
  });

  it('stores float16 at half the size, rounding each value to the nearest half float', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cache-'));
    const wide = join(dir, 'wide.emb');
    const narrow = join(dir, 'narrow.emb');
    await writeEmbeddingFile(wide, header('float32'), rows);
    await writeEmbeddingFile(narrow, header('float16'), rows);
    // Everything after the header's padding but the 32-byte checksum at the end.
    const payload = (bytes: Buffer) =>
      bytes.length - Math.ceil((12 + bytes.readUInt32LE(8)) / 8) * 8 - 32;
    expect(payload(await readFile(narrow))).toBe(payload(await readFile(wide)) / 2);
    const opened = await openEmbeddingFile(narrow, identity);
    if (opened.status !== 'ok') {
      throw new Error(opened.status);
    }
    const values = await opened.file.read(0, 2);
    // Float16 keeps 11 significant bits: 0.1 -> 0.0999755859375, 1000.7 -> 1000.5 (spacing 0.5).
    expect(values[0]).toBe(0.0999755859375);
    expect(values[4]).toBe(1000.5);
    expect(values[2]).toBe(3);
    expect(values[8]).toBe(65504);
  });

  it('reports a missing file as a miss and a foreign or damaged one as invalid, with the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cache-'));
    const path = join(dir, 'shard.emb');
    expect((await openEmbeddingFile(path, identity)).status).toBe('missing');
    await writeEmbeddingFile(path, header('float32'), rows);
    const other = await openEmbeddingFile(path, { ...identity, modelSha256: '9'.repeat(64) });
    expect(other).toEqual({
      status: 'invalid',
      reason: `computed from other inputs (modelSha256 is ${'2'.repeat(64)}, expected ${'9'.repeat(64)})`,
    });
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 4));
    const truncated = await openEmbeddingFile(path, identity);
    expect(truncated.status === 'invalid' && truncated.reason).toMatch(/truncated/);
    await writeFile(path, 'not an embedding file');
    const garbage = await openEmbeddingFile(path, identity);
    expect(garbage.status === 'invalid' && garbage.reason).toBe('not an embedding cache file');
  });

  it('finds one flipped bit or one NaN among the values by their checksum', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cache-'));
    const path = join(dir, 'shard.emb');
    await writeEmbeddingFile(path, header('float32'), rows);
    const intact = await readFile(path);
    const valuesStart = intact.length - 32 - rows.byteLength;
    for (const damage of [
      (bytes: Buffer) => {
        bytes[valuesStart + 13] = (bytes[valuesStart + 13] as number) ^ 0x01;
      },
      (bytes: Buffer) => {
        bytes.writeFloatLE(Number.NaN, valuesStart + 4 * 5);
      },
      (bytes: Buffer) => {
        bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x80;
      },
    ]) {
      const bytes = Buffer.from(intact);
      damage(bytes);
      await writeFile(path, bytes);
      expect(await openEmbeddingFile(path, identity)).toEqual({
        status: 'invalid',
        reason:
          'its embeddings do not match their checksum (the file was changed after it was written, or the disk damaged it)',
      });
    }
    await writeFile(path, intact);
    expect((await openEmbeddingFile(path, identity)).status).toBe('ok');
  });

  it('refuses to write rows that do not match the items', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cache-'));
    await expect(
      writeEmbeddingFile(join(dir, 'x.emb'), header('float32'), rows.subarray(0, 6)),
    ).rejects.toThrow(/6 values for 3 rows of 3/);
  });
});

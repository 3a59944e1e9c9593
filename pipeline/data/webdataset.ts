/**
 * Streaming reader for WebDataset tar shards: entries are read with tar-stream straight from the
 * byte stream (file or HTTP), never extracted to disk, and grouped into samples by key.
 *
 * WebDataset convention: the key is the entry path up to the first dot of its base name, the
 * rest is the extension ("a/b/000001.seg.wav" -> key "a/b/000001", extension "seg.wav"), and
 * the entries of one sample are adjacent in the tar.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { DataError, errorMessage } from '../errors.ts';

export interface WebDatasetSample {
  /** Shard file name, for error messages and provenance. */
  readonly shard: string;
  readonly key: string;
  /** Entry bytes by extension. */
  readonly files: ReadonlyMap<string, Buffer>;
}

export interface ShardReadLimits {
  /** Largest single entry accepted, in bytes. */
  maxEntryBytes: number;
}

/**
 * 1 GiB: an entry is held whole in memory, and the longest clip of the real suite, a MAESTRO
 * performance of about 45 minutes, is over 500 MB as 48 kHz stereo 16-bit WAV (256 MiB, the
 * earlier limit, refused it: found by the rehearsal).
 */
export const DEFAULT_SHARD_LIMITS: ShardReadLimits = { maxEntryBytes: 1024 * 1024 * 1024 };

/** Entry names that could escape a directory or carry hidden control characters are refused. */
function checkEntryName(name: string, shard: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  const hasControlCharacters = /[\u0000-\u001f\u007f\\]/.test(name);
  const unsafe = name.startsWith('/') || name.split('/').includes('..') || hasControlCharacters;
  if (unsafe) {
    throw new DataError(`${shard}: unsafe entry name ${JSON.stringify(name)}`, {
      hint: 'entry names must be relative paths without ".." components or control characters',
    });
  }
}

export function splitKey(name: string): { key: string; extension: string } {
  const normalised = name.startsWith('./') ? name.slice(2) : name;
  const slash = normalised.lastIndexOf('/');
  const dot = normalised.indexOf('.', slash + 1);
  if (dot <= slash + 1) {
    return { key: normalised, extension: '' };
  }
  return { key: normalised.slice(0, dot), extension: normalised.slice(dot + 1) };
}

/** Yield the samples of one shard in tar order. */
export async function* readWebDataset(
  source: Readable,
  shard: string,
  limits: ShardReadLimits = DEFAULT_SHARD_LIMITS,
): AsyncGenerator<WebDatasetSample> {
  const extract = tar.extract();
  source.on('error', (error) => {
    extract.destroy(error);
  });
  source.pipe(extract);

  let current: { key: string; files: Map<string, Buffer> } | undefined;
  const seenKeys = new Set<string>();
  try {
    for await (const entry of extract) {
      const { name, type, size } = entry.header;
      if (type === 'directory') {
        entry.resume();
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') {
        entry.resume();
        throw new DataError(
          `${shard}: entry ${JSON.stringify(name)} is a ${type}, not a regular file`,
          {
            hint: 'WebDataset shards may contain only regular files (no links, devices or FIFOs)',
          },
        );
      }
      checkEntryName(name, shard);
      // `!(size >= 0)` also catches NaN from a malformed PAX size record.
      if (!(size >= 0) || size > limits.maxEntryBytes) {
        entry.resume();
        throw new DataError(
          `${shard}: entry ${JSON.stringify(name)} declares ${size} bytes, over the limit of ${limits.maxEntryBytes}`,
        );
      }
      const { key, extension } = splitKey(name);
      if (extension === '') {
        entry.resume();
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of entry) {
        chunks.push(chunk as Buffer);
      }
      const bytes = Buffer.concat(chunks);

      if (current && current.key !== key) {
        yield { shard, key: current.key, files: current.files };
        current = undefined;
      }
      if (!current) {
        if (seenKeys.has(key)) {
          throw new DataError(`${shard}: key ${JSON.stringify(key)} appears in two places`, {
            hint: 'the entries of one sample must be adjacent in the tar',
          });
        }
        seenKeys.add(key);
        current = { key, files: new Map() };
      }
      if (current.files.has(extension)) {
        throw new DataError(
          `${shard}: sample ${JSON.stringify(key)} has two "${extension}" entries`,
        );
      }
      current.files.set(extension, bytes);
    }
  } catch (error) {
    if (error instanceof DataError) {
      throw error;
    }
    throw new DataError(`${shard}: cannot read tar (${errorMessage(error)})`, {
      hint: 'the shard is truncated or corrupt; delete it from the cache so it is fetched again',
      cause: error,
    });
  } finally {
    source.unpipe(extract);
    source.destroy();
  }
  if (current) {
    yield { shard, key: current.key, files: current.files };
  }
}

/**
 * A readable stream of a shard: a local file, or an http(s) URL streamed without touching the
 * disk. `headers` carries an Authorization token for private data.
 */
export async function openShard(
  location: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<Readable> {
  if (!/^https?:\/\//.test(location)) {
    return createReadStream(location);
  }
  let response: Response;
  try {
    response = await fetch(location, { headers });
  } catch (error) {
    throw new DataError(`cannot fetch shard: ${errorMessage(error)}`);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new DataError(`cannot fetch shard: HTTP ${response.status}`);
  }
  return Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0]);
}

export interface ShardEntry {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * Write entries as a reproducible tar: fixed mtime, mode and owner, so the same entries always
 * give the same bytes (and the same sha256).
 */
export async function packTar(entries: readonly ShardEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) {
      chunks.push(chunk as Buffer);
    }
  })();
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) => {
      pack.entry(
        {
          name: entry.name,
          size: entry.bytes.byteLength,
          mode: 0o644,
          mtime: new Date(0),
          uid: 0,
          gid: 0,
          uname: '',
          gname: '',
          type: 'file',
        },
        Buffer.from(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength),
        (error) => {
          if (error) {
            reject(error);
          } else {
            resolve();
          }
        },
      );
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

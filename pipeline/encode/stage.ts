/**
 * The encoder stage of one (submission, task): find each shard's embeddings in the cache, encode
 * the missing shards in a supervised child process (which writes them to the cache one by one),
 * and hand back the cache files of every split. A run killed half way resumes at the first shard
 * without a valid cache file (with padded batches, at the start of its stream: see
 * `encodeStreams`).
 */
import { availableParallelism } from 'node:os';
import type { ProtocolInfo } from '../../schemas/protocols.ts';
import type { TaskDefinition } from '../../schemas/task.ts';
import type { ReadyTaskData } from '../data/prepare.ts';
import { EncoderError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ExecutionProvider } from '../runtime/ort.ts';
import type { Submission } from '../submissions/scan.ts';
import { splitShards } from '../tasks/splits.ts';
import { fingerprint } from '../util/hash.ts';
import {
  embeddingFilePath,
  openEmbeddingFile,
  type EmbeddingFile,
  type EmbeddingIdentity,
  type EmbeddingPrecision,
} from './cache.ts';
import type { EmbeddingMode } from './crop-batches.ts';
import { runEncodeJob, type EncodeLimits } from './supervisor.ts';
import type { ShardJob } from './worker.ts';

/** Bumped when the encoder stage changes what it stores (crop rule, pooling, file layout). */
export const ENCODE_VERSION = 3;

/**
 * Reader threads per encoder process unless told otherwise (`--readers`): one per four cores,
 * at most four. onnxruntime already runs the encoder on every core, so a reader more helps only
 * where the cores outnumber what decoding and the encoder can share (docs/performance.md has
 * the measurements); the embeddings do not depend on the count.
 */
export function defaultReaders(cores = availableParallelism()): number {
  return Math.min(4, Math.max(1, Math.floor(cores / 4)));
}

/** Frame-level tasks keep every frame; the others store one mean embedding per crop. */
export function embeddingMode(task: TaskDefinition): EmbeddingMode {
  return task.type === 'frame' || task.type === 'asr' ? 'frames' : 'pooled';
}

/**
 * Hash of everything besides model, task, split and shard that shapes the stored embeddings.
 * The execution provider is part of it: a GPU's embeddings differ from the CPU's in the last
 * bits, and a result's provenance names the provider its embeddings really came from.
 */
export function embeddingKey(
  submission: Submission,
  task: TaskDefinition,
  precision: EmbeddingPrecision,
  provider: ExecutionProvider,
  protocol: ProtocolInfo,
): string {
  const { sampleRate, embeddingDim, maxInputSeconds } = submission.manifest;
  return fingerprint({
    protocol: protocol.id,
    encodeVersion: ENCODE_VERSION,
    encoder: { sampleRate, embeddingDim, maxInputSeconds },
    mode: embeddingMode(task),
    precision: embeddingMode(task) === 'frames' ? precision : 'float32',
    cropSeconds: task.cropSeconds ?? null,
    labels: task.labels,
    executionProvider: provider,
    // Padded batches make an embedding depend on its batch.
    ...(protocol.batching === 'padded' ? { batchSize: task.encodeBatchSize } : {}),
  });
}

export interface EncodeStageOptions {
  readonly submission: Submission;
  readonly task: TaskDefinition;
  readonly data: ReadyTaskData;
  readonly cacheDir: string;
  readonly protocol: ProtocolInfo;
  readonly provider: ExecutionProvider;
  readonly threads?: number | undefined;
  /** Crops per encoder call; the task's X-ARES batch_size_encode when undefined. */
  readonly batchSize?: number | undefined;
  /** Reader threads decoding at once (defaultReaders() when undefined). */
  readonly readers?: number | undefined;
  readonly precision: EmbeddingPrecision;
  readonly limits: EncodeLimits;
  readonly logger: Logger;
  /** "<slug> x <task>", for messages. */
  readonly label: string;
}

export interface EncodedTask {
  /** Cache files of each split or fold, in shard order. */
  readonly splits: ReadonlyMap<string, readonly EmbeddingFile[]>;
  /** Seconds of audio read from every shard (each once), before cropping. */
  readonly audioSeconds: number;
  /** Encoder time and audio processed, as measured when each shard was encoded. */
  readonly encodeSeconds: number;
  readonly encodedSeconds: number;
  /** Peak memory of the encoder process; 0 when every shard came from the cache. */
  readonly peakRssBytes: number;
  readonly encodedShards: number;
  readonly cachedShards: number;
}

/**
 * The units the encoder reads as one sequence of batches, each a list of shards. With
 * equal-length batches every shard is its own stream, and a shard listed by two splits
 * (validation = test) is encoded and stored once. Padded batches cross shard boundaries, so a
 * split's shards form one stream; two splits with the same shard list share it.
 */
export function encodeStreams(
  task: TaskDefinition,
  protocol: ProtocolInfo,
): { split: string; shards: readonly string[] }[] {
  const streams: { split: string; shards: readonly string[] }[] = [];
  const seen = new Set<string>();
  for (const [split, shards] of splitShards(task)) {
    const units = protocol.batching === 'padded' ? [shards] : shards.map((shard) => [shard]);
    for (const unit of units) {
      const id = JSON.stringify(unit);
      if (!seen.has(id)) {
        seen.add(id);
        streams.push({ split, shards: unit });
      }
    }
  }
  return streams;
}

export async function encodeTask(options: EncodeStageOptions): Promise<EncodedTask> {
  const { submission, task, data, logger, protocol } = options;
  const key = embeddingKey(submission, task, options.precision, options.provider, protocol);
  const streams = encodeStreams(task, protocol);
  const hashOf = (shard: string): string => {
    const hash = data.shards[shard];
    if (hash === undefined) {
      throw new Error(`${task.id}: no hash for shard ${shard}`);
    }
    return hash;
  };
  /** Every shard of every stream, in stream order, with its cache identity. */
  const shards = streams.flatMap((stream) => {
    // A padded batch depends on the crops before it, so the cached embeddings of a shard are
    // those of its place in this exact sequence of shards.
    const sequence =
      protocol.batching === 'padded'
        ? fingerprint(stream.shards.map((shard) => [shard, hashOf(shard)]))
        : null;
    return stream.shards.map((shard) => {
      const identity: EmbeddingIdentity = {
        key,
        modelSha256: submission.modelSha256,
        task: task.id,
        taskVersion: task.version,
        split: stream.split,
        shard,
        shardSha256: hashOf(shard),
        sequence,
      };
      return { name: shard, identity, path: embeddingFilePath(options.cacheDir, identity) };
    });
  });
  const streamShards = streams.map((stream, index) => {
    const before = streams.slice(0, index).reduce((sum, earlier) => sum + earlier.shards.length, 0);
    return stream.shards.map((_, offset) => before + offset);
  });

  const cached = await Promise.all(
    shards.map(async (shard) => {
      const opened = await openEmbeddingFile(shard.path, shard.identity);
      if (opened.status === 'invalid') {
        logger.warn(
          `${options.label}: cached embeddings ${shard.path} not used: ${opened.reason}; encoding ${shard.name} again`,
        );
      }
      return opened.status === 'ok';
    }),
  );
  const jobShards: ShardJob[] = shards.map((shard, index) => ({
    ...shard,
    write: !(cached[index] as boolean),
  }));
  const missing = jobShards.filter((shard) => shard.write).length;
  // Only streams with a missing shard are read; the cached shards of such a stream are read
  // again (not encoded) when a padded batch crosses from them into a missing one.
  const jobStreams = streamShards.filter((ids) => ids.some((id) => jobShards[id]?.write));

  let peakRssBytes = 0;
  if (missing > 0) {
    const { manifest } = submission;
    const progress = logger.progress(`${options.label} encode`, missing);
    const outcome = await runEncodeJob(
      {
        modelPath: submission.modelPath,
        contract: {
          sampleRate: manifest.sampleRate,
          embeddingDim: manifest.embeddingDim,
          maxInputSeconds: manifest.maxInputSeconds,
        },
        provider: options.provider,
        threads: options.threads,
        mode: embeddingMode(task),
        precision: embeddingMode(task) === 'frames' ? options.precision : 'float32',
        cropSeconds: task.cropSeconds,
        batchSize: options.batchSize ?? task.encodeBatchSize,
        batching: protocol.batching,
        chunking: protocol.batching === 'padded' ? 'x-ares-examples' : 'per-crop',
        labels: task.labels,
        dataDir: data.dir,
        shards: jobShards,
        streams: jobStreams,
        readers: options.readers ?? defaultReaders(),
      },
      options.limits,
      {
        onShard: () => {
          progress.tick();
        },
      },
    );
    peakRssBytes = outcome.peakRssBytes;
    progress.done(
      `${missing} shard${missing === 1 ? '' : 's'} encoded on ${outcome.provider}` +
        (shards.length > missing ? `, ${shards.length - missing} from the cache` : ''),
    );
  } else {
    logger.info(`${options.label}: every shard's embeddings are in the cache`);
  }

  const files: EmbeddingFile[] = [];
  for (const shard of jobShards) {
    // Cached files were verified above; the ones just written are verified once here.
    const opened = await openEmbeddingFile(shard.path, shard.identity, {
      verifyChecksum: shard.write,
    });
    if (opened.status !== 'ok') {
      throw new EncoderError(
        `${options.label}: the embeddings of ${shard.name} are not readable after encoding (${opened.status === 'invalid' ? opened.reason : 'missing'})`,
        { hint: `delete ${options.cacheDir}/embeddings and run again` },
      );
    }
    files.push(opened.file);
  }
  /** The file holding `shard` as `split` reads it. */
  const fileOf = (split: string, splitList: readonly string[], shard: string): EmbeddingFile => {
    const streamIndex = streams.findIndex((stream) =>
      protocol.batching === 'padded'
        ? JSON.stringify(stream.shards) === JSON.stringify(splitList)
        : stream.shards[0] === shard,
    );
    const offset = (streams[streamIndex]?.shards ?? []).indexOf(shard);
    const index = (streamShards[streamIndex] ?? [])[offset];
    const file = index === undefined ? undefined : files[index];
    if (!file) {
      throw new Error(`${task.id}: no embeddings for ${shard} of ${split}`);
    }
    return file;
  };
  const splits = new Map(
    [...splitShards(task)].map(([split, list]) => [
      split,
      list.map((shard) => fileOf(split, list, shard)),
    ]),
  );
  // A shard read by two different padded streams is counted once.
  const headers = [
    ...new Map(files.map((file) => [file.header.identity.shard, file.header])).values(),
  ];
  const total = (field: 'audioSeconds' | 'encodeSeconds' | 'encodedSeconds') =>
    headers.reduce((sum, header) => sum + header[field], 0);
  return {
    splits,
    audioSeconds: total('audioSeconds'),
    encodeSeconds: total('encodeSeconds'),
    encodedSeconds: total('encodedSeconds'),
    peakRssBytes,
    encodedShards: missing,
    cachedShards: shards.length - missing,
  };
}

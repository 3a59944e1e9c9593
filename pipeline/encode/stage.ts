/**
 * The encoder stage of one (submission, task): find each shard's embeddings in the cache, encode
 * the missing shards in a supervised child process (which writes them to the cache one by one),
 * and hand back the cache files of every split. A run killed half way resumes at the first shard
 * without a valid cache file.
 */
import type { TaskDefinition } from '../../schemas/task.ts';
import type { ReadyTaskData } from '../data/prepare.ts';
import { EncoderError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { PROTOCOL } from '../protocol.ts';
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
import type { EmbeddingMode } from './embed.ts';
import { runEncodeJob, type EncodeLimits } from './supervisor.ts';
import type { ShardJob } from './worker.ts';

/** Bumped when the encoder stage changes what it stores (crop rule, pooling, file layout). */
export const ENCODE_VERSION = 1;

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
): string {
  const { sampleRate, embeddingDim, maxInputSeconds } = submission.manifest;
  return fingerprint({
    protocol: PROTOCOL,
    encodeVersion: ENCODE_VERSION,
    encoder: { sampleRate, embeddingDim, maxInputSeconds },
    mode: embeddingMode(task),
    precision: embeddingMode(task) === 'frames' ? precision : 'float32',
    cropSeconds: task.cropSeconds ?? null,
    labels: task.labels,
    executionProvider: provider,
  });
}

export interface EncodeStageOptions {
  readonly submission: Submission;
  readonly task: TaskDefinition;
  readonly data: ReadyTaskData;
  readonly cacheDir: string;
  readonly provider: ExecutionProvider;
  readonly threads?: number | undefined;
  /** Crops per encoder call; the task's X-ARES batch_size_encode when undefined. */
  readonly batchSize?: number | undefined;
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

export async function encodeTask(options: EncodeStageOptions): Promise<EncodedTask> {
  const { submission, task, data, logger } = options;
  const key = embeddingKey(submission, task, options.precision, options.provider);
  // A shard listed by two splits (validation = test) is encoded and stored once.
  const firstSplit = new Map<string, string>();
  for (const [split, shards] of splitShards(task)) {
    for (const shard of shards) {
      if (!firstSplit.has(shard)) {
        firstSplit.set(shard, split);
      }
    }
  }
  const identityOf = (shard: string): EmbeddingIdentity => {
    const shardSha256 = data.shards[shard];
    if (shardSha256 === undefined) {
      throw new Error(`${task.id}: no hash for shard ${shard}`);
    }
    return {
      key,
      modelSha256: submission.modelSha256,
      task: task.id,
      taskVersion: task.version,
      split: firstSplit.get(shard) as string,
      shard,
      shardSha256,
    };
  };

  const missing: ShardJob[] = [];
  for (const shard of firstSplit.keys()) {
    const identity = identityOf(shard);
    const path = embeddingFilePath(options.cacheDir, identity);
    const opened = await openEmbeddingFile(path, identity);
    if (opened.status === 'invalid') {
      logger.warn(
        `${options.label}: ignoring cached embeddings ${path}: ${opened.reason}; encoding ${shard} again`,
      );
    }
    if (opened.status !== 'ok') {
      missing.push({ name: shard, identity, path });
    }
  }

  let peakRssBytes = 0;
  if (missing.length > 0) {
    const { manifest } = submission;
    const progress = logger.progress(`${options.label} encode`, missing.length);
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
        labels: task.labels,
        dataDir: data.dir,
        shards: missing,
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
      `${missing.length} shard${missing.length === 1 ? '' : 's'} encoded on ${outcome.provider}` +
        (firstSplit.size > missing.length
          ? `, ${firstSplit.size - missing.length} from the cache`
          : ''),
    );
  } else {
    logger.info(`${options.label}: every shard's embeddings are in the cache`);
  }

  const files = new Map<string, EmbeddingFile>();
  for (const shard of firstSplit.keys()) {
    const identity = identityOf(shard);
    const opened = await openEmbeddingFile(embeddingFilePath(options.cacheDir, identity), identity);
    if (opened.status !== 'ok') {
      throw new EncoderError(
        `${options.label}: the embeddings of ${shard} are not readable after encoding (${opened.status === 'invalid' ? opened.reason : 'missing'})`,
        { hint: `delete ${options.cacheDir}/embeddings and run again` },
      );
    }
    files.set(shard, opened.file);
  }
  const splits = new Map(
    [...splitShards(task)].map(([split, shards]) => [
      split,
      shards.map((shard) => files.get(shard) as EmbeddingFile),
    ]),
  );
  const headers = [...files.values()].map((file) => file.header);
  const total = (key: 'audioSeconds' | 'encodeSeconds' | 'encodedSeconds') =>
    headers.reduce((sum, header) => sum + header[key], 0);
  return {
    splits,
    audioSeconds: total('audioSeconds'),
    encodeSeconds: total('encodeSeconds'),
    encodedSeconds: total('encodedSeconds'),
    peakRssBytes,
    encodedShards: missing.length,
    cachedShards: firstSplit.size - missing.length,
  };
}

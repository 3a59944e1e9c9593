/**
 * The encoder process: loads one submission's model, encodes the shards it is given and writes
 * each shard's embeddings to the cache the moment it is done. It runs under `supervisor.ts`,
 * which kills it when it hangs, crashes or grows past its memory limit, so a broken model fails
 * its own (submission, task) and nothing else. It sees a bare environment: no tokens, no
 * private-data credentials.
 */
import type { TaskLabels } from '../../schemas/task.ts';
import { errorMessage, PipelineError } from '../errors.ts';
import { OrtSession, type ExecutionProvider } from '../runtime/ort.ts';
import { peakRssBytes } from '../util/environment.ts';
import { writeEmbeddingFile, type EmbeddingIdentity, type EmbeddingPrecision } from './cache.ts';
import { CropReaders } from './crop-readers.ts';
import { ClipEncoder, encodeStream, type Chunking, type EncoderContract } from './embed.ts';
import type { Batching, EmbeddingMode } from './crop-batches.ts';

export interface ShardJob {
  readonly name: string;
  readonly identity: EmbeddingIdentity;
  /** Cache file to write. */
  readonly path: string;
  /**
   * False for a shard whose embeddings are cached already: it is read only because a padded
   * batch of a later shard begins in it.
   */
  readonly write: boolean;
}

export interface EncodeJob {
  readonly modelPath: string;
  readonly contract: EncoderContract;
  readonly provider: ExecutionProvider;
  readonly threads?: number | undefined;
  readonly mode: EmbeddingMode;
  readonly precision: EmbeddingPrecision;
  readonly cropSeconds: number | undefined;
  readonly batchSize: number;
  readonly batching: Batching;
  readonly chunking: Chunking;
  readonly labels: TaskLabels;
  /** Folder holding the task's shards. */
  readonly dataDir: string;
  readonly shards: readonly ShardJob[];
  /** Indices into `shards`, each stream read as one sequence of batches. */
  readonly streams: readonly (readonly number[])[];
  /** Reader threads that decode streams at the same time. */
  readonly readers: number;
}

export type WorkerMessage =
  | { readonly type: 'loaded'; readonly provider: string }
  | { readonly type: 'progress'; readonly shard: string }
  | {
      readonly type: 'shard';
      readonly name: string;
      readonly items: number;
      readonly encodeSeconds: number;
      readonly encodedSeconds: number;
    }
  | { readonly type: 'done'; readonly peakRssBytes: number }
  | {
      readonly type: 'failed';
      readonly message: string;
      readonly hint?: string | undefined;
      readonly code?: string | undefined;
    };

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      resolve();
      return;
    }
    process.send(message, () => {
      resolve();
    });
  });
}

/**
 * The supervisor's hang detector only needs to hear that batches keep being encoded; a message
 * per clip cost more than the encoder itself for fast models, so progress goes out at most
 * every PROGRESS_INTERVAL_MS.
 */
const PROGRESS_INTERVAL_MS = 100;
let lastProgress = -Infinity;
function reportProgress(shard: string): void {
  const now = performance.now();
  if (now - lastProgress >= PROGRESS_INTERVAL_MS) {
    lastProgress = now;
    void send({ type: 'progress', shard });
  }
}

async function run(job: EncodeJob): Promise<void> {
  // Started first, so the reader threads load and read ahead while the model loads.
  const readers = new CropReaders(
    {
      contract: job.contract,
      labels: job.labels,
      dataDir: job.dataDir,
      shards: job.shards.map((shard) => shard.name),
      streams: job.streams,
      mode: job.mode,
      cropSeconds: job.cropSeconds,
      batchSize: job.batchSize,
      batching: job.batching,
    },
    job.readers,
  );
  try {
    const session = await OrtSession.create(job.modelPath, {
      label: job.modelPath,
      provider: job.provider,
      ...(job.threads === undefined ? {} : { intraOpThreads: job.threads }),
    });
    const encoder = new ClipEncoder(session, job.contract, job.chunking);
    await send({ type: 'loaded', provider: session.executionProvider });
    const events = (async function* () {
      for await (const { event } of readers.events()) {
        yield event;
      }
    })();
    await encodeStream(encoder, job.contract, events, {
      mode: job.mode,
      wanted: (shard) => job.shards[shard]?.write === true,
      onProgress: (shard) => {
        reportProgress(job.shards[shard]?.name ?? '');
      },
      onShard: async (index, encoded) => {
        const shard = job.shards[index] as ShardJob;
        await writeEmbeddingFile(
          shard.path,
          {
            identity: shard.identity,
            mode: job.mode,
            precision: job.precision,
            dim: job.contract.embeddingDim,
            items: encoded.items,
            audioSeconds: encoded.audioSeconds,
            encodedSeconds: encoded.encodedSeconds,
            encodeSeconds: encoded.encodeSeconds,
          },
          encoded.data,
        );
        await send({
          type: 'shard',
          name: shard.name,
          items: encoded.items.length,
          encodeSeconds: encoded.encodeSeconds,
          encodedSeconds: encoded.encodedSeconds,
        });
      },
    });
    await encoder.release();
  } finally {
    await readers.close();
  }
  await send({ type: 'done', peakRssBytes: peakRssBytes() });
}

// The supervisor going away (killed, or finished with us) ends this process too.
process.on('disconnect', () => process.exit(1));
// Ctrl-C reaches the whole process group; the parent decides when this process stops.
process.on('SIGINT', () => undefined);
process.once('message', (job: EncodeJob) => {
  run(job).then(
    () => process.exit(0),
    async (error: unknown) => {
      await send({
        type: 'failed',
        message: errorMessage(error),
        hint: error instanceof PipelineError ? error.hint : undefined,
        code: error instanceof PipelineError ? error.code : undefined,
      });
      process.exit(1);
    },
  );
});

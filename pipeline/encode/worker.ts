/**
 * The encoder process: loads one submission's model, encodes the shards it is given and writes
 * each shard's embeddings to the cache the moment it is done. It runs under `supervisor.ts`,
 * which kills it when it hangs, crashes or grows past its memory limit, so a broken model fails
 * its own (submission, task) and nothing else. It sees a bare environment: no tokens, no
 * private-data credentials.
 */
import type { TaskLabels } from '../../schemas/task.ts';
import { readLabelledAudio } from '../data/samples.ts';
import { errorMessage, PipelineError } from '../errors.ts';
import { OrtSession, type ExecutionProvider } from '../runtime/ort.ts';
import { peakRssBytes } from '../util/environment.ts';
import { writeEmbeddingFile, type EmbeddingIdentity, type EmbeddingPrecision } from './cache.ts';
import { ClipEncoder, encodeSamples, type EmbeddingMode, type EncoderContract } from './embed.ts';

export interface ShardJob {
  readonly name: string;
  readonly identity: EmbeddingIdentity;
  /** Cache file to write. */
  readonly path: string;
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
  readonly labels: TaskLabels;
  /** Folder holding the task's shards. */
  readonly dataDir: string;
  readonly shards: readonly ShardJob[];
}

export type WorkerMessage =
  | { readonly type: 'loaded'; readonly provider: string }
  | { readonly type: 'clip' }
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

async function run(job: EncodeJob): Promise<void> {
  const session = await OrtSession.create(job.modelPath, {
    label: job.modelPath,
    provider: job.provider,
    ...(job.threads === undefined ? {} : { intraOpThreads: job.threads }),
  });
  const encoder = new ClipEncoder(session, job.contract);
  await send({ type: 'loaded', provider: session.executionProvider });
  for (const shard of job.shards) {
    const encoded = await encodeSamples(
      encoder,
      job.contract,
      readLabelledAudio(job.dataDir, [shard.name], job.labels),
      {
        mode: job.mode,
        cropSeconds: job.cropSeconds,
        batchSize: job.batchSize,
        onClip: () => void send({ type: 'clip' }),
      },
    );
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
  }
  await encoder.release();
  await send({ type: 'done', peakRssBytes: peakRssBytes() });
}

// The supervisor going away (killed, or finished with us) ends this process too.
process.on('disconnect', () => process.exit(1));
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

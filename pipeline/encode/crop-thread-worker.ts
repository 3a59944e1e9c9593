/**
 * The reader thread of `crop-thread.ts`: reads, decodes, resamples and crops the job's shards
 * in order and posts each batch as a transferred buffer, staying at most PREFETCH_BATCHES
 * batches ahead of the encoder.
 */
import { workerData } from 'node:worker_threads';
import { readLabelledAudio } from '../data/samples.ts';
import {
  PREFETCH_BATCHES,
  serializeError,
  type CropThreadData,
  type CropThreadMessage,
} from './crop-thread.ts';
import { cropBatches } from './embed.ts';

const { job, port } = workerData as CropThreadData;

let credits = PREFETCH_BATCHES;
let wake: (() => void) | undefined;
port.on('message', () => {
  credits++;
  wake?.();
  wake = undefined;
});

function post(message: CropThreadMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function readShards(): Promise<void> {
  for (const [shard, name] of job.shards.entries()) {
    const reader = cropBatches(
      job.contract,
      readLabelledAudio(job.dataDir, [name], job.labels),
      job,
    );
    for await (const batch of reader.batches) {
      while (credits === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      credits--;
      post({ type: 'batch', shard, batch }, [batch.input.buffer as ArrayBuffer]);
    }
    post({
      type: 'shard-end',
      shard,
      audioSeconds: reader.audioSeconds(),
      cropSamples: reader.cropSamples(),
    });
  }
}

readShards().then(
  () => {
    port.close();
  },
  (error: unknown) => {
    post({ type: 'error', error: serializeError(error) });
    port.close();
  },
);

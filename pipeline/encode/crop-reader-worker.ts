/**
 * A reader thread of `crop-readers.ts`: reads, decodes, resamples and crops the streams it is
 * handed, one at a time, and posts each batch as a transferred buffer, staying at most
 * PREFETCH_BATCHES batches ahead of the encoder.
 */
import { workerData } from 'node:worker_threads';
import {
  PREFETCH_BATCHES,
  serializeError,
  shardSources,
  type ReaderCommand,
  type ReaderMessage,
  type ReaderThreadData,
} from './crop-readers.ts';
import { cropEvents } from './crop-batches.ts';

const { job, port } = workerData as ReaderThreadData;

let credits = PREFETCH_BATCHES;
const assigned: (number | 'stop')[] = [];
let wake: (() => void) | undefined;
port.on('message', (command: ReaderCommand) => {
  if (command.type === 'credit') {
    credits++;
  } else {
    assigned.push(command.type === 'read' ? command.stream : 'stop');
  }
  wake?.();
  wake = undefined;
});

function sleepUntilWoken(): Promise<void> {
  return new Promise<void>((resolve) => {
    wake = resolve;
  });
}

function post(message: ReaderMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function readStreams(): Promise<void> {
  for (;;) {
    while (assigned.length === 0) {
      await sleepUntilWoken();
    }
    const stream = assigned.shift() as number | 'stop';
    if (stream === 'stop') {
      return;
    }
    const shards = job.streams[stream] ?? [];
    for await (const event of cropEvents(job.contract, shardSources(job, shards), job)) {
      if (event.type === 'batch') {
        while (credits === 0) {
          await sleepUntilWoken();
        }
        credits--;
        post({ type: 'event', stream, event }, [event.batch.input.buffer as ArrayBuffer]);
      } else {
        post({ type: 'event', stream, event });
      }
    }
    post({ type: 'stream-end', stream });
  }
}

readStreams().then(
  () => {
    port.close();
  },
  (error: unknown) => {
    post({ type: 'error', error: serializeError(error) });
    port.close();
  },
);

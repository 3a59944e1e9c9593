/**
 * Reading, decoding, resampling and cropping on worker threads, so that it overlaps the encoder.
 * onnxruntime-node runs `session.run` synchronously on the calling thread, so in one thread every
 * millisecond of decoding adds to every millisecond of inference; for fast encoders the decoding
 * was several times the encoder's own time (docs/performance.md).
 *
 * A job's shards come in streams (one shard each, or a split's shards when padded batches cross
 * shard boundaries). Each reader thread reads one stream at a time and is handed the next unread
 * stream when it finishes, so several shards are decoded at once where cores allow. Each thread
 * stays at most `PREFETCH_BATCHES` batches ahead of the encoder, so memory stays bounded whatever
 * the shard size. Each batch crosses as one transferred buffer, never copied.
 *
 * Events of different streams interleave in whatever order the threads finish them; within a
 * stream they come in order and are exactly those `cropEvents` yields in one thread. Streams are
 * independent (no batch crosses two), so the embeddings do not depend on the number of readers.
 */
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from 'node:worker_threads';
import type { TaskLabels } from '../../schemas/task.ts';
import { readLabelledAudio } from '../data/samples.ts';
import { DataError, EncoderError, PipelineError, type ErrorCode } from '../errors.ts';
import { cropEvents, type CropEvent, type CropOptions } from './crop-batches.ts';
import type { EncoderContract } from './embed.ts';

/** Batches each reader thread decodes ahead of the encoder. */
export const PREFETCH_BATCHES = 4;

export interface CropReadJob extends CropOptions {
  readonly contract: EncoderContract;
  readonly labels: TaskLabels;
  /** Folder holding the shards. */
  readonly dataDir: string;
  /** Shard file names; events refer to a shard by its index here. */
  readonly shards: readonly string[];
  /** Indices into `shards`: each stream is read in order, as one sequence of batches. */
  readonly streams: readonly (readonly number[])[];
}

/** An event of one stream. */
export interface StreamEvent {
  readonly stream: number;
  readonly event: CropEvent;
}

/** The events of every stream, stream after stream, in this thread (tests and benchmarks). */
export async function* readStreamsInline(job: CropReadJob): AsyncGenerator<StreamEvent> {
  for (const [stream, shards] of job.streams.entries()) {
    for await (const event of cropEvents(job.contract, shardSources(job, shards), job)) {
      yield { stream, event };
    }
  }
}

export function shardSources(job: CropReadJob, shards: readonly number[]) {
  return shards.map((id) => ({
    id,
    samples: readLabelledAudio(job.dataDir, [job.shards[id] as string], job.labels),
  }));
}

/** An error as it crosses the thread boundary. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: ErrorCode | undefined;
  readonly hint?: string | undefined;
}

/** From a reader thread to the main thread. */
export type ReaderMessage =
  | { readonly type: 'event'; readonly stream: number; readonly event: CropEvent }
  | { readonly type: 'stream-end'; readonly stream: number }
  | { readonly type: 'error'; readonly error: SerializedError };

/** From the main thread to a reader thread. */
export type ReaderCommand =
  | { readonly type: 'credit' }
  | { readonly type: 'read'; readonly stream: number }
  | { readonly type: 'stop' };

/** What a reader thread is started with. */
export interface ReaderThreadData {
  readonly job: CropReadJob;
  /** Where events go, and commands come from. */
  readonly port: MessagePort;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof PipelineError) {
    return { name: error.name, message: error.message, code: error.code, hint: error.hint };
  }
  if (error instanceof Error) {
    return { name: error.name, message: error.message };
  }
  return { name: 'Error', message: String(error) };
}

/** The typed error again, so the supervisor reports it exactly as if thrown in this thread. */
export function deserializeError(error: SerializedError): Error {
  const options = error.hint === undefined ? {} : { hint: error.hint };
  if (error.name === 'DataError') {
    return new DataError(error.message, options);
  }
  if (error.name === 'EncoderError') {
    return new EncoderError(error.message, options);
  }
  if (error.code !== undefined) {
    return new PipelineError(error.code, error.message, options);
  }
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return rebuilt;
}

type Arrival = ReaderMessage | { readonly type: 'exit'; readonly code: number };

interface ReaderThread {
  readonly worker: Worker;
  /** Events arrive on their own port so they can be taken without waiting for an event loop turn. */
  readonly port: MessagePort;
  /** The stream it reads now, if any. */
  stream: number | undefined;
  exited: boolean;
}

/**
 * Reader threads for the streams of one job. Iterate `events()` once; `close()` stops every
 * thread (also after an error).
 */
export class CropReaders {
  readonly #threads: ReaderThread[] = [];
  readonly #arrivals: { thread: ReaderThread; arrival: Arrival }[] = [];
  readonly #streams: number;
  #wake: (() => void) | undefined;
  #nextStream = 0;
  #closed = false;

  /** `readers`: the most threads to start (never more than there are streams). */
  constructor(job: CropReadJob, readers: number) {
    this.#streams = job.streams.length;
    const count = Math.max(1, Math.min(readers, this.#streams));
    for (let i = 0; i < count && this.#streams > 0; i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(new URL('./crop-reader-worker.ts', import.meta.url), {
        workerData: { job, port: port2 } satisfies ReaderThreadData,
        transferList: [port2],
      });
      const thread: ReaderThread = { worker, port: port1, stream: undefined, exited: false };
      port1.on('message', (message: ReaderMessage) => {
        this.#push(thread, message);
      });
      worker.on('error', (error: Error) => {
        this.#push(thread, { type: 'error', error: serializeError(error) });
      });
      worker.on('exit', (code: number) => {
        // The exit comes on another channel than the events and may overtake the last of them.
        for (let left = receiveMessageOnPort(port1); left; left = receiveMessageOnPort(port1)) {
          this.#push(thread, left.message as ReaderMessage);
        }
        this.#push(thread, { type: 'exit', code });
      });
      this.#threads.push(thread);
      this.#assign(thread);
    }
  }

  /** Threads started (at most one per stream). */
  get readerCount(): number {
    return this.#threads.length;
  }

  #assign(thread: ReaderThread): void {
    if (this.#nextStream < this.#streams) {
      thread.stream = this.#nextStream++;
      thread.port.postMessage({ type: 'read', stream: thread.stream } satisfies ReaderCommand);
    } else {
      thread.stream = undefined;
      thread.port.postMessage({ type: 'stop' } satisfies ReaderCommand);
    }
  }

  #push(thread: ReaderThread, arrival: Arrival): void {
    this.#arrivals.push({ thread, arrival });
    this.#wake?.();
    this.#wake = undefined;
  }

  async #take(): Promise<{ thread: ReaderThread; arrival: Arrival }> {
    for (;;) {
      // onnxruntime's run blocks this thread, so events posted meanwhile wait in the ports until
      // the event loop turns; taking them directly saves that turn on every batch.
      const queued = this.#arrivals.shift();
      if (queued) {
        return queued;
      }
      for (const thread of this.#threads) {
        const message = receiveMessageOnPort(thread.port)?.message as ReaderMessage | undefined;
        if (message) {
          return { thread, arrival: message };
        }
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Batches read ahead and not yet taken by the encoder (at most PREFETCH_BATCHES a thread). */
  get bufferedBatches(): number {
    return this.#arrivals.filter(
      ({ arrival }) => arrival.type === 'event' && arrival.event.type === 'batch',
    ).length;
  }

  /** Every stream's events; ends when every stream has been read. */
  async *events(): AsyncGenerator<StreamEvent> {
    let ended = 0;
    while (ended < this.#streams) {
      const { thread, arrival } = await this.#take();
      if (arrival.type === 'error') {
        throw deserializeError(arrival.error);
      }
      if (arrival.type === 'exit') {
        thread.exited = true;
        if (thread.stream !== undefined) {
          throw new EncoderError(
            `an audio reader thread stopped (exit code ${arrival.code}) while reading stream ${thread.stream}`,
          );
        }
        continue;
      }
      if (arrival.type === 'stream-end') {
        ended++;
        this.#assign(thread);
        continue;
      }
      if (arrival.event.type === 'batch') {
        thread.port.postMessage({ type: 'credit' } satisfies ReaderCommand);
      }
      yield { stream: arrival.stream, event: arrival.event };
    }
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await Promise.all(
        this.#threads.map(async (thread) => {
          thread.port.close();
          await thread.worker.terminate();
        }),
      );
    }
  }
}

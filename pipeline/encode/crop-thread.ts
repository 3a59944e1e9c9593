/**
 * Reading, decoding, resampling and cropping on a worker thread, so that it overlaps the
 * encoder. onnxruntime-node runs `session.run` synchronously on the calling thread, so in one
 * thread every millisecond of decoding adds to every millisecond of inference; for fast encoders
 * the decoding was several times the encoder's own time (docs/performance.md).
 *
 * The thread works through the shards in order and stays at most `PREFETCH_BATCHES` batches
 * ahead of the encoder, so memory stays bounded whatever the shard size. Each batch crosses as
 * one transferred buffer, never copied. The batches are exactly those `cropBatches` builds in
 * one thread, in the same order, so embeddings do not depend on which reader produced them.
 */
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from 'node:worker_threads';
import type { TaskLabels } from '../../schemas/task.ts';
import { DataError, EncoderError, PipelineError, type ErrorCode } from '../errors.ts';
import type { CropBatch, CropBatches, CropOptions, EncoderContract } from './embed.ts';

/** Batches decoded ahead of the encoder. */
export const PREFETCH_BATCHES = 4;

export interface CropThreadJob extends CropOptions {
  readonly contract: EncoderContract;
  readonly labels: TaskLabels;
  /** Folder holding the shards. */
  readonly dataDir: string;
  /** Shards to read, in the order `shard()` will be called. */
  readonly shards: readonly string[];
}

/** An error as it crosses the thread boundary. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: ErrorCode | undefined;
  readonly hint?: string | undefined;
}

export type CropThreadMessage =
  | { readonly type: 'batch'; readonly shard: number; readonly batch: CropBatch }
  | {
      readonly type: 'shard-end';
      readonly shard: number;
      readonly audioSeconds: number;
      readonly cropSamples: number;
    }
  | { readonly type: 'error'; readonly error: SerializedError };

/** What the reader thread is started with. */
export interface CropThreadData {
  readonly job: CropThreadJob;
  /** Where batches go, and credits come from. */
  readonly port: MessagePort;
}

/** The main thread's answer: one more batch may be read ahead. */
export interface CropThreadCredit {
  readonly type: 'credit';
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

type Event = CropThreadMessage | { readonly type: 'exit'; readonly code: number };

/**
 * A reader thread for the shards of one job. Call `shard(i)` for i = 0, 1, ... in order and
 * drain each before the next; `close()` stops the thread (also after an error).
 */
export class CropThread {
  readonly #worker: Worker;
  /** Batches arrive on their own port so they can be taken without waiting for an event-loop turn. */
  readonly #port: MessagePort;
  readonly #events: Event[] = [];
  #wake: (() => void) | undefined;
  #next = 0;
  #closed = false;

  constructor(job: CropThreadJob) {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(new URL('./crop-thread-worker.ts', import.meta.url), {
      workerData: { job, port: port2 } satisfies CropThreadData,
      transferList: [port2],
    });
    this.#port.on('message', (message: CropThreadMessage) => {
      this.#push(message);
    });
    this.#worker.on('error', (error: Error) => {
      this.#push({ type: 'error', error: serializeError(error) });
    });
    this.#worker.on('exit', (code: number) => {
      // The exit comes on another channel than the batches and may overtake the last of them.
      for (let left = receiveMessageOnPort(port1); left; left = receiveMessageOnPort(port1)) {
        this.#push(left.message as CropThreadMessage);
      }
      this.#push({ type: 'exit', code });
    });
  }

  #push(event: Event): void {
    this.#events.push(event);
    this.#wake?.();
    this.#wake = undefined;
  }

  async #take(): Promise<Event> {
    for (;;) {
      // onnxruntime's run blocks this thread, so batches posted meanwhile wait in the port until
      // the event loop turns; taking them directly saves that turn on every batch.
      const event =
        this.#events.shift() ??
        (receiveMessageOnPort(this.#port)?.message as CropThreadMessage | undefined);
      if (event) {
        return event;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Batches read ahead and not yet taken by the encoder (at most PREFETCH_BATCHES). */
  get bufferedBatches(): number {
    return this.#events.filter((event) => event.type === 'batch').length;
  }

  /** The batches of the job's next shard; must be drained before the next call. */
  shard(index: number): CropBatches {
    if (index !== this.#next) {
      throw new RangeError(`CropThread: shard ${index} asked for, ${this.#next} is next`);
    }
    this.#next++;
    let audioSeconds = 0;
    let cropSamples = 0;
    const take = () => this.#take();
    const credit = () => {
      this.#port.postMessage({ type: 'credit' } satisfies CropThreadCredit);
    };
    async function* batches(): AsyncGenerator<CropBatch> {
      for (;;) {
        const event = await take();
        if (event.type === 'error') {
          throw deserializeError(event.error);
        }
        if (event.type === 'exit') {
          throw new EncoderError(
            `the audio reader thread stopped (exit code ${event.code}) before shard ${index} was read`,
          );
        }
        if (event.shard !== index) {
          throw new RangeError(`CropThread: got shard ${event.shard} while reading ${index}`);
        }
        if (event.type === 'shard-end') {
          audioSeconds = event.audioSeconds;
          cropSamples = event.cropSamples;
          return;
        }
        credit();
        yield event.batch;
      }
    }
    return {
      batches: batches(),
      audioSeconds: () => audioSeconds,
      cropSamples: () => cropSamples,
    };
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#port.close();
      await this.#worker.terminate();
    }
  }
}

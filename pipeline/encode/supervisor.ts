/**
 * Runs an encode job in a child process (`worker.ts`) under limits: time to load the model,
 * time without progress, total time, and resident memory (polled from /proc on Linux). Whatever
 * goes wrong in the child becomes an EncoderError naming the model, the shard and the limit, and
 * every shard the child finished before that stays in the cache.
 */
import { fork } from 'node:child_process';
import { interruption } from '../util/interrupt.ts';
import { mebibytes, watchResidentMemory } from '../util/process-memory.ts';
import {
  DataError,
  EncoderError,
  EnvironmentError,
  PipelineError,
  type ErrorCode,
} from '../errors.ts';
import type { EncodeJob, WorkerMessage } from './worker.ts';

export interface EncodeLimits {
  /** Seconds allowed for loading the model. */
  readonly loadSeconds: number;
  /** Seconds allowed between two progress messages (one encoded batch). */
  readonly idleSeconds: number;
  /** Seconds allowed for the whole job; undefined for no limit. */
  readonly totalSeconds?: number | undefined;
  /** Resident set size at which the process is stopped; undefined for no limit. */
  readonly memoryBytes?: number | undefined;
}

export const DEFAULT_ENCODE_LIMITS: EncodeLimits = {
  loadSeconds: 600,
  idleSeconds: 900,
  memoryBytes: undefined,
};

export interface EncodeCallbacks {
  /** The encoder process started (its pid, for diagnostics). */
  readonly onStarted?: (pid: number) => void;
  readonly onLoaded?: (provider: string) => void;
  readonly onShard?: (message: Extract<WorkerMessage, { type: 'shard' }>) => void;
}

export interface EncodeOutcome {
  readonly provider: string;
  /** Largest resident set size of the encoder process. */
  readonly peakRssBytes: number;
}

/** Environment variables the encoder process may see: GPU drivers need some, secrets none. */
export function workerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) =>
      /^(PATH|LD_LIBRARY_PATH|CUDA_[A-Z_]+|VK_[A-Z_]+|NVIDIA_[A-Z_]+|XDG_RUNTIME_DIR)$/.test(name),
    ),
  );
}

export function runEncodeJob(
  job: EncodeJob,
  limits: EncodeLimits,
  callbacks: EncodeCallbacks = {},
): Promise<EncodeOutcome> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./worker.ts', import.meta.url), [], {
      env: workerEnvironment(process.env),
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    let provider = job.provider as string;
    let loaded = false;
    // The shard of the last batch reported, for messages about where a failure happened.
    let current = job.shards.find((shard) => shard.write)?.name ?? '';
    const currentShard = () => current;
    let peak = 0;
    let finished: EncodeOutcome | undefined;
    let failure:
      { message: string; hint?: string | undefined; code?: string | undefined } | undefined;
    let stopReason: { message: string; hint: string } | undefined;

    const stop = (message: string, hint: string) => {
      if (stopReason === undefined) {
        stopReason = { message, hint };
        child.kill('SIGKILL');
      }
    };
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idleTimer);
      const seconds = loaded ? limits.idleSeconds : limits.loadSeconds;
      idleTimer = setTimeout(() => {
        stop(
          loaded
            ? `made no progress for ${seconds} s while encoding ${currentShard()} and was stopped`
            : `did not load within ${seconds} s and was stopped`,
          loaded
            ? 'the model hangs or is far too slow on this input; check it with `npm run check`, or raise --idle-timeout'
            : 'make the model load faster, or raise --load-timeout',
        );
      }, seconds * 1000);
    };
    armIdle();
    const totalTimer =
      limits.totalSeconds === undefined
        ? undefined
        : setTimeout(() => {
            stop(
              `did not finish within ${limits.totalSeconds ?? 0} s (at ${currentShard()}) and was stopped`,
              'raise --task-timeout, or make the model faster',
            );
          }, limits.totalSeconds * 1000);
    const stopWatchingMemory = watchResidentMemory(child, (bytes) => {
      peak = Math.max(peak, bytes);
      if (limits.memoryBytes !== undefined && bytes > limits.memoryBytes) {
        stop(
          `used ${mebibytes(bytes)} of memory while encoding ${currentShard()}, more than the limit of ${mebibytes(limits.memoryBytes)}, and was stopped`,
          'lower the memory the model needs (smaller maxInputSeconds in the manifest chunks long audio), or raise --memory-limit',
        );
      }
    });

    child.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'loaded':
          loaded = true;
          provider = message.provider;
          callbacks.onLoaded?.(message.provider);
          break;
        case 'progress':
          current = message.shard;
          break;
        case 'shard':
          callbacks.onShard?.(message);
          break;
        case 'done':
          finished = { provider, peakRssBytes: Math.max(peak, message.peakRssBytes) };
          break;
        case 'failed':
          failure = message;
          break;
      }
      armIdle();
    });

    // Asked to stop (SIGINT, SIGTERM): the encoder goes at once; its finished shards are on disk.
    const onInterrupt = () => {
      child.kill('SIGKILL');
    };
    interruption.addEventListener('abort', onInterrupt, { once: true });
    child.once('exit', (code, signal) => {
      clearTimeout(idleTimer);
      clearTimeout(totalTimer);
      stopWatchingMemory();
      interruption.removeEventListener('abort', onInterrupt);
      if (finished && code === 0) {
        resolve(finished);
        return;
      }
      if (interruption.aborted) {
        reject(interruption.reason as Error);
        return;
      }
      if (signal === 'SIGINT' || signal === 'SIGTERM') {
        // A signal to the whole process group reaches the encoder too; the run's own handler
        // may see it a moment later. Give it that moment before blaming anyone.
        setTimeout(() => {
          if (interruption.aborted) {
            reject(interruption.reason as Error);
          } else {
            report(code, signal);
          }
        }, 200);
        return;
      }
      report(code, signal);
    });
    const report = (code: number | null, signal: NodeJS.Signals | null) => {
      const label = job.modelPath;
      if (failure) {
        const Type = failure.code === 'DATA_INVALID' ? DataError : EncoderError;
        const error =
          failure.code !== undefined &&
          failure.code !== 'DATA_INVALID' &&
          failure.code !== 'ENCODER_FAILED'
            ? new PipelineError(
                failure.code as ErrorCode,
                failure.message,
                hintOption(failure.hint),
              )
            : new Type(failure.message, hintOption(failure.hint));
        reject(error);
        return;
      }
      if (stopReason) {
        reject(
          new EncoderError(`${label}: the encoder ${stopReason.message}`, {
            hint: stopReason.hint,
          }),
        );
        return;
      }
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
      // SIGKILL or SIGTERM that this supervisor did not send: the kernel's OOM killer or a user.
      if (signal === 'SIGKILL' || signal === 'SIGTERM') {
        reject(
          new EnvironmentError(
            `${label}: the encoder process was killed from outside (signal ${signal}) while encoding ${currentShard()}: the kernel's out-of-memory killer or a user`,
            {
              hint: "not a fault found in the model: if memory ran out (`dmesg` shows the kernel's out-of-memory killer), free memory or lower --memory-limit so the pipeline stops the encoder first, then run evaluate again; finished shards are kept",
            },
          ),
        );
        return;
      }
      reject(
        new EncoderError(
          `${label}: the encoder process ended abnormally (${signal ? `signal ${signal}` : `exit code ${String(code)}`}) while encoding ${currentShard()}${last ? `: ${last}` : ''}`,
          {
            hint: 'the model crashes onnxruntime on this input; run `npm run check` on the submission and re-export the model',
          },
        ),
      );
    };
    child.on('error', (error) => {
      stop(
        `could not be started: ${error.message}`,
        'check that Node can start child processes here',
      );
    });
    child.send(job);
    if (child.pid !== undefined) {
      callbacks.onStarted?.(child.pid);
    }
  });
}

function hintOption(hint: string | undefined): { hint?: string } {
  return hint === undefined ? {} : { hint };
}

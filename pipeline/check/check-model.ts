/**
 * The checker's model checks in a child process with an empty environment, under limits on time
 * and memory: a crash, hang or runaway allocation fails the check of this one model, with the
 * input it was running named. `check` and `evaluate` (through gate.ts) both run them here.
 */
import { fork } from 'node:child_process';
import type { CheckItem } from '../../schemas/check-report.ts';
import { workerEnvironment } from '../encode/supervisor.ts';
import type { ExecutionProvider } from '../runtime/ort.ts';
import { interruption } from '../util/interrupt.ts';
import { mebibytes, watchResidentMemory } from '../util/process-memory.ts';
import { MEMORY_HINT, type EncoderContract } from './dynamic/encoder-calls.ts';
import type { WorkerProgress, WorkerRequest, WorkerResponse } from './worker.ts';

export const DEFAULT_CHECK_TIMEOUT_SECONDS = 900;
/** Well under a GitHub-hosted runner's 16 GB, far above what the X-ARES input needs. */
export const DEFAULT_CHECK_MEMORY_BYTES = 8 * 2 ** 30;

export function fail(id: CheckItem['id'], message: string, hint?: string): CheckItem {
  return hint === undefined
    ? { id, status: 'fail', message }
    : { id, status: 'fail', message, hint };
}

/** Run the dynamic checks in a child process, killing it at the time limit. */
function runWorker(
  request: WorkerRequest,
  timeoutSeconds: number,
  memoryBytes: number,
): Promise<WorkerResponse> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./worker.ts', import.meta.url), [], {
      // Nothing of this environment reaches the model, except what a GPU driver needs.
      env: (request.provider ?? 'cpu') === 'cpu' ? {} : workerEnvironment(process.env),
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    let response: WorkerResponse | undefined;
    let stopped: { message: string; hint: string } | undefined;
    const stop = (message: string, hint: string) => {
      stopped ??= { message, hint };
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      stop(
        `the encoder did not finish loading and checking within ${timeoutSeconds} s and was stopped`,
        'make the model load and run faster, or raise --timeout',
      );
    }, timeoutSeconds * 1000);
    // A model that allocates without bound must not take the runner down with it.
    let running: readonly number[] | undefined;
    const stopWatchingMemory = watchResidentMemory(child, (bytes) => {
      if (bytes > memoryBytes) {
        stop(
          running
            ? `out of memory: for an input of [${running.join(', ')}], the encoder used ${mebibytes(bytes)}, more than the checker's limit of ${mebibytes(memoryBytes)}, and was stopped`
            : `the encoder used ${mebibytes(bytes)} of memory while loading, more than the checker's limit of ${mebibytes(memoryBytes)}, and was stopped`,
          running
            ? MEMORY_HINT
            : 'make the model smaller (float16 weights, fewer parameters), or raise --memory-limit',
        );
      }
    });
    child.on('message', (message: WorkerResponse | WorkerProgress) => {
      if ('running' in message) {
        running = message.running;
      } else {
        response = message;
      }
    });
    // Asked to stop (SIGINT, SIGTERM): no verdict, and nothing blamed on the model.
    const onInterrupt = () => {
      child.kill('SIGKILL');
    };
    interruption.addEventListener('abort', onInterrupt, { once: true });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      stopWatchingMemory();
      interruption.removeEventListener('abort', onInterrupt);
      if (interruption.aborted) {
        reject(interruption.reason as Error);
        return;
      }
      if (response && !stopped) {
        resolve(response);
        return;
      }
      const last = stderr.trim().split('\n').slice(-1)[0] ?? '';
      resolve({
        items: [
          stopped
            ? fail('session', stopped.message, stopped.hint)
            : signal === 'SIGKILL' || signal === 'SIGTERM'
              ? fail(
                  'session',
                  `the encoder process was stopped from outside (signal ${signal})${running ? ` while running an input of [${running.join(', ')}]` : ''}: the kernel's out-of-memory killer or a user`,
                  'check free memory (the checker allows --memory-limit) and run the check again; this is not a fault found in the model',
                )
              : fail(
                  'session',
                  `the encoder process ended abnormally (${signal ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}`,
                  'the model crashes onnxruntime; check it with onnx.checker and re-export',
                ),
        ],
      });
    });
    child.send(request);
  });
}

export interface ModelCheckRequest {
  readonly modelPath: string;
  /** The model's name in messages. */
  readonly modelLabel: string;
  readonly contract: EncoderContract;
  readonly threads?: number | undefined;
  readonly provider?: ExecutionProvider | undefined;
  readonly timeoutSeconds?: number | undefined;
  readonly memoryBytes?: number | undefined;
}

/** The dynamic checks of one model (dynamic/checks.ts), in a child process; shared with `evaluate`. */
export function checkModel(request: ModelCheckRequest): Promise<WorkerResponse> {
  const memoryBytes = request.memoryBytes ?? DEFAULT_CHECK_MEMORY_BYTES;
  return runWorker(
    {
      modelPath: request.modelPath,
      modelLabel: request.modelLabel,
      contract: request.contract,
      memoryBytes,
      ...(request.threads === undefined ? {} : { threads: request.threads }),
      ...(request.provider === undefined ? {} : { provider: request.provider }),
    },
    request.timeoutSeconds ?? DEFAULT_CHECK_TIMEOUT_SECONDS,
    memoryBytes,
  );
}

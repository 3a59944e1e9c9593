/**
 * One call of the encoder under check, and its failures in plain words. Runs inside the
 * checker's child process (see ../worker.ts).
 */
import { totalmem } from 'node:os';
import { errorMessage } from '../../errors.ts';
import type { OrtSession } from '../../runtime/ort.ts';

/**
 * What the manifest declares. `embeddingDim` and `hopMs` are absent when the manifest's own
 * value is invalid: the checks then report what they measured as the value to declare.
 */
export interface EncoderContract {
  readonly sampleRate: number;
  readonly embeddingDim?: number | undefined;
  readonly hopMs?: number | undefined;
  readonly maxInputSeconds: number;
}

export interface CallLimits {
  readonly memoryBytes: number;
  /** Told the input shape before every call, so that a process stopped for memory can say which. */
  readonly onCall?: (dims: readonly number[]) => void;
}

export interface EncoderOutput {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

const GIB = 2 ** 30;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

/** What a failed call was given, and the memory a call may use. */
export interface RunContext {
  readonly dims: readonly number[];
  readonly memoryLimitBytes: number;
}

/**
 * onnxruntime's failure in plain words: an allocation it could not make is a memory problem,
 * with the size asked for and the limit, not a bug in the caller.
 */
export function describeRunFailure(error: unknown, context: RunContext): string {
  const text = errorMessage(error);
  const allocation = /Failed to allocate memory for requested buffer of size (\d+)/.exec(text);
  if (!allocation && !/bad_alloc|out of memory/i.test(text)) {
    return text;
  }
  const node = /running (\w+) node/.exec(text)?.[1];
  const asked = allocation
    ? ` one buffer of ${gib(Number(allocation[1]))}`
    : ' more memory than it could get';
  return `out of memory: for an input of [${context.dims.join(', ')}], the encoder asked for${asked}${node ? ` (in a ${node} node)` : ''}; the checker allows ${gib(context.memoryLimitBytes)} and this machine has ${gib(totalmem())}, so the call cannot run`;
}

/** The fix for a memory failure: where memory grows faster than the input. */
export const MEMORY_HINT =
  'something in the model grows faster than the input (attention over every sample or frame, an outer product, a quadratic mask): bound it (windowed attention, chunks inside the model) or lower maxInputSeconds so the pipeline feeds shorter pieces';

/** `fallback`, unless the call failed for memory. */
export function hintFor(error: unknown, fallback: string): string {
  return errorMessage(error).startsWith('out of memory') ? MEMORY_HINT : fallback;
}

/** Encodes a batch of equal-length waveforms; a failure is rethrown in plain words. */
export async function callEncoder(
  session: OrtSession,
  batch: readonly Float32Array[],
  limits: CallLimits,
): Promise<EncoderOutput> {
  const width = batch[0]?.length ?? 0;
  const input = new Float32Array(batch.length * width);
  batch.forEach((samples, i) => {
    input.set(samples, i * width);
  });
  const dims = [batch.length, width];
  limits.onCall?.(dims);
  const memoryLimitBytes = limits.memoryBytes;
  let outputs;
  try {
    outputs = await session.run({
      [session.inputNames[0] ?? 'input']: { data: input, dims },
    });
  } catch (error) {
    throw new Error(describeRunFailure(error, { dims, memoryLimitBytes }), { cause: error });
  }
  const output = outputs[session.outputNames[0] ?? 'output'];
  if (!output) {
    throw new Error('the encoder returned no output');
  }
  return output;
}

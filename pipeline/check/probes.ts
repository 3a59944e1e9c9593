/**
 * Dynamic checks of an encoder that loaded, chosen from what real encoders get wrong:
 * - the X-ARES probe (`encoder(torch.randn(2, 50000))`);
 * - every kind of piece the pipeline feeds (chunks.ts): 0.1 s clips, odd lengths, the maximum
 *   input and one sample either side of it, the shortest chunk a long clip gives, and 1 min (chunked
 *   into many pieces when maxInputSeconds is short);
 * - the frame rate, fitted over all of those (frames = a x samples + b), with the frames lost or
 *   added at the edges of each call reported apart from the hop;
 * - determinism, and batch invariance on a batch of different clips (speech-like, loud,
 *   near-silent, digital silence), each against the clip encoded alone;
 * - finite output on digital silence, on very quiet input, and on full-scale and clipped input.
 * Each failure says what was seen, the likely cause and the fix. Runs inside the checker's child
 * process (see worker.ts).
 */
import type { CheckItem, EncoderMeasurements } from '../../schemas/check-report.ts';
import { chunkRanges, maxInputSamples, shortestChunk } from '../encode/chunks.ts';
import { errorMessage } from '../errors.ts';
import type { OrtSession } from '../runtime/ort.ts';
import { SeededRandom } from '../util/random.ts';
import { totalmem } from 'node:os';

/**
 * What the manifest declares. `embeddingDim` and `hopMs` are absent when the manifest's own
 * value is invalid: the probes then report what they measured as the value to declare.
 */
export interface ProbeContract {
  readonly sampleRate: number;
  readonly embeddingDim?: number | undefined;
  readonly hopMs?: number | undefined;
  readonly maxInputSeconds: number;
}

/** The X-ARES checker's probe: `encoder(torch.randn(2, 50000))`. */
export const XARES_PROBE_SHAPE = [2, 50000] as const;
/**
 * Clips as long as these are evaluated whole or chunked; the last one times the encoder. Ten
 * minutes would add no piece length that 60 s and the lengths around maxInputSeconds do not
 * already give, at ten times the cost (evaluate runs these probes too).
 */
export const PROBE_SECONDS = [0.1, 1, 10, 60] as const;
/** Relative distance allowed between the fitted hop and the declared one. */
const HOP_TOLERANCE = 0.05;
/** Frames a call may lose or add at its edges before the report mentions it. */
const EDGE_FRAMES_NOTED = 2;
const BATCH_TOLERANCE = 1e-4;
const DETERMINISM_TOLERANCE = 1e-6;

interface Output {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Seeded noise in [-1, 1] at `level` (torch.randn clipped would exceed the range). */
function noise(length: number, label: string, level = 0.3): Float32Array {
  const rng = new SeededRandom(1234, label);
  return Float32Array.from({ length }, () => Math.max(-1, Math.min(1, level * rng.normal())));
}

/** A vowel-like signal: harmonics of 140 Hz under a 4 Hz syllable envelope. */
function speechLike(length: number, rate: number): Float32Array {
  return Float32Array.from({ length }, (_, t) => {
    const time = t / rate;
    const envelope = 0.5 * (1 + Math.sin(2 * Math.PI * 4 * time));
    let sum = 0;
    for (let harmonic = 1; harmonic <= 8; harmonic++) {
      sum += Math.sin(2 * Math.PI * 140 * harmonic * time) / harmonic;
    }
    return 0.3 * envelope * sum;
  });
}

/** A square wave at full scale: every sample is exactly -1 or 1, as clipped audio is. */
function fullScale(length: number, rate: number): Float32Array {
  return Float32Array.from({ length }, (_, t) =>
    Math.sin((2 * Math.PI * 220 * t) / rate) >= 0 ? 1 : -1,
  );
}

function maxAbs(data: Float32Array): number {
  let max = 0;
  for (const value of data) {
    if (Number.isFinite(value)) {
      max = Math.max(max, Math.abs(value));
    }
  }
  return max;
}

/** Largest elementwise difference; equal non-finite values (NaN and NaN too) count as equal. */
function maxDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    return Infinity;
  }
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    const difference = x === y || (Number.isNaN(x) && Number.isNaN(y)) ? 0 : Math.abs(x - y);
    max = Math.max(max, Number.isNaN(difference) ? Infinity : difference);
  }
  return max;
}

function nonFinite(data: Float32Array): number {
  let count = 0;
  for (const value of data) {
    if (!Number.isFinite(value)) {
      count++;
    }
  }
  return count;
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
function hintFor(error: unknown, fallback: string): string {
  return errorMessage(error).startsWith('out of memory') ? MEMORY_HINT : fallback;
}

async function runCall(
  session: OrtSession,
  batch: readonly Float32Array[],
  limits: ProbeLimits,
): Promise<Output> {
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

const fmt = (value: number) => (value === 0 ? '0' : value.toExponential(1));

export interface ProbeResults {
  readonly items: CheckItem[];
  readonly measurements?: Omit<EncoderMeasurements, 'peakRssBytes' | 'threads' | 'device'>;
}

/** The clip lengths (in samples) whose pieces are probed, each with why it is there. */
export function probeLengths(contract: ProbeContract): { samples: number; why: string }[] {
  const rate = contract.sampleRate;
  const max = maxInputSamples(contract);
  const lengths = [
    { samples: Math.round(0.1 * rate), why: '0.1 s, the shortest clip expected' },
    { samples: rate + 1, why: '1 s and one sample (an odd length)' },
    { samples: Math.round(2.5 * rate) + 3, why: 'an odd length of 2.5 s' },
    { samples: max - 1, why: 'one sample under the maximum input' },
    { samples: max, why: 'the maximum input' },
    {
      samples: max + 1,
      why: `one sample over the maximum input: two pieces of ${shortestChunk(max)} samples, the shortest the pipeline feeds`,
    },
    ...PROBE_SECONDS.slice(2).map((seconds) => ({
      samples: Math.round(seconds * rate),
      why: `${seconds} s`,
    })),
  ];
  const seen = new Set<number>();
  return lengths.filter(
    (entry) => entry.samples > 0 && !seen.has(entry.samples) && Boolean(seen.add(entry.samples)),
  );
}

/** Least-squares line frames = slope x samples + intercept. */
function fitLine(points: readonly { x: number; y: number }[]): {
  slope: number;
  intercept: number;
} {
  const n = points.length;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const point of points) {
    sxx += (point.x - meanX) ** 2;
    sxy += (point.x - meanX) * (point.y - meanY);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { slope, intercept: meanY - slope * meanX };
}

/** The frame-rate check from (samples, frames) of every single call. */
export function frameRateItem(
  calls: readonly { samples: number; frames: number }[],
  contract: ProbeContract,
): CheckItem {
  const distinct = new Set(calls.map((call) => call.samples));
  if (distinct.size < 2) {
    return {
      id: 'frame-rate',
      status: 'skip',
      message: 'too few lengths ran to fit the frame rate',
    };
  }
  const { slope, intercept } = fitLine(calls.map((call) => ({ x: call.samples, y: call.frames })));
  const range = calls.map((call) => call.frames);
  if (Math.max(...range) === Math.min(...range) || slope <= 0) {
    return {
      id: 'frame-rate',
      status: 'fail',
      message: `the encoder returns ${range[0] ?? 0} frames whatever the length (from ${Math.min(...calls.map((call) => call.samples))} to ${Math.max(...calls.map((call) => call.samples))} samples): it pads or crops to a fixed length (a fixed position table, as whisper's 30 s)`,
      hint: `frame-level tasks need frames that follow time: trim the output to the real input (frames = samples / hop) before returning it, or pad inside the model and cut the padding's frames off; and set maxInputSeconds to the length the position table covers`,
    };
  }
  const hop = 1000 / (slope * contract.sampleRate);
  const worst = Math.max(
    ...calls.map((call) => Math.abs(call.frames - (slope * call.samples + intercept))),
  );
  const seconds = (samples: number) => `${Number((samples / contract.sampleRate).toFixed(3))} s`;
  const shortest = Math.min(...calls.map((call) => call.samples));
  const longest = Math.max(...calls.map((call) => call.samples));
  const edges =
    Math.abs(intercept) >= EDGE_FRAMES_NOTED
      ? `; each call ${intercept < 0 ? 'loses' : 'adds'} about ${Math.abs(intercept).toFixed(1)} frames at its edges (${intercept < 0 ? 'unpadded convolutions or analysis windows' : 'padding'}), so frame-level labels are off by that much near the start and end of every call; to avoid it, pad the waveform by half the receptive field inside the model`
      : '';
  const fit = `fitted over ${distinct.size} input lengths from ${seconds(shortest)} to ${seconds(longest)}: frames = samples / ${(1 / slope).toFixed(1)} ${intercept < 0 ? '-' : '+'} ${Math.abs(intercept).toFixed(1)}, largest residual ${worst.toFixed(1)} frames`;
  if (contract.hopMs === undefined) {
    return {
      id: 'frame-rate',
      status: 'info',
      message: `the encoder emits one frame every ${hop.toFixed(2)} ms (${fit})${edges}; set hopMs to ${Number(hop.toFixed(3))}`,
    };
  }
  if (Math.abs(hop - contract.hopMs) > HOP_TOLERANCE * contract.hopMs) {
    return {
      id: 'frame-rate',
      status: 'fail',
      message: `the manifest declares hopMs ${contract.hopMs}, but the encoder emits one frame every ${hop.toFixed(2)} ms (${fit})${edges}`,
      hint: `set hopMs to ${Number(hop.toFixed(3))}: frame-level tasks place their labels with it`,
    };
  }
  if (worst > 2 + 0.02 * Math.max(...range)) {
    return {
      id: 'frame-rate',
      status: 'fail',
      message: `frame counts do not grow evenly with the input length (${fit}): some length is padded or cropped inside the model`,
      hint: 'the number of frames must follow the input length at every length up to maxInputSeconds; lower maxInputSeconds below the length where it stops doing so',
    };
  }
  return {
    id: 'frame-rate',
    status: 'pass',
    message: `one frame every ${hop.toFixed(2)} ms as declared (${fit})${edges}`,
  };
}

export interface ProbeLimits {
  readonly memoryBytes: number;
  /** Told the input shape before every call, so that a process stopped for memory can say which. */
  readonly onCall?: (dims: readonly number[]) => void;
}

export async function runProbes(
  session: OrtSession,
  contract: ProbeContract,
  limits: ProbeLimits,
): Promise<ProbeResults> {
  const run = (target: OrtSession, batch: readonly Float32Array[]) =>
    runCall(target, batch, limits);
  const items: CheckItem[] = [];
  const rate = contract.sampleRate;
  let nonFiniteSeen = 0;
  let firstNonFinite = '';
  const noteFinite = (output: Output, what: string) => {
    const count = nonFinite(output.data);
    if (count > 0 && nonFiniteSeen === 0) {
      firstNonFinite = what;
    }
    nonFiniteSeen += count;
  };

  // 1. The X-ARES probe.
  const [probeBatch, probeLength] = XARES_PROBE_SHAPE;
  const clips = Array.from({ length: probeBatch }, (_, i) => noise(probeLength, `probe-${i}`));
  let probe: Output;
  try {
    probe = await run(session, clips);
  } catch (error) {
    items.push({
      id: 'xares-probe',
      status: 'fail',
      message: `the encoder fails on the X-ARES probe input [${probeBatch}, ${probeLength}]: ${errorMessage(error)}`,
      hint: hintFor(
        error,
        'the encoder must accept any batch size and any length of float32 waveform',
      ),
    });
    return { items };
  }
  const dims = probe.dims;
  const shape = `[${dims.join(', ')}]`;
  const declared = contract.embeddingDim;
  const problem =
    dims.length !== 3
      ? {
          message: `output for [${probeBatch}, ${probeLength}] is ${shape}, of rank ${dims.length}; it must be [batch, frames, D] (rank 3)`,
          hint: 'return frame embeddings, not a pooled vector or a 4-D feature map',
        }
      : dims[0] !== probeBatch
        ? {
            message: `output for a batch of ${probeBatch} is ${shape}, whose first dimension is ${dims[0]}`,
            hint: 'keep the batch dimension first and do not merge or drop it',
          }
        : declared !== undefined && dims[2] !== declared
          ? {
              message: `output for [${probeBatch}, ${probeLength}] is ${shape} but the manifest declares embeddingDim ${declared}`,
              hint: `set embeddingDim to ${dims[2]} or fix the model's output size`,
            }
          : undefined;
  if (problem) {
    items.push({ id: 'xares-probe', status: 'fail', ...problem });
    return { items };
  }
  items.push({
    id: 'xares-probe',
    status: 'pass',
    message: `[${probeBatch}, ${probeLength}] -> ${shape}`,
  });
  noteFinite(probe, 'the X-ARES probe');

  // 2. Every kind of piece the pipeline feeds, through its own chunking.
  const maxSamples = maxInputSamples(contract);
  const calls: { samples: number; frames: number }[] = [
    { samples: probeLength, frames: dims[1] ?? 0 },
  ];
  let shortProblem: CheckItem | undefined;
  let chunkProblem: CheckItem | undefined;
  let timedSeconds = 0;
  let timedAudio = 0;
  for (const { samples, why } of probeLengths(contract)) {
    const waveform = noise(samples, `length-${samples}`);
    const started = performance.now();
    let failedOn: number | undefined;
    try {
      for (const [start, end] of chunkRanges(samples, maxSamples)) {
        failedOn = end - start;
        const output = await run(session, [waveform.subarray(start, end)]);
        calls.push({ samples: end - start, frames: output.dims[1] ?? 0 });
        noteFinite(output, `${(samples / rate).toFixed(2)} s of audio`);
      }
    } catch (error) {
      const piece = failedOn ?? samples;
      if (samples === Math.round(0.1 * rate)) {
        shortProblem ??= {
          id: 'short-input',
          status: 'fail',
          message: `the encoder fails on 0.1 s of audio (${samples} samples): ${errorMessage(error)}`,
          hint: hintFor(
            error,
            'clips this short occur in the suite; pad inside the model (to the receptive field) instead of failing',
          ),
        };
      } else {
        chunkProblem ??= {
          id: 'chunking',
          status: 'fail',
          message: `the encoder fails on a piece of ${piece} samples (${(piece / rate).toFixed(3)} s), which the pipeline feeds for a clip of ${samples} samples (${why}): ${errorMessage(error)}`,
          hint: hintFor(
            error,
            `long clips are cut into equal chunks of at most maxInputSeconds (${contract.maxInputSeconds} s), so pieces of every length from ${(shortestChunk(maxSamples) / rate).toFixed(2)} s up to it occur, odd lengths included: the encoder must accept each (pad inside the model to what it needs, for example a multiple of its frame size)`,
          ),
        };
      }
      continue;
    }
    if (samples >= 60 * rate) {
      timedSeconds += (performance.now() - started) / 1000;
      timedAudio += samples / rate;
    }
  }
  items.push(
    shortProblem ?? { id: 'short-input', status: 'pass', message: '0.1 s of audio is accepted' },
    chunkProblem ?? {
      id: 'chunking',
      status: 'pass',
      message: `every piece the pipeline feeds is accepted: ${probeLengths(contract).length} clip lengths, pieces from ${(shortestChunk(maxSamples) / rate).toFixed(2)} s to ${contract.maxInputSeconds} s, odd lengths included`,
    },
    frameRateItem(calls, contract),
  );

  // 3. Determinism: the same input twice. Checked first: batch invariance means nothing without it.
  const scale = Math.max(1, maxAbs(probe.data));
  const again = await run(session, clips);
  const repeatDifference = maxDifference(again.data, probe.data);
  const deterministic = repeatDifference <= DETERMINISM_TOLERANCE * scale;
  items.push(
    deterministic
      ? { id: 'determinism', status: 'pass', message: 'the same input gives the same output' }
      : {
          id: 'determinism',
          status: 'fail',
          message: `running the same input twice changes the output by up to ${fmt(repeatDifference)}`,
          hint: 'remove random operators (dropout in training mode, RandomNormal*) and export in eval mode',
        },
  );

  // 4. Batch invariance on clips that differ the way a real batch does.
  const second = rate;
  const batchClips = [
    { name: 'speech-like', samples: speechLike(second, rate) },
    { name: 'loud noise', samples: noise(second, 'loud', 0.9) },
    { name: 'near-silent noise', samples: noise(second, 'quiet', 1e-4) },
    { name: 'digital silence', samples: new Float32Array(second) },
  ];
  if (deterministic) {
    let worst = { difference: 0, name: '' };
    try {
      const together = await run(
        session,
        batchClips.map((clip) => clip.samples),
      );
      // Silent clips' own output is the silence probe's: a missing epsilon fails there, once.
      const rowSize = together.data.length / batchClips.length;
      const checkScale = Math.max(1, maxAbs(together.data));
      for (const [i, clip] of batchClips.entries()) {
        const alone = await run(session, [clip.samples]);
        const difference = maxDifference(
          alone.data,
          together.data.subarray(i * rowSize, (i + 1) * rowSize),
        );
        if (difference > worst.difference) {
          worst = { difference, name: clip.name };
        }
      }
      // The X-ARES probe's two noise clips too.
      const probeRow = probe.data.length / probeBatch;
      for (const [i, clip] of clips.entries()) {
        const alone = await run(session, [clip]);
        const difference = maxDifference(
          alone.data,
          probe.data.subarray(i * probeRow, (i + 1) * probeRow),
        );
        if (difference > worst.difference) {
          worst = { difference, name: 'a noise clip of the X-ARES probe' };
        }
      }
      items.push(
        worst.difference <= BATCH_TOLERANCE * checkScale
          ? {
              id: 'batch-invariance',
              status: 'pass',
              message: `speech-like, loud, near-silent and silent clips each give the same output alone as in one batch (max difference ${fmt(worst.difference)})`,
            }
          : {
              id: 'batch-invariance',
              status: 'fail',
              message: `the ${worst.name} clip encoded alone differs from the same clip batched with louder and quieter ones by up to ${fmt(worst.difference)} (allowed ${fmt(BATCH_TOLERANCE * checkScale)})`,
              hint: 'something normalises over the whole batch: a dB floor taken over the batch (torchaudio AmplitudeToDB(top_db=...) on a batch), scaling by the batch maximum (whisper-style log-mel), or batch statistics in a norm layer; compute it per clip (over the time and frequency axes of each item)',
            },
      );
    } catch (error) {
      items.push({
        id: 'batch-invariance',
        status: 'fail',
        message: `the encoder fails on a batch of four different 1 s clips: ${errorMessage(error)}`,
        hint: hintFor(error, 'the encoder must accept any batch size'),
      });
    }
  } else {
    items.push({
      id: 'batch-invariance',
      status: 'skip',
      message: 'not meaningful: the outputs are not deterministic',
    });
  }

  // 5. Silence and very quiet input, alone: a log or a normalisation without an epsilon fails here.
  const quiet = [
    { name: 'digital silence', samples: new Float32Array(second) },
    { name: 'input at 1e-6', samples: noise(second, 'faint', 1e-6) },
  ];
  const silentProblems: string[] = [];
  for (const clip of quiet) {
    try {
      const output = await run(session, [clip.samples]);
      const count = nonFinite(output.data);
      if (count > 0) {
        silentProblems.push(`${clip.name} gives ${count} NaN or infinite values`);
      }
    } catch (error) {
      silentProblems.push(`${clip.name} fails: ${errorMessage(error)}`);
    }
  }
  items.push(
    silentProblems.length === 0
      ? {
          id: 'silence',
          status: 'pass',
          message: 'digital silence and very quiet input give finite output',
        }
      : {
          id: 'silence',
          status: 'fail',
          message: `${silentProblems.join('; ')} (1 s alone)`,
          hint: 'a log or a division without an epsilon: use log(x + 1e-10) or clamp(x, min=1e-10) before the log, and guard per-clip normalisation against a zero variance; silent stretches occur in every task',
        },
  );

  // 6. Full-scale and clipped input.
  try {
    const output = await run(session, [fullScale(second, rate)]);
    const count = nonFinite(output.data);
    items.push(
      count === 0
        ? {
            id: 'full-scale',
            status: 'pass',
            message: 'full-scale, clipped input gives finite output',
          }
        : {
            id: 'full-scale',
            status: 'fail',
            message: `full-scale, clipped input (every sample -1 or 1) gives ${count} NaN or infinite values`,
            hint: 'an overflow on loud input (exp, power or float16 arithmetic); the waveform is in [-1, 1] and can reach both ends',
          },
    );
  } catch (error) {
    items.push({
      id: 'full-scale',
      status: 'fail',
      message: `full-scale, clipped input fails: ${errorMessage(error)}`,
      hint: 'the waveform is in [-1, 1] and can reach both ends',
    });
  }

  // 7. Finite values everywhere else.
  items.push(
    nonFiniteSeen === 0
      ? { id: 'finite-values', status: 'pass', message: 'every other output value is finite' }
      : {
          id: 'finite-values',
          status: 'fail',
          message: `${nonFiniteSeen} output values are NaN or infinite (first on ${firstNonFinite})`,
          hint: 'guard logs, divisions and normalisations against zero',
        },
  );
  return timedSeconds > 0
    ? { items, measurements: { realTimeFactor: timedAudio / timedSeconds } }
    : { items };
}

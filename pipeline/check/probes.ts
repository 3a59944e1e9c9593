/**
 * Dynamic checks of an encoder that loaded: the X-ARES probe, frame counts against the declared
 * hop across lengths from 0.1 s to 10 min (through the pipeline's own chunking), batch
 * invariance, determinism, finite values, and the measured speed. Runs inside the checker's
 * child process (see worker.ts).
 */
import type { CheckItem, EncoderMeasurements } from '../../schemas/check-report.ts';
import { chunkRanges, maxInputSamples } from '../encode/chunks.ts';
import { errorMessage } from '../errors.ts';
import type { OrtSession } from '../runtime/ort.ts';
import { SeededRandom } from '../util/random.ts';

export interface ProbeContract {
  readonly sampleRate: number;
  readonly embeddingDim: number;
  readonly hopMs: number;
  readonly maxInputSeconds: number;
}

/** Lengths at which frame counts are compared with the declared hop. */
export const FRAME_RATE_SECONDS = [0.1, 1, 10, 60, 600] as const;
/** The X-ARES checker's probe: `encoder(torch.randn(2, 50000))`. */
export const XARES_PROBE_SHAPE = [2, 50000] as const;
/** Allowed distance between frame count and duration / hop: this many frames per call, plus 5 %. */
const FRAME_SLACK_PER_CALL = 2;
const FRAME_SLACK_RELATIVE = 0.05;
const BATCH_TOLERANCE = 1e-4;
const DETERMINISM_TOLERANCE = 1e-6;

interface Output {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Seeded noise in [-1, 1], like a waveform (torch.randn clipped would exceed the range). */
function noise(length: number, label: string): Float32Array {
  const rng = new SeededRandom(1234, label);
  return Float32Array.from({ length }, () => Math.max(-1, Math.min(1, 0.3 * rng.normal())));
}

/** Largest finite magnitude (non-finite values are reported by their own check). */
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

async function run(session: OrtSession, batch: readonly Float32Array[]): Promise<Output> {
  const width = batch[0]?.length ?? 0;
  const input = new Float32Array(batch.length * width);
  batch.forEach((samples, i) => {
    input.set(samples, i * width);
  });
  const outputs = await session.run({
    [session.inputNames[0] ?? 'input']: { data: input, dims: [batch.length, width] },
  });
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

export async function runProbes(
  session: OrtSession,
  contract: ProbeContract,
): Promise<ProbeResults> {
  const items: CheckItem[] = [];
  const D = contract.embeddingDim;
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
      hint: 'the encoder must accept any batch size and any length of float32 waveform',
    });
    return { items };
  }
  const dims = probe.dims;
  const shape = `[${dims.join(', ')}]`;
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
        : dims[2] !== D
          ? {
              message: `output for [${probeBatch}, ${probeLength}] is ${shape} but the manifest declares embeddingDim ${D}`,
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
  noteFinite(probe, `the X-ARES probe`);

  // 2. Frame counts against the declared hop, through the pipeline's chunking.
  const maxSamples = maxInputSamples(contract);
  const rows: string[] = [];
  let frameProblem: { message: string; hint: string } | undefined;
  let timedSeconds = 0;
  let timedAudio = 0;
  for (const seconds of FRAME_RATE_SECONDS) {
    const length = Math.round(seconds * contract.sampleRate);
    const waveform = noise(length, `length-${seconds}`);
    const ranges = chunkRanges(length, maxSamples);
    let frames = 0;
    const started = performance.now();
    try {
      for (const [start, end] of ranges) {
        const output = await run(session, [waveform.subarray(start, end)]);
        frames += output.dims[1] ?? 0;
        noteFinite(output, `${seconds} s of audio`);
      }
    } catch (error) {
      if (seconds === FRAME_RATE_SECONDS[0]) {
        items.push({
          id: 'short-input',
          status: 'fail',
          message: `the encoder fails on ${seconds} s of audio (${length} samples): ${errorMessage(error)}`,
          hint: 'clips this short occur in the suite; pad inside the model (e.g. to the receptive field) instead of failing',
        });
      } else {
        frameProblem ??= {
          message: `the encoder fails on ${seconds} s of audio (${ranges.length} call(s) of at most ${contract.maxInputSeconds} s): ${errorMessage(error)}`,
          hint: 'lower maxInputSeconds to a length the encoder handles',
        };
      }
      continue;
    }
    if (seconds >= 60) {
      timedSeconds += (performance.now() - started) / 1000;
      timedAudio += seconds;
    }
    const expected = (seconds * 1000) / contract.hopMs;
    rows.push(`${seconds} s: ${frames} frames (${expected.toFixed(1)} expected)`);
    const slack = FRAME_SLACK_PER_CALL * ranges.length + FRAME_SLACK_RELATIVE * expected;
    if (Math.abs(frames - expected) > slack) {
      const measured = ((seconds * 1000) / frames).toFixed(1);
      frameProblem ??= {
        message: `${seconds} s of audio gives ${frames} frames (one every ${measured} ms) but the manifest declares hopMs ${contract.hopMs} (${expected.toFixed(1)} frames)`,
        hint: 'set hopMs to the real spacing of output frames; frame-level tasks place their labels with it',
      };
    }
  }
  if (!items.some((entry) => entry.id === 'short-input')) {
    items.push({
      id: 'short-input',
      status: 'pass',
      message: `${FRAME_RATE_SECONDS[0]} s of audio is accepted`,
    });
  }
  items.push(
    frameProblem
      ? { id: 'frame-rate', status: 'fail', ...frameProblem }
      : { id: 'frame-rate', status: 'pass', message: rows.join('; ') },
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

  // 4. Batch invariance: each clip alone equals its row in the batch.
  if (deterministic) {
    const rowSize = probe.data.length / probeBatch;
    let batchDifference = 0;
    for (const [i, clip] of clips.entries()) {
      const alone = await run(session, [clip]);
      batchDifference = Math.max(
        batchDifference,
        maxDifference(alone.data, probe.data.subarray(i * rowSize, (i + 1) * rowSize)),
      );
    }
    items.push(
      batchDifference <= BATCH_TOLERANCE * scale
        ? {
            id: 'batch-invariance',
            status: 'pass',
            message: `each clip alone equals its row of the batch (max difference ${fmt(batchDifference)})`,
          }
        : {
            id: 'batch-invariance',
            status: 'fail',
            message: `a clip encoded alone differs from the same clip in a batch of ${probeBatch} by up to ${fmt(batchDifference)} (allowed ${fmt(BATCH_TOLERANCE * scale)})`,
            hint: 'an embedding must not depend on the other clips of the batch (check batch-wide normalisation)',
          },
    );
  } else {
    items.push({
      id: 'batch-invariance',
      status: 'skip',
      message: 'not meaningful: the outputs are not deterministic',
    });
  }

  // 5. Finite values everywhere.
  items.push(
    nonFiniteSeen === 0
      ? { id: 'finite-values', status: 'pass', message: 'every output value is finite' }
      : {
          id: 'finite-values',
          status: 'fail',
          message: `${nonFiniteSeen} output values are NaN or infinite (first on ${firstNonFinite})`,
          hint: 'guard logs, divisions and normalisations against zero (silence and noise inputs must work)',
        },
  );
  return timedSeconds > 0
    ? { items, measurements: { realTimeFactor: timedAudio / timedSeconds } }
    : { items };
}

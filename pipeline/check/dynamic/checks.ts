/**
 * The checker's dynamic checks as a table, in the order they run, chosen from what real encoders
 * get wrong. Each row says what it verifies; its verdict names what was seen, the likely cause
 * and the fix. Later rows read what earlier ones measured (the X-ARES input's output, every
 * call's frame count, whether the encoder is deterministic) from the shared `CheckContext`, so
 * the order of the rows matters. Runs inside the checker's child process (see ../worker.ts).
 */
import type { CheckId } from '../../../schemas/check-report.ts';
import { chunkRanges, maxInputSamples, shortestChunk } from '../../encode/chunks.ts';
import { errorMessage } from '../../errors.ts';
import { hintFor, type EncoderContract, type EncoderOutput } from './encoder-calls.ts';
import { checkedLengths, frameRateOutcome, type CheckOutcome } from './frame-rate.ts';
import {
  formatDifference,
  fullScale,
  maxAbs,
  maxDifference,
  noise,
  nonFiniteCount,
  speechLike,
} from './test-signals.ts';

/** The X-ARES checker's input: `encoder(torch.randn(2, 50000))`. */
export const XARES_CHECK_SHAPE = [2, 50000] as const;
const BATCH_TOLERANCE = 1e-4;
const DETERMINISM_TOLERANCE = 1e-6;

/** What the checks share while one encoder is checked. */
export interface CheckContext {
  readonly contract: EncoderContract;
  /** Encodes one batch of equal-length clips. */
  readonly call: (batch: readonly Float32Array[]) => Promise<EncoderOutput>;
  /** The X-ARES input's clips and output, set by the first check (later ones compare against it). */
  xares: { readonly clips: readonly Float32Array[]; readonly output: EncoderOutput } | undefined;
  /** (samples, frames) of every single-clip call and of the X-ARES call, for the frame rate. */
  readonly frameCounts: { samples: number; frames: number }[];
  deterministic: boolean;
  /**
   * NaN and infinite values in the outputs no other check judges (the X-ARES input and every
   * piece), and the first input that gave one.
   */
  readonly nonFinite: { count: number; firstOn: string };
  /** Wall-clock seconds spent on, and seconds of audio in, the clips long enough to time. */
  readonly timing: { seconds: number; audioSeconds: number };
}

export interface DynamicCheck {
  readonly id: CheckId;
  /** What the check verifies, in one sentence. */
  readonly verifies: string;
  /** When this check fails nothing after it means anything, so the runner stops there. */
  readonly stopsTheRestOnFailure?: boolean;
  run(context: CheckContext): Promise<CheckOutcome>;
}

/** Encodes a clip of `samples` noise the way the pipeline does, piece by piece; the failing piece's length, or undefined. */
async function encodeInPieces(
  context: CheckContext,
  samples: number,
): Promise<{ readonly piece: number; readonly error: unknown } | undefined> {
  const rate = context.contract.sampleRate;
  const waveform = noise(samples, `length-${samples}`);
  const started = performance.now();
  let failedOn: number | undefined;
  try {
    for (const [start, end] of chunkRanges(samples, maxInputSamples(context.contract))) {
      failedOn = end - start;
      const output = await context.call([waveform.subarray(start, end)]);
      context.frameCounts.push({ samples: end - start, frames: output.dims[1] ?? 0 });
      noteNonFinite(context, output, `${(samples / rate).toFixed(2)} s of audio`);
    }
  } catch (error) {
    return { piece: failedOn ?? samples, error };
  }
  if (samples >= 60 * rate) {
    context.timing.seconds += (performance.now() - started) / 1000;
    context.timing.audioSeconds += samples / rate;
  }
  return undefined;
}

function noteNonFinite(context: CheckContext, output: EncoderOutput, what: string): void {
  const count = nonFiniteCount(output.data);
  if (count > 0 && context.nonFinite.count === 0) {
    context.nonFinite.firstOn = what;
  }
  context.nonFinite.count += count;
}

const shortestClipSamples = (contract: EncoderContract) => Math.round(0.1 * contract.sampleRate);

/** Clips that differ the way a real batch does. */
function variedClips(rate: number): { name: string; samples: Float32Array }[] {
  return [
    { name: 'speech-like', samples: speechLike(rate, rate) },
    { name: 'loud noise', samples: noise(rate, 'loud', 0.9) },
    { name: 'near-silent noise', samples: noise(rate, 'quiet', 1e-4) },
    { name: 'digital silence', samples: new Float32Array(rate) },
  ];
}

function requireXares(context: CheckContext): NonNullable<CheckContext['xares']> {
  if (!context.xares) {
    throw new Error('the X-ARES input check must run first');
  }
  return context.xares;
}

export const DYNAMIC_CHECKS: readonly DynamicCheck[] = Object.freeze([
  {
    // The id keeps X-ARES's own word: it is a field value of stored reports and verdicts.
    id: 'xares-probe',
    verifies:
      'the X-ARES checker input, random [2, 50000], gives [batch, frames, D] with D as declared',
    stopsTheRestOnFailure: true,
    async run(context) {
      const [batch, length] = XARES_CHECK_SHAPE;
      const clips = Array.from({ length: batch }, (_, i) => noise(length, `probe-${i}`));
      let output: EncoderOutput;
      try {
        output = await context.call(clips);
      } catch (error) {
        return {
          status: 'fail',
          message: `the encoder fails on the X-ARES probe input [${batch}, ${length}]: ${errorMessage(error)}`,
          hint: hintFor(
            error,
            'the encoder must accept any batch size and any length of float32 waveform',
          ),
        };
      }
      const dims = output.dims;
      const shape = `[${dims.join(', ')}]`;
      const declared = context.contract.embeddingDim;
      const problem =
        dims.length !== 3
          ? {
              message: `output for [${batch}, ${length}] is ${shape}, of rank ${dims.length}; it must be [batch, frames, D] (rank 3)`,
              hint: 'return frame embeddings, not a pooled vector or a 4-D feature map',
            }
          : dims[0] !== batch
            ? {
                message: `output for a batch of ${batch} is ${shape}, whose first dimension is ${dims[0]}`,
                hint: 'keep the batch dimension first and do not merge or drop it',
              }
            : declared !== undefined && dims[2] !== declared
              ? {
                  message: `output for [${batch}, ${length}] is ${shape} but the manifest declares embeddingDim ${declared}`,
                  hint: `set embeddingDim to ${dims[2]} or fix the model's output size`,
                }
              : undefined;
      if (problem) {
        return { status: 'fail', ...problem };
      }
      context.xares = { clips, output };
      context.frameCounts.push({ samples: length, frames: dims[1] ?? 0 });
      noteNonFinite(context, output, 'the X-ARES probe');
      return { status: 'pass', message: `[${batch}, ${length}] -> ${shape}` };
    },
  },
  {
    id: 'short-input',
    verifies: 'a 0.1 s clip, the shortest the suite holds, is accepted',
    async run(context) {
      const samples = shortestClipSamples(context.contract);
      const failure = checkedLengths(context.contract).some((entry) => entry.samples === samples)
        ? await encodeInPieces(context, samples)
        : undefined;
      return failure
        ? {
            status: 'fail',
            message: `the encoder fails on 0.1 s of audio (${samples} samples): ${errorMessage(failure.error)}`,
            hint: hintFor(
              failure.error,
              'clips this short occur in the suite; pad inside the model (to the receptive field) instead of failing',
            ),
          }
        : { status: 'pass', message: '0.1 s of audio is accepted' };
    },
  },
  {
    id: 'chunking',
    verifies:
      'every piece the pipeline feeds is accepted: odd lengths, the maximum input and one sample either side, the shortest chunk, 1 min',
    async run(context) {
      const { contract } = context;
      const rate = contract.sampleRate;
      const maxSamples = maxInputSamples(contract);
      let problem: CheckOutcome | undefined;
      // Every length runs even after a failure: the frame rate is fitted over all of them.
      for (const { samples, why } of checkedLengths(contract)) {
        if (samples === shortestClipSamples(contract)) {
          continue;
        }
        const failure = await encodeInPieces(context, samples);
        if (failure) {
          const { piece, error } = failure;
          problem ??= {
            status: 'fail',
            message: `the encoder fails on a piece of ${piece} samples (${(piece / rate).toFixed(3)} s), which the pipeline feeds for a clip of ${samples} samples (${why}): ${errorMessage(error)}`,
            hint: hintFor(
              error,
              `long clips are cut into equal chunks of at most maxInputSeconds (${contract.maxInputSeconds} s), so pieces of every length from ${(shortestChunk(maxSamples) / rate).toFixed(2)} s up to it occur, odd lengths included: the encoder must accept each (pad inside the model to what it needs, for example a multiple of its frame size)`,
            ),
          };
        }
      }
      return (
        problem ?? {
          status: 'pass',
          message: `every piece the pipeline feeds is accepted: ${checkedLengths(contract).length} clip lengths, pieces from ${(shortestChunk(maxSamples) / rate).toFixed(2)} s to ${contract.maxInputSeconds} s, odd lengths included`,
        }
      );
    },
  },
  {
    id: 'frame-rate',
    verifies: 'frames follow the input length at the declared hop, fitted over every call so far',
    run: (context) => Promise.resolve(frameRateOutcome(context.frameCounts, context.contract)),
  },
  {
    id: 'determinism',
    verifies:
      'the same input twice gives the same output (batch invariance means nothing without it)',
    async run(context) {
      const xares = requireXares(context);
      const scale = Math.max(1, maxAbs(xares.output.data));
      const again = await context.call(xares.clips);
      const difference = maxDifference(again.data, xares.output.data);
      context.deterministic = difference <= DETERMINISM_TOLERANCE * scale;
      return context.deterministic
        ? { status: 'pass', message: 'the same input gives the same output' }
        : {
            status: 'fail',
            message: `running the same input twice changes the output by up to ${formatDifference(difference)}`,
            hint: 'remove random operators (dropout in training mode, RandomNormal*) and export in eval mode',
          };
    },
  },
  {
    id: 'batch-invariance',
    verifies:
      'speech-like, loud, near-silent and silent clips give the same output alone as in one batch',
    async run(context) {
      if (!context.deterministic) {
        return { status: 'skip', message: 'not meaningful: the outputs are not deterministic' };
      }
      const xares = requireXares(context);
      const batchClips = variedClips(context.contract.sampleRate);
      let worst = { difference: 0, name: '' };
      try {
        // Silent clips' own output is the silence check's: a missing epsilon fails there, once.
        const together = await context.call(batchClips.map((clip) => clip.samples));
        const rowSize = together.data.length / batchClips.length;
        const checkScale = Math.max(1, maxAbs(together.data));
        for (const [i, clip] of batchClips.entries()) {
          const alone = await context.call([clip.samples]);
          const difference = maxDifference(
            alone.data,
            together.data.subarray(i * rowSize, (i + 1) * rowSize),
          );
          if (difference > worst.difference) {
            worst = { difference, name: clip.name };
          }
        }
        // The X-ARES input's two noise clips too.
        const xaresRow = xares.output.data.length / xares.clips.length;
        for (const [i, clip] of xares.clips.entries()) {
          const alone = await context.call([clip]);
          const difference = maxDifference(
            alone.data,
            xares.output.data.subarray(i * xaresRow, (i + 1) * xaresRow),
          );
          if (difference > worst.difference) {
            worst = { difference, name: 'a noise clip of the X-ARES probe' };
          }
        }
        return worst.difference <= BATCH_TOLERANCE * checkScale
          ? {
              status: 'pass',
              message: `speech-like, loud, near-silent and silent clips each give the same output alone as in one batch (max difference ${formatDifference(worst.difference)})`,
            }
          : {
              status: 'fail',
              message: `the ${worst.name} clip encoded alone differs from the same clip batched with louder and quieter ones by up to ${formatDifference(worst.difference)} (allowed ${formatDifference(BATCH_TOLERANCE * checkScale)})`,
              hint: 'something normalises over the whole batch: a dB floor taken over the batch (torchaudio AmplitudeToDB(top_db=...) on a batch), scaling by the batch maximum (whisper-style log-mel), or batch statistics in a norm layer; compute it per clip (over the time and frequency axes of each item)',
            };
      } catch (error) {
        return {
          status: 'fail',
          message: `the encoder fails on a batch of four different 1 s clips: ${errorMessage(error)}`,
          hint: hintFor(error, 'the encoder must accept any batch size'),
        };
      }
    },
  },
  {
    id: 'silence',
    verifies:
      'digital silence and input at 1e-6, alone, give finite output (a log or a normalisation without an epsilon fails here)',
    async run(context) {
      const second = context.contract.sampleRate;
      const quiet = [
        { name: 'digital silence', samples: new Float32Array(second) },
        { name: 'input at 1e-6', samples: noise(second, 'faint', 1e-6) },
      ];
      const problems: string[] = [];
      for (const clip of quiet) {
        try {
          const count = nonFiniteCount((await context.call([clip.samples])).data);
          if (count > 0) {
            problems.push(`${clip.name} gives ${count} NaN or infinite values`);
          }
        } catch (error) {
          problems.push(`${clip.name} fails: ${errorMessage(error)}`);
        }
      }
      return problems.length === 0
        ? { status: 'pass', message: 'digital silence and very quiet input give finite output' }
        : {
            status: 'fail',
            message: `${problems.join('; ')} (1 s alone)`,
            hint: 'a log or a division without an epsilon: use log(x + 1e-10) or clamp(x, min=1e-10) before the log, and guard per-clip normalisation against a zero variance; silent stretches occur in every task',
          };
    },
  },
  {
    id: 'full-scale',
    verifies: 'full-scale, clipped input (every sample -1 or 1) gives finite output',
    async run(context) {
      const rate = context.contract.sampleRate;
      try {
        const count = nonFiniteCount((await context.call([fullScale(rate, rate)])).data);
        return count === 0
          ? { status: 'pass', message: 'full-scale, clipped input gives finite output' }
          : {
              status: 'fail',
              message: `full-scale, clipped input (every sample -1 or 1) gives ${count} NaN or infinite values`,
              hint: 'an overflow on loud input (exp, power or float16 arithmetic); the waveform is in [-1, 1] and can reach both ends',
            };
      } catch (error) {
        return {
          status: 'fail',
          message: `full-scale, clipped input fails: ${errorMessage(error)}`,
          hint: 'the waveform is in [-1, 1] and can reach both ends',
        };
      }
    },
  },
  {
    id: 'finite-values',
    verifies: 'every other output value (the X-ARES input and every piece) is finite',
    run: ({ nonFinite }) =>
      Promise.resolve(
        nonFinite.count === 0
          ? { status: 'pass', message: 'every other output value is finite' }
          : {
              status: 'fail',
              message: `${nonFinite.count} output values are NaN or infinite (first on ${nonFinite.firstOn})`,
              hint: 'guard logs, divisions and normalisations against zero',
            },
      ),
  },
]);

/**
 * The clip lengths the checks feed (every kind of piece the pipeline's chunking gives) and the
 * frame rate fitted over every call made with them (frames = a x samples + b), with the frames
 * lost or added at the edges of each call reported apart from the hop.
 */
import type { CheckItem } from '../../../schemas/check-report.ts';
import { maxInputSamples, shortestChunk } from '../../encode/chunks.ts';
import type { EncoderContract } from './encoder-calls.ts';

/** A check's verdict; the check's id is added by the runner. */
export type CheckOutcome = Omit<CheckItem, 'id'>;

/**
 * Clips as long as these are evaluated whole or chunked; the last one times the encoder. Ten
 * minutes would add no piece length that 60 s and the lengths around maxInputSeconds do not
 * already give, at ten times the cost (evaluate runs these checks too).
 */
export const CHECKED_CLIP_SECONDS = [0.1, 1, 10, 60] as const;
/** Relative distance allowed between the fitted hop and the declared one. */
const HOP_TOLERANCE = 0.05;
/** Frames a call may lose or add at its edges before the report mentions it. */
const EDGE_FRAMES_NOTED = 2;

/** The clip lengths (in samples) whose pieces are checked, each with why it is there. */
export function checkedLengths(contract: EncoderContract): { samples: number; why: string }[] {
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
    ...CHECKED_CLIP_SECONDS.slice(2).map((seconds) => ({
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

/** The frame-rate check's verdict from (samples, frames) of every single call. */
export function frameRateOutcome(
  calls: readonly { samples: number; frames: number }[],
  contract: EncoderContract,
): CheckOutcome {
  const distinct = new Set(calls.map((call) => call.samples));
  if (distinct.size < 2) {
    return {
      status: 'skip',
      message: 'too few lengths ran to fit the frame rate',
    };
  }
  const { slope, intercept } = fitLine(calls.map((call) => ({ x: call.samples, y: call.frames })));
  const range = calls.map((call) => call.frames);
  if (Math.max(...range) === Math.min(...range) || slope <= 0) {
    return {
      status: 'fail',
      message: `the encoder returns ${range[0] ?? 0} frames whatever the length (from ${Math.min(...calls.map((call) => call.samples))} to ${Math.max(...calls.map((call) => call.samples))} samples): it pads or crops to a fixed length (a fixed position table, as whisper's 30 s)`,
      hint: `frame-level tasks need frames that follow time: trim the output to the real input (frames = samples / hop) before returning it, or pad inside the model and cut the padding's frames off; and set maxInputSeconds to the length the position table covers`,
    };
  }
  const hop = 1000 / (slope * contract.sampleRate);
  // An encoder steps through its input a whole number of samples at a time: the hop to declare is
  // that step, not the fit itself, which the frames lost at the edges tilt in the third decimal.
  const suggestedHopMs = Number(((1000 * Math.round(1 / slope)) / contract.sampleRate).toFixed(3));
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
      status: 'info',
      message: `the encoder emits one frame every ${hop.toFixed(2)} ms (${fit})${edges}; set hopMs to ${suggestedHopMs}`,
    };
  }
  if (Math.abs(hop - contract.hopMs) > HOP_TOLERANCE * contract.hopMs) {
    return {
      status: 'fail',
      message: `the manifest declares hopMs ${contract.hopMs}, but the encoder emits one frame every ${hop.toFixed(2)} ms (${fit})${edges}`,
      hint: `set hopMs to ${suggestedHopMs}: frame-level tasks place their labels with it`,
    };
  }
  if (worst > 2 + 0.02 * Math.max(...range)) {
    return {
      status: 'fail',
      message: `frame counts do not grow evenly with the input length (${fit}): some length is padded or cropped inside the model`,
      hint: 'the number of frames must follow the input length at every length up to maxInputSeconds; lower maxInputSeconds below the length where it stops doing so',
    };
  }
  return {
    status: 'pass',
    message: `one frame every ${hop.toFixed(2)} ms as declared (${fit})${edges}`,
  };
}

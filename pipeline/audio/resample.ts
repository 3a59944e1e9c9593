/**
 * Band-limited resampling equal to `torchaudio.functional.resample` with its defaults
 * (`sinc_interp_hann`, `lowpass_filter_width=6`, `rolloff=0.99`), which X-ARES applies to every
 * clip before encoding.
 *
 * torchaudio builds one windowed-sinc filter per output phase and applies them as a strided
 * conv1d over the zero-padded input; this is the same computation as a polyphase loop. The
 * kernel is computed in float64 (torchaudio uses the waveform's float32), which moves outputs by
 * well under 1e-6.
 */

export interface ResampleKernel {
  /** Reduced input rate (orig / gcd). */
  readonly orig: number;
  /** Reduced output rate (new / gcd). */
  readonly next: number;
  /** Zero samples torchaudio pads on the left. */
  readonly width: number;
  /** Taps per phase: 2 * width + orig. */
  readonly taps: number;
  /** `next` rows of `taps` coefficients. */
  readonly weights: Float64Array;
  /**
   * Per phase, the taps inside the filter's support [first, last): outside it torchaudio clamps
   * t to ±lowpassFilterWidth, where the Hann window is cos²(π/2) ≈ 4e-33 and the weight below
   * 1e-48, too small to change any float32 output. For 44.1 kHz to 16 kHz that is 33 of 475 taps.
   */
  readonly first: Int32Array;
  readonly last: Int32Array;
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    [a, b] = [b, a % b];
  }
  return a;
}

const kernelCache = new Map<string, ResampleKernel>();

/** torchaudio's `_get_sinc_resample_kernel`, for integer rates. */
export function sincResampleKernel(
  origFreq: number,
  newFreq: number,
  lowpassFilterWidth = 6,
  rolloff = 0.99,
): ResampleKernel {
  const cacheKey = `${origFreq}/${newFreq}/${lowpassFilterWidth}/${rolloff}`;
  const cached = kernelCache.get(cacheKey);
  if (cached) {
    return cached;
  }
  if (!Number.isInteger(origFreq) || !Number.isInteger(newFreq) || origFreq <= 0 || newFreq <= 0) {
    throw new RangeError(
      `resample: rates must be positive integers (got ${origFreq} -> ${newFreq})`,
    );
  }
  const divisor = gcd(origFreq, newFreq);
  const orig = origFreq / divisor;
  const next = newFreq / divisor;
  const baseFreq = Math.min(orig, next) * rolloff;
  const width = Math.ceil((lowpassFilterWidth * orig) / baseFreq);
  const taps = 2 * width + orig;
  const scale = baseFreq / orig;
  const weights = new Float64Array(next * taps);
  const first = new Int32Array(next).fill(taps);
  const last = new Int32Array(next);
  for (let phase = 0; phase < next; phase++) {
    for (let tap = 0; tap < taps; tap++) {
      // t = (-phase / next + (tap - width) / orig) * baseFreq, clamped to ±lowpassFilterWidth
      let t = (-phase / next + (tap - width) / orig) * baseFreq;
      if (Math.abs(t) < lowpassFilterWidth) {
        first[phase] = Math.min(first[phase] as number, tap);
        last[phase] = tap + 1;
      }
      t = Math.max(-lowpassFilterWidth, Math.min(lowpassFilterWidth, t));
      const window = Math.cos((t * Math.PI) / lowpassFilterWidth / 2) ** 2;
      const x = t * Math.PI;
      const sinc = x === 0 ? 1 : Math.sin(x) / x;
      weights[phase * taps + tap] = sinc * window * scale;
    }
  }
  const kernel = { orig, next, width, taps, weights, first, last };
  kernelCache.set(cacheKey, kernel);
  return kernel;
}

/** Output length torchaudio returns: ceil(new * length / orig). */
export function resampledLength(length: number, origFreq: number, newFreq: number): number {
  const divisor = gcd(origFreq, newFreq);
  return Math.ceil(((newFreq / divisor) * length) / (origFreq / divisor));
}

/** Resample one channel from `origFreq` to `newFreq` Hz. Returns the input itself when the rates are equal. */
export function resample(samples: Float32Array, origFreq: number, newFreq: number): Float32Array {
  if (origFreq === newFreq) {
    return samples;
  }
  const { orig, next, width, taps, weights, first, last } = sincResampleKernel(origFreq, newFreq);
  const length = samples.length;
  const outLength = resampledLength(length, origFreq, newFreq);
  const out = new Float32Array(outLength);
  const frames = Math.ceil(outLength / next);
  for (let frame = 0; frame < frames; frame++) {
    // Input index of tap 0 for this frame, in unpadded coordinates.
    const start = frame * orig - width;
    const firstTap = Math.max(0, -start);
    const lastTap = Math.min(taps, length - start);
    for (let phase = 0; phase < next; phase++) {
      const index = frame * next + phase;
      if (index >= outLength) {
        break;
      }
      const row = phase * taps;
      const from = Math.max(firstTap, first[phase] as number);
      const to = Math.min(lastTap, last[phase] as number);
      let acc = 0;
      for (let tap = from; tap < to; tap++) {
        acc += (samples[start + tap] as number) * (weights[row + tap] as number);
      }
      out[index] = acc;
    }
  }
  return out;
}

import { describe, expect, it } from 'vitest';
import { resample, resampledLength, sincResampleKernel } from '../../../pipeline/audio/resample.ts';

/**
 * Reference: torchaudio's `sinc_interp_hann` resampler written as the interpolation formula it
 * implements, evaluated directly per output sample in float64 (no polyphase kernel table):
 *
 *   y[n] = sum_k x[k] * K(t),  t = (k / f_in - n / f_out) * min(f_in, f_out) * rolloff
 *   K(t) = sinc(pi t) * cos^2(pi t / (2 w)) * min(f_in, f_out) * rolloff / f_in   for |t| < w, else 0
 *
 * with w = lowpass_filter_width = 6 and rolloff = 0.99, and ceil(f_out * L / f_in) outputs.
 * (Derived by substituting the conv1d indices of torchaudio's `_apply_sinc_resample_kernel` into
 * the kernel of `_get_sinc_resample_kernel`.)
 */
function referenceResample(x: Float32Array, fIn: number, fOut: number): Float64Array {
  const width = 6;
  const base = Math.min(fIn, fOut) * 0.99;
  const out = new Float64Array(Math.ceil((fOut * x.length) / fIn));
  for (let n = 0; n < out.length; n++) {
    let acc = 0;
    const centre = (n * fIn) / fOut;
    const reach = Math.ceil((width * fIn) / base) + 1;
    for (
      let k = Math.max(0, Math.floor(centre) - reach);
      k <= Math.min(x.length - 1, Math.ceil(centre) + reach);
      k++
    ) {
      const t = (k / fIn - n / fOut) * base;
      if (Math.abs(t) >= width) {
        continue;
      }
      const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      acc += (x[k] as number) * sinc * Math.cos((Math.PI * t) / (2 * width)) ** 2 * (base / fIn);
    }
    out[n] = acc;
  }
  return out;
}

/** Deterministic test signal: two tones, a chirp and a click, at `rate`. */
function testSignal(rate: number, seconds: number): Float32Array {
  const x = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < x.length; i++) {
    const t = i / rate;
    x[i] =
      0.4 * Math.sin(2 * Math.PI * 440 * t) +
      0.2 * Math.sin(2 * Math.PI * 3100 * t + 1) +
      0.2 * Math.sin(2 * Math.PI * (200 + 1500 * t) * t);
  }
  x[Math.floor(x.length / 3)] = 0.9;
  return x;
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  }
  return max;
}

describe('resample (torchaudio sinc_interp_hann, width 6, rolloff 0.99)', () => {
  it.each([
    [44100, 16000],
    [22050, 16000],
    [8000, 16000],
    [48000, 16000],
    [11025, 16000],
    [16000, 24000],
  ])('%i Hz -> %i Hz matches the direct formula within 1e-5', (fIn, fOut) => {
    const x = testSignal(fIn, 0.25);
    expect(maxAbsDifference(resample(x, fIn, fOut), referenceResample(x, fIn, fOut))).toBeLessThan(
      1e-5,
    );
  });

  it('returns the input unchanged when the rates are equal', () => {
    const x = testSignal(16000, 0.1);
    expect(resample(x, 16000, 16000)).toBe(x);
  });

  it('produces ceil(new * length / orig) samples, as torchaudio does', () => {
    expect(resampledLength(44100, 44100, 16000)).toBe(16000);
    expect(resampledLength(1001, 44100, 16000)).toBe(Math.ceil((160 * 1001) / 441));
    expect(resample(new Float32Array(7), 8000, 16000)).toHaveLength(14);
    expect(resample(new Float32Array(0), 22050, 16000)).toHaveLength(0);
  });

  it('builds the kernel torchaudio builds: reduced rates, width, and unit DC gain per phase', () => {
    const kernel = sincResampleKernel(44100, 16000);
    expect([kernel.orig, kernel.next]).toEqual([441, 160]);
    // width = ceil(6 * 441 / (160 * 0.99)) = ceil(16.70...) = 17
    expect(kernel.width).toBe(17);
    expect(kernel.taps).toBe(2 * 17 + 441);
    for (let phase = 0; phase < kernel.next; phase++) {
      let sum = 0;
      for (let tap = 0; tap < kernel.taps; tap++) {
        sum += kernel.weights[phase * kernel.taps + tap] as number;
      }
      // Summing the kernel samples approximates the integral of the windowed sinc: about 1 for downsampling.
      expect(sum).toBeCloseTo(1, 2);
    }
  });

  it('keeps a tone below the cut-off and removes one above it', () => {
    const fIn = 44100;
    const fOut = 16000;
    const n = fIn;
    const low = Float32Array.from({ length: n }, (_, i) =>
      Math.sin((2 * Math.PI * 1000 * i) / fIn),
    );
    const high = Float32Array.from({ length: n }, (_, i) =>
      Math.sin((2 * Math.PI * 10000 * i) / fIn),
    );
    const lowOut = resample(low, fIn, fOut);
    const highOut = resample(high, fIn, fOut);
    // Away from the edges the 1 kHz tone is reproduced sample by sample...
    let maxError = 0;
    let highPeak = 0;
    for (let i = 1000; i < lowOut.length - 1000; i++) {
      maxError = Math.max(
        maxError,
        Math.abs((lowOut[i] as number) - Math.sin((2 * Math.PI * 1000 * i) / fOut)),
      );
      highPeak = Math.max(highPeak, Math.abs(highOut[i] as number));
    }
    expect(maxError).toBeLessThan(2e-3);
    // ...and the 10 kHz tone, above the new Nyquist frequency, is attenuated by more than 40 dB.
    expect(highPeak).toBeLessThan(0.01);
  });
});

describe('resample skips only taps outside the filter support', () => {
  /** torchaudio's strided conv1d over every one of the `taps` coefficients, zeros included. */
  function everyTap(samples: Float32Array, origFreq: number, newFreq: number): Float32Array {
    const { orig, next, width, taps, weights } = sincResampleKernel(origFreq, newFreq);
    const out = new Float32Array(resampledLength(samples.length, origFreq, newFreq));
    for (let index = 0; index < out.length; index++) {
      const frame = Math.floor(index / next);
      const phase = index % next;
      const start = frame * orig - width;
      let acc = 0;
      for (let tap = 0; tap < taps; tap++) {
        const at = start + tap;
        if (at >= 0 && at < samples.length) {
          acc += (samples[at] as number) * (weights[phase * taps + tap] as number);
        }
      }
      out[index] = acc;
    }
    return out;
  }

  it.each([
    [44_100, 16_000],
    [48_000, 16_000],
    [22_050, 16_000],
    [8_000, 16_000],
  ])('gives bit-identical output to the full filter, %i Hz to %i Hz', (from, to) => {
    const samples = Float32Array.from(
      { length: from + 123 },
      (_, t) => 0.5 * Math.sin(t * 0.013) + 0.25 * Math.sin(t * 1.7) * (t % 97 < 50 ? 1 : 0),
    );
    expect(resample(samples, from, to)).toEqual(everyTap(samples, from, to));
  });

  it('uses about 33 of the 475 taps per phase from 44.1 kHz to 16 kHz', () => {
    const { first, last, taps } = sincResampleKernel(44_100, 16_000);
    const used = Array.from(first, (start, phase) => (last[phase] as number) - start);
    expect(taps).toBe(475);
    expect(Math.min(...used)).toBeGreaterThanOrEqual(33);
    expect(Math.max(...used)).toBeLessThanOrEqual(34);
  });
});

/** The waveforms the dynamic checks feed an encoder, and the comparisons of its outputs. */
import { SeededRandom } from '../../util/random.ts';

/** Seeded noise in [-1, 1] at `level` (torch.randn clipped would exceed the range). */
export function noise(length: number, label: string, level = 0.3): Float32Array {
  const rng = new SeededRandom(1234, label);
  return Float32Array.from({ length }, () => Math.max(-1, Math.min(1, level * rng.normal())));
}

/** A vowel-like signal: harmonics of 140 Hz under a 4 Hz syllable envelope. */
export function speechLike(length: number, rate: number): Float32Array {
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
export function fullScale(length: number, rate: number): Float32Array {
  return Float32Array.from({ length }, (_, t) =>
    Math.sin((2 * Math.PI * 220 * t) / rate) >= 0 ? 1 : -1,
  );
}

export function maxAbs(data: Float32Array): number {
  let max = 0;
  for (const value of data) {
    if (Number.isFinite(value)) {
      max = Math.max(max, Math.abs(value));
    }
  }
  return max;
}

/** Largest elementwise difference; equal non-finite values (NaN and NaN too) count as equal. */
export function maxDifference(a: Float32Array, b: Float32Array): number {
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

export function nonFiniteCount(data: Float32Array): number {
  let count = 0;
  for (const value of data) {
    if (!Number.isFinite(value)) {
      count++;
    }
  }
  return count;
}

/** A difference for a message: 0, or one significant decimal in exponent form. */
export const formatDifference = (value: number) => (value === 0 ? '0' : value.toExponential(1));

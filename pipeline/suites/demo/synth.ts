/**
 * Signal primitives for the synthetic demo suite. Everything is a pure function of its
 * arguments and a {@link SeededRandom}, so a generated shard is the same bytes on every run.
 */
import type { SeededRandom } from '../../util/random.ts';

export function rms(signal: Float32Array): number {
  let sum = 0;
  for (const value of signal) {
    sum += value * value;
  }
  return Math.sqrt(sum / Math.max(1, signal.length));
}

export function whiteNoise(rng: SeededRandom, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = rng.normal();
  }
  return out;
}

/** Pink (1/f) noise: Paul Kellet's economy filter over white noise. */
export function pinkNoise(rng: SeededRandom, length: number): Float32Array {
  const out = new Float32Array(length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < length; i++) {
    const white = rng.normal();
    b0 = 0.99765 * b0 + white * 0.099046;
    b1 = 0.963 * b1 + white * 0.2965164;
    b2 = 0.57 * b2 + white * 1.0526913;
    out[i] = (b0 + b1 + b2 + white * 0.1848) * 0.2;
  }
  return out;
}

/** Second-order band-pass (RBJ cookbook, constant 0 dB peak gain), applied in place. */
export function bandPass(
  signal: Float32Array,
  sampleRate: number,
  center: number,
  q: number,
): Float32Array {
  const w0 = (2 * Math.PI * Math.min(center, sampleRate * 0.45)) / sampleRate;
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  const b0 = alpha / a0;
  const b2 = -alpha / a0;
  const a1 = (-2 * Math.cos(w0)) / a0;
  const a2 = (1 - alpha) / a0;
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < signal.length; i++) {
    const x0 = signal[i] as number;
    const y0 = b0 * x0 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x0;
    y2 = y1;
    y1 = y0;
    signal[i] = y0;
  }
  return signal;
}

/**
 * Sum of harmonics of `f0` with the given amplitudes (index 0 = fundamental), skipping those
 * above `maxFrequency`. `vibratoDepth` is a fraction of f0 at `vibratoRate` Hz.
 */
export function harmonicTone(
  length: number,
  sampleRate: number,
  f0: number,
  amplitudes: readonly number[],
  options: { maxFrequency: number; vibratoDepth?: number; vibratoRate?: number; phase?: number },
): Float32Array {
  const out = new Float32Array(length);
  const depth = options.vibratoDepth ?? 0;
  const rate = options.vibratoRate ?? 5;
  amplitudes.forEach((amplitude, index) => {
    const harmonic = index + 1;
    if (amplitude === 0 || f0 * harmonic * (1 + depth) >= options.maxFrequency) {
      return;
    }
    let phase = (options.phase ?? 0) * harmonic;
    for (let i = 0; i < length; i++) {
      const t = i / sampleRate;
      const frequency = f0 * harmonic * (1 + depth * Math.sin(2 * Math.PI * rate * t));
      phase += (2 * Math.PI * frequency) / sampleRate;
      out[i] = (out[i] as number) + amplitude * Math.sin(phase);
    }
  });
  return out;
}

/** Linear sweep from `from` to `to` Hz over the whole signal. */
export function chirp(length: number, sampleRate: number, from: number, to: number): Float32Array {
  const out = new Float32Array(length);
  let phase = 0;
  for (let i = 0; i < length; i++) {
    const frequency = from + ((to - from) * i) / Math.max(1, length - 1);
    phase += (2 * Math.PI * frequency) / sampleRate;
    out[i] = Math.sin(phase);
  }
  return out;
}

/** Attack/release envelope (linear attack, exponential release), applied in place. */
export function applyEnvelope(
  signal: Float32Array,
  sampleRate: number,
  attackSeconds: number,
  decayPerSecond: number,
): Float32Array {
  const attack = Math.max(1, Math.round(attackSeconds * sampleRate));
  for (let i = 0; i < signal.length; i++) {
    const rise = i < attack ? i / attack : 1;
    const fall = i < attack ? 1 : Math.exp((-decayPerSecond * (i - attack)) / sampleRate);
    signal[i] = (signal[i] as number) * rise * fall;
  }
  return signal;
}

/** `target += gain * source` starting at `offset`, in place. */
export function mixInto(
  target: Float32Array,
  source: Float32Array,
  gain: number,
  offset = 0,
): Float32Array {
  const end = Math.min(target.length, offset + source.length);
  for (let i = Math.max(0, offset); i < end; i++) {
    target[i] = (target[i] as number) + gain * (source[i - offset] as number);
  }
  return target;
}

/**
 * `event` repeated over a silent signal of `length` samples: the first copy at `firstStart`, each
 * next one a random gap of `gapSeconds` later (drawn in order, one per copy).
 */
export function eventTrain(
  length: number,
  event: Float32Array,
  gain: number,
  firstStart: number,
  rng: SeededRandom,
  gapSeconds: readonly [number, number],
  sampleRate: number,
): Float32Array {
  const train = new Float32Array(length);
  for (
    let start = firstStart;
    start < length;
    start += Math.round(rng.uniform(gapSeconds[0], gapSeconds[1]) * sampleRate)
  ) {
    mixInto(train, event, gain, start);
  }
  return train;
}

/** Scale so the largest absolute sample equals `peak`. */
export function normalisePeak(signal: Float32Array, peak: number): Float32Array {
  let max = 0;
  for (const value of signal) {
    max = Math.max(max, Math.abs(value));
  }
  if (max === 0) {
    return signal;
  }
  const gain = peak / max;
  for (let i = 0; i < signal.length; i++) {
    signal[i] = (signal[i] as number) * gain;
  }
  return signal;
}

/** Add noise so that the signal-to-noise ratio is `snrDb` (measured over the whole clip). */
export function addNoiseAtSnr(
  signal: Float32Array,
  noise: Float32Array,
  snrDb: number,
): Float32Array {
  const signalRms = rms(signal);
  const noiseRms = rms(noise);
  if (signalRms === 0 || noiseRms === 0) {
    return signal;
  }
  const gain = signalRms / (noiseRms * 10 ** (snrDb / 20));
  return mixInto(signal, noise, gain);
}

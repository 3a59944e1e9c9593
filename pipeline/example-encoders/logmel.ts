/**
 * The log-mel baseline encoder, built as an ONNX graph: waveform [B, W] at 16 kHz ->
 * log mel power spectrogram [B, T, 64] with a 10 ms hop.
 *
 * The STFT is a strided Conv with a windowed DFT basis (much faster on onnxruntime's CPU provider
 * than the STFT operator for n_fft = 400), and the filterbank is computed here exactly like
 * torchaudio's `melscale_fbanks` (HTK mel scale, no normalisation) because onnxruntime's
 * MelWeightMatrix uses a different convention.
 */
import { GraphBuilder } from '../onnx/graph-builder.ts';

export interface LogMelConfig {
  readonly sampleRate: number;
  readonly nFft: number;
  readonly hop: number;
  readonly nMels: number;
  readonly fMin: number;
  readonly fMax: number;
  /** Added to the mel power before the log. */
  readonly floor: number;
}

export const LOGMEL_BASELINE: LogMelConfig = {
  sampleRate: 16000,
  nFft: 400,
  hop: 160,
  nMels: 64,
  fMin: 0,
  fMax: 8000,
  floor: 1e-6,
};

const hzToMel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const melToHz = (mel: number) => 700 * (10 ** (mel / 2595) - 1);

/** torchaudio.functional.melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm=None, mel_scale="htk"): [nFreqs, nMels]. */
export function melFilterbank(
  nFreqs: number,
  fMin: number,
  fMax: number,
  nMels: number,
  sampleRate: number,
): Float64Array {
  const allFreqs = Array.from(
    { length: nFreqs },
    (_, i) => (i * Math.floor(sampleRate / 2)) / (nFreqs - 1),
  );
  const melMin = hzToMel(fMin);
  const melMax = hzToMel(fMax);
  const fPts = Array.from({ length: nMels + 2 }, (_, i) =>
    melToHz(melMin + ((melMax - melMin) * i) / (nMels + 1)),
  );
  const bank = new Float64Array(nFreqs * nMels);
  for (let f = 0; f < nFreqs; f++) {
    const freq = allFreqs[f] as number;
    for (let m = 0; m < nMels; m++) {
      const lower = fPts[m] as number;
      const centre = fPts[m + 1] as number;
      const upper = fPts[m + 2] as number;
      const down = (freq - lower) / (centre - lower);
      const up = (upper - freq) / (upper - centre);
      bank[f * nMels + m] = Math.max(0, Math.min(down, up));
    }
  }
  return bank;
}

/** Periodic Hann window (torch.hann_window default). */
export function hannWindow(length: number): Float64Array {
  return Float64Array.from({ length }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length));
}

/** Windowed one-sided DFT basis as Conv weights [2F, 1, nFft]: real rows, then imaginary rows. */
export function dftConvBasis(nFft: number): Float32Array {
  const bins = nFft / 2 + 1;
  const window = hannWindow(nFft);
  const basis = new Float32Array(2 * bins * nFft);
  for (let k = 0; k < bins; k++) {
    for (let n = 0; n < nFft; n++) {
      const angle = (2 * Math.PI * ((k * n) % nFft)) / nFft;
      const w = window[n] as number;
      basis[k * nFft + n] = w * Math.cos(angle);
      basis[(bins + k) * nFft + n] = -w * Math.sin(angle);
    }
  }
  return basis;
}

/** Adds the log-mel front end to `g`: waveform [B, W] -> log mel power [B, T, nMels], T = floor(W / hop) + 1. */
export function logMelFrontEnd(g: GraphBuilder, waveform: string, config: LogMelConfig): string {
  const bins = config.nFft / 2 + 1;
  const half = config.nFft / 2;
  const channel = g.op('Unsqueeze', [waveform, g.int64s([1])]);
  // Centre frames like torch.stft(center=True), with zeros instead of reflection.
  const padded = g.op('Pad', [channel, g.int64s([0, 0, half, 0, 0, half])], { mode: 'constant' });
  const basis = g.initializer('dft_basis', dftConvBasis(config.nFft), [2 * bins, 1, config.nFft]);
  const spectrum = g.op('Conv', [padded, basis], {
    strides: [config.hop],
    kernel_shape: [config.nFft],
  });
  const squared = g.op('Mul', [spectrum, spectrum]);
  const parts = g.op('Reshape', [squared, g.int64s([0, 2, bins, -1])]);
  const power = g.op('ReduceSum', [parts, g.int64s([1])], { keepdims: 0 });
  const frames = g.op('Transpose', [power], { perm: [0, 2, 1] });
  const bank = Float32Array.from(
    melFilterbank(bins, config.fMin, config.fMax, config.nMels, config.sampleRate),
  );
  const mel = g.op('MatMul', [frames, g.initializer('mel_filterbank', bank, [bins, config.nMels])]);
  return g.op('Log', [g.op('Add', [mel, g.scalar(config.floor)])]);
}

export function buildLogMelEncoder(config: LogMelConfig = LOGMEL_BASELINE): Uint8Array {
  const g = new GraphBuilder('logmel');
  const waveform = g.input('waveform', 'float32', ['batch', 'samples']);
  g.output(
    logMelFrontEnd(g, waveform, config),
    'float32',
    ['batch', 'frames', config.nMels],
    'embeddings',
  );
  return g.toModel({
    docString: `Log-mel spectrogram: ${config.nMels} HTK mel bands, n_fft ${config.nFft}, hop ${config.hop} at ${config.sampleRate} Hz.`,
  });
}

import { describe, expect, it } from 'vitest';
import {
  buildLogMelEncoder,
  dftConvBasis,
  hannWindow,
  LOGMEL_BASELINE,
  melFilterbank,
} from '../../../pipeline/example-encoders/logmel.ts';
import { OrtSession } from '../../../pipeline/runtime/ort.ts';

describe('melFilterbank (torchaudio melscale_fbanks, HTK scale, no norm)', () => {
  it('matches values derived by hand for 5 bins, 2 mels, 0-4 kHz at 8 kHz', () => {
    // Bin centres 0, 1000, 2000, 3000, 4000 Hz. HTK mel(4000) = 2595 log10(1 + 4000/700) = 2146.06;
    // three equal mel steps put the triangle corners at 0, 620.58, 1791.33 and 4000 Hz.
    // Filter 0 at 1000 Hz: min((1000-0)/620.58, (1791.33-1000)/(1791.33-620.58)) = 0.6759.
    // Filter 1 at 1000, 2000, 3000 Hz: 0.3241, (4000-2000)/2208.67 = 0.9055, 0.4528.
    const bank = melFilterbank(5, 0, 4000, 2, 8000);
    const expected = [
      [0, 0],
      [0.6759, 0.3241],
      [0, 0.9055],
      [0, 0.4528],
      [0, 0],
    ];
    expected.forEach((row, f) => {
      row.forEach((value, m) => {
        expect(bank[f * 2 + m]).toBeCloseTo(value, 4);
      });
    });
  });

  it('is a partition of unity between the first and last centre frequency', () => {
    const bank = melFilterbank(201, 0, 8000, 64, 16000);
    // Adjacent triangles overlap so that their sum is 1 between the first and the last centre.
    for (let f = 10; f < 190; f++) {
      let sum = 0;
      for (let m = 0; m < 64; m++) {
        sum += bank[f * 64 + m] as number;
      }
      expect(sum).toBeCloseTo(1, 9);
    }
  });
});

describe('hannWindow and DFT basis', () => {
  it('is the periodic Hann window of torch.hann_window', () => {
    // w[n] = 0.5 - 0.5 cos(2 pi n / N) for N = 4: 0, 0.5, 1, 0.5 (periodic, not symmetric).
    const window = hannWindow(4);
    [0, 0.5, 1, 0.5].forEach((value, n) => {
      expect(window[n]).toBeCloseTo(value, 12);
    });
  });

  it('has real rows w[n] cos(2 pi k n / N) and imaginary rows -w[n] sin(...)', () => {
    const basis = dftConvBasis(8);
    const bins = 5;
    // k = 1, n = 2: w = 0.5 - 0.5 cos(pi/2) = 0.5; cos(pi/2) = 0; -sin(pi/2) = -1.
    expect(basis[1 * 8 + 2]).toBeCloseTo(0, 7);
    expect(basis[(bins + 1) * 8 + 2]).toBeCloseTo(-0.5, 7);
    // k = 0 is the window itself; its imaginary row is zero.
    expect(basis[4]).toBeCloseTo(1, 7);
    expect(basis[bins * 8 + 4]).toBeCloseTo(0, 7);
  });
});

describe('log-mel encoder (ONNX)', () => {
  it('equals a float64 direct-DFT computation of the same spectrogram', async () => {
    const session = await OrtSession.create(buildLogMelEncoder(), { label: 'logmel' });
    const width = 8000;
    const wave = Float32Array.from({ length: 2 * width }, (_, i) =>
      i < width
        ? 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000)
        : 0.1 * Math.sin((2 * Math.PI * 300 * (i - width)) / 16000 + 0.3),
    );
    const output = (await session.run({ waveform: { data: wave, dims: [2, width] } }))[
      'embeddings'
    ];
    if (!output) {
      throw new Error('no output');
    }
    const frames = Math.floor(width / LOGMEL_BASELINE.hop) + 1;
    expect(output.dims).toEqual([2, frames, 64]);

    const window = hannWindow(400);
    const bank = melFilterbank(201, 0, 8000, 64, 16000);
    for (const [clip, frame] of [
      [0, 0],
      [0, 20],
      [1, 33],
      [1, frames - 1],
    ] as const) {
      const start = frame * 160 - 200;
      const power = new Float64Array(201);
      for (let k = 0; k < 201; k++) {
        let re = 0;
        let im = 0;
        for (let n = 0; n < 400; n++) {
          const index = start + n;
          const sample = index >= 0 && index < width ? (wave[clip * width + index] as number) : 0;
          re += sample * (window[n] as number) * Math.cos((2 * Math.PI * k * n) / 400);
          im -= sample * (window[n] as number) * Math.sin((2 * Math.PI * k * n) / 400);
        }
        power[k] = re * re + im * im;
      }
      for (let m = 0; m < 64; m++) {
        let mel = 0;
        for (let k = 0; k < 201; k++) {
          mel += (power[k] as number) * (bank[k * 64 + m] as number);
        }
        const expected = Math.log(mel + 1e-6);
        const got = output.data[(clip * frames + frame) * 64 + m] as number;
        expect(Math.abs(got - expected)).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected)));
      }
    }
    await session.release();
  });
});

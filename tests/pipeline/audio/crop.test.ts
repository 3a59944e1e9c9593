import { describe, expect, it } from 'vitest';
import { cropOrPad, cropSamplesAt, mixToMono, toMonoAtRate } from '../../../pipeline/audio/crop.ts';

const ramp = (length: number) => Float32Array.from({ length }, (_, i) => i + 1);

describe('cropOrPad (X-ARES _seq_crop_audio with pad_last)', () => {
  it('cuts non-overlapping crops and drops the remainder', () => {
    const crops = cropOrPad(ramp(10), 4);
    expect(crops.map((crop) => Array.from(crop))).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
  });

  it('zero-pads a clip shorter than one crop to exactly one crop', () => {
    expect(cropOrPad(ramp(3), 5).map((crop) => Array.from(crop))).toEqual([[1, 2, 3, 0, 0]]);
    expect(cropOrPad(new Float32Array(0), 2).map((crop) => Array.from(crop))).toEqual([[0, 0]]);
  });

  it('keeps an exact multiple whole and uses the whole clip without a crop length', () => {
    expect(cropOrPad(ramp(8), 4)).toHaveLength(2);
    expect(Array.from(cropOrPad(ramp(5), undefined)[0] ?? [])).toEqual([1, 2, 3, 4, 5]);
  });

  it('computes the crop length as int(seconds * rate)', () => {
    expect(cropSamplesAt(1, 16000)).toBe(16000);
    expect(cropSamplesAt(0.1, 22050)).toBe(2205);
    expect(cropSamplesAt(undefined, 16000)).toBeUndefined();
  });
});

describe('mixToMono', () => {
  it('averages the channels', () => {
    const mono = mixToMono([Float32Array.of(1, 0, -1), Float32Array.of(0, 1, 1)]);
    expect(Array.from(mono)).toEqual([0.5, 0.5, 0]);
  });

  it('resamples every channel before mixing, in the X-ARES order', () => {
    const left = Float32Array.from({ length: 800 }, (_, i) => Math.sin(i / 7));
    const right = Float32Array.from({ length: 800 }, (_, i) => Math.cos(i / 5));
    const mixed = toMonoAtRate([left, right], 8000, 16000);
    const separately = mixToMono([
      toMonoAtRate([left], 8000, 16000),
      toMonoAtRate([right], 8000, 16000),
    ]);
    expect(mixed).toHaveLength(1600);
    for (let i = 0; i < mixed.length; i++) {
      expect(mixed[i]).toBeCloseTo(separately[i] as number, 6);
    }
  });
});

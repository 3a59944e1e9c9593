import { describe, expect, it } from 'vitest';
import { recallAtOne } from '../../../pipeline/metrics/retrieval.ts';

describe('recallAtOne (X-ARES clap_metrics, R@1)', () => {
  it('scores audio-to-text by any caption of the clip and text-to-audio per caption', () => {
    // 2 clips, 2 captions each, 2-D embeddings. Clip 0 points along x, clip 1 along y.
    const audio = Float32Array.of(1, 0, 0, 1);
    // Captions 0, 1 belong to clip 0; 2, 3 to clip 1. Caption 1 points along y (wrong).
    const text = Float32Array.of(2, 0.1, 0, 1, 0.1, 3, 0.2, 1);
    // a2t: clip 0's best caption is 0 (own) -> hit; clip 1's best is caption 1 (cos 1) -> miss. 1/2.
    // t2a: caption 0 -> clip 0 hit; caption 1 -> clip 1 miss; captions 2, 3 -> clip 1 hits. 3/4.
    expect(recallAtOne(audio, text, 2, 2)).toEqual({
      audioToText: 0.5,
      textToAudio: 0.75,
      score: 0.625,
    });
  });

  it('ignores vector lengths (cosine similarity)', () => {
    const audio = Float32Array.of(10, 0, 0, 0.1);
    const text = Float32Array.of(0.01, 0, 0.1, 5);
    expect(recallAtOne(audio, text, 2, 1).score).toBe(1);
  });
});

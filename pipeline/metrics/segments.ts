/**
 * Segment-based F1 for frame-level tasks, as X-ARES `SegmentF1Metric` computes it:
 * frame decisions are `sigmoid(logit) > 0.5` (torch.round sends exactly 0.5 to 0, so a logit of
 * 0 is negative); decisions and targets are max-pooled over non-overlapping segments of
 * `ceil(segment_seconds / hop_seconds)` frames, trailing frames that do not fill a segment
 * dropped (max_pool1d floor mode); then scikit-learn's f1_score over the multilabel-indicator
 * rows of every clip: "macro" averages per-class F1, "micro" pools the counts. A class with no
 * true and no predicted positive has F1 0 (sklearn's default zero_division).
 */

export interface FrameClip {
  /** Frame logits, row-major [frames, classes]. */
  readonly logits: ArrayLike<number>;
  /** 0/1 targets with the same shape. */
  readonly targets: ArrayLike<number>;
  readonly frames: number;
}

/** Frames per segment: ceil(segmentSeconds / (hopMs / 1000)), computed as X-ARES does. */
export function framesPerSegment(segmentSeconds: number, hopMs: number): number {
  return Math.ceil(segmentSeconds / (hopMs / 1000));
}

export interface SegmentCounts {
  readonly truePositives: Float64Array;
  readonly falsePositives: Float64Array;
  readonly falseNegatives: Float64Array;
}

/** Per-class TP/FP/FN over the segments of `clips`. */
export function segmentCounts(
  clips: readonly FrameClip[],
  classes: number,
  segmentFrames: number,
): SegmentCounts {
  const counts = {
    truePositives: new Float64Array(classes),
    falsePositives: new Float64Array(classes),
    falseNegatives: new Float64Array(classes),
  };
  for (const clip of clips) {
    const segments = Math.floor(clip.frames / segmentFrames);
    for (let s = 0; s < segments; s++) {
      for (let c = 0; c < classes; c++) {
        let predicted = false;
        let actual = false;
        for (let f = s * segmentFrames; f < (s + 1) * segmentFrames; f++) {
          predicted ||= (clip.logits[f * classes + c] as number) > 0;
          actual ||= (clip.targets[f * classes + c] as number) > 0;
        }
        if (predicted && actual) {
          counts.truePositives[c] = (counts.truePositives[c] as number) + 1;
        } else if (predicted) {
          counts.falsePositives[c] = (counts.falsePositives[c] as number) + 1;
        } else if (actual) {
          counts.falseNegatives[c] = (counts.falseNegatives[c] as number) + 1;
        }
      }
    }
  }
  return counts;
}

function f1(tp: number, fp: number, fn: number): number {
  const denominator = 2 * tp + fp + fn;
  return denominator === 0 ? 0 : (2 * tp) / denominator;
}

export function segmentF1(counts: SegmentCounts, average: 'macro' | 'micro'): number {
  const classes = counts.truePositives.length;
  if (average === 'micro') {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let c = 0; c < classes; c++) {
      tp += counts.truePositives[c] as number;
      fp += counts.falsePositives[c] as number;
      fn += counts.falseNegatives[c] as number;
    }
    return f1(tp, fp, fn);
  }
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    sum += f1(
      counts.truePositives[c] as number,
      counts.falsePositives[c] as number,
      counts.falseNegatives[c] as number,
    );
  }
  return sum / classes;
}

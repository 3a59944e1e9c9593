/**
 * From head outputs on a split to a metric evaluation (the score, and its value on any
 * bootstrap resample of the split's items). One evaluator per metric of a clip or frame task;
 * retrieval and speech recognition build theirs in their own heads.
 */
import type { MetricId } from '../../schemas/metrics.ts';
import { argmax } from '../metrics/accuracy.ts';
import {
  accuracyEvaluation,
  equalErrorRateEvaluation,
  meanAveragePrecisionEvaluation,
  segmentF1Evaluation,
} from '../metrics/bootstrap.ts';
import { segmentCounts, type SegmentCounts } from '../metrics/segments.ts';
import { concatenateFloat32 } from '../util/arrays.ts';
import type { ProbeBlock, SplitEvaluator } from './linear-probe.ts';

function classLabels(block: ProbeBlock, metric: string): Int32Array {
  if (block.targets.kind !== 'class') {
    throw new Error(`${metric} needs one class per item`);
  }
  return block.targets.labels;
}

/** Accuracy over rows (crops): argmax of the scores, first maximum on ties. */
export function accuracyEvaluator(classes: number): SplitEvaluator {
  const correct: number[] = [];
  return {
    add(block, scores) {
      const labels = classLabels(block, 'accuracy');
      for (let row = 0; row < labels.length; row++) {
        correct.push(argmax(scores, row * classes, classes) === labels[row] ? 1 : 0);
      }
    },
    finish: () => accuracyEvaluation(Uint8Array.from(correct)),
  };
}

/** Macro mAP over rows; needs the whole split, as ranking metrics do. */
export function meanAveragePrecisionEvaluator(classes: number): SplitEvaluator {
  const scores: Float32Array[] = [];
  const targets: Float32Array[] = [];
  return {
    add(block, logits) {
      if (block.targets.kind !== 'dense') {
        throw new Error('mean average precision needs 0/1 targets');
      }
      scores.push(logits);
      targets.push(block.targets.values);
    },
    finish: () =>
      meanAveragePrecisionEvaluation(
        concatenateFloat32(scores),
        concatenateFloat32(targets),
        classes,
      ),
  };
}

/**
 * 1 - EER of a two-class head: the detection score of the positive class (index 1) is the
 * logit difference, which orders items as the softmax probability does.
 */
export function oneMinusEerEvaluator(classes: number): SplitEvaluator {
  if (classes !== 2) {
    throw new Error(`1 - EER needs a two-class task (this one has ${classes})`);
  }
  const scores: number[] = [];
  const positives: number[] = [];
  return {
    add(block, logits) {
      const labels = classLabels(block, '1 - EER');
      for (let row = 0; row < labels.length; row++) {
        scores.push((logits[row * 2 + 1] as number) - (logits[row * 2] as number));
        positives.push(labels[row] === 1 ? 1 : 0);
      }
    },
    finish: () => equalErrorRateEvaluation(Float64Array.from(scores), Uint8Array.from(positives)),
  };
}

/** Segment F1 per item (frame sequence), pooled over the split as X-ARES does. */
export function segmentF1Evaluator(
  classes: number,
  segmentFrames: number,
  average: 'macro' | 'micro',
): SplitEvaluator {
  const perItem: SegmentCounts[] = [];
  return {
    add(block, logits) {
      if (block.targets.kind !== 'dense') {
        throw new Error('segment F1 needs frame targets');
      }
      const targets = block.targets.values;
      for (let item = 0; item + 1 < block.itemRows.length; item++) {
        const from = block.itemRows[item] as number;
        const to = block.itemRows[item + 1] as number;
        perItem.push(
          segmentCounts(
            [
              {
                logits: logits.subarray(from * classes, to * classes),
                targets: targets.subarray(from * classes, to * classes),
                frames: to - from,
              },
            ],
            classes,
            segmentFrames,
          ),
        );
      }
    },
    finish: () => segmentF1Evaluation(perItem, average),
  };
}

/** The evaluator of a clip or frame task's metric. */
export function probeEvaluator(
  metric: MetricId,
  classes: number,
  segmentFrames?: number,
): () => SplitEvaluator {
  switch (metric) {
    case 'accuracy':
      return () => accuracyEvaluator(classes);
    case 'mean_average_precision':
      return () => meanAveragePrecisionEvaluator(classes);
    case 'one_minus_eer':
      return () => oneMinusEerEvaluator(classes);
    case 'segment_f1_macro':
    case 'segment_f1_micro': {
      if (segmentFrames === undefined) {
        throw new Error(`${metric} needs the segment length in frames`);
      }
      const average = metric === 'segment_f1_macro' ? 'macro' : 'micro';
      return () => segmentF1Evaluator(classes, segmentFrames, average);
    }
    case 'recall_at_1':
    case 'inverse_wer':
      throw new Error(`${metric} is not a metric of the linear probe`);
  }
}

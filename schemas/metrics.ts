/**
 * Metric identifiers and their presentation. Direction is data: every metric used by the suite
 * is higher-is-better in [0, 1], as in X-ARES (§5 of the protocol notes).
 */
import { z } from 'zod';

export const MetricId = z.enum([
  'accuracy',
  'mean_average_precision',
  'segment_f1_macro',
  'segment_f1_micro',
  'recall_at_1',
  'inverse_wer',
  'one_minus_eer',
]);
export type MetricId = z.infer<typeof MetricId>;

export interface MetricInfo {
  /** Column header text. */
  readonly label: string;
  /** One sentence for tooltips and the methodology page. */
  readonly description: string;
}

export const METRICS: Readonly<Record<MetricId, MetricInfo>> = {
  accuracy: {
    label: 'Accuracy',
    description: 'Fraction of test crops whose highest-scoring class is the true class.',
  },
  mean_average_precision: {
    label: 'mAP',
    description:
      'Macro-averaged average precision over classes (scikit-learn average_precision_score).',
  },
  segment_f1_macro: {
    label: 'Segment F1 (macro)',
    description:
      'F1 over fixed-length segments after max-pooling frame decisions, averaged over classes.',
  },
  segment_f1_micro: {
    label: 'Segment F1 (micro)',
    description:
      'F1 over fixed-length segments after max-pooling frame decisions, pooled over classes.',
  },
  recall_at_1: {
    label: 'Recall@1',
    description: 'Mean of audio-to-text and text-to-audio recall at rank 1.',
  },
  inverse_wer: {
    label: 'iWER',
    description: 'max(0, 1 − corpus word error rate) on lower-cased text.',
  },
  one_minus_eer: {
    label: '1 − EER',
    description:
      'One minus the equal error rate of the detection scores: the ROC point where the false-positive and false-negative rates are closest, on scikit-learn’s default curve (collinear points dropped), as X-ARES computes it.',
  },
};

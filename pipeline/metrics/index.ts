/**
 * Metrics by id, as functions of head outputs. The registry is the only place that maps a task's
 * declared metric to code.
 */
import type { MetricId } from '../../schemas/metrics.ts';
import { UsageError } from '../errors.ts';
import type { LogitMetric } from '../heads/linear-probe.ts';
import { accuracy } from './accuracy.ts';

const LOGIT_METRICS: Partial<Record<MetricId, LogitMetric>> = {
  accuracy: (logits, labels, classes) => accuracy(logits, labels, classes),
};

export function logitMetric(id: MetricId): LogitMetric {
  const metric = LOGIT_METRICS[id];
  if (!metric) {
    throw new UsageError(
      `metric "${id}" is not available in this version of the pipeline`,
      `available: ${Object.keys(LOGIT_METRICS).join(', ')}`,
    );
  }
  return metric;
}

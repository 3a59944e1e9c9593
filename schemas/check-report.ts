/**
 * Output of `npm run check -- submissions/<slug> --json`: one entry per check, in the order they
 * ran, plus what was learnt about the model. The pull-request workflow turns it into a comment.
 */
import { z } from 'zod';
import { Sha256 } from './common.ts';

export const CHECK_REPORT_SCHEMA_VERSION = 1;

export const CheckId = z.enum([
  'manifest',
  'model-file',
  'onnx-format',
  'external-data',
  'operator-domains',
  'opset',
  'graph-size',
  'interface',
  'session',
  'xares-probe',
  'short-input',
  'chunking',
  'frame-rate',
  'determinism',
  'batch-invariance',
  'silence',
  'full-scale',
  'finite-values',
  'efficiency',
]);
export type CheckId = z.infer<typeof CheckId>;

export const CheckStatus = z.enum(['pass', 'fail', 'skip', 'info']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const CheckItem = z.strictObject({
  id: CheckId,
  status: CheckStatus,
  /** One sentence: what was found. */
  message: z.string(),
  /** What to do about it (failures only). */
  hint: z.string().optional(),
});
export type CheckItem = z.infer<typeof CheckItem>;

export const ModelFacts = z.strictObject({
  sha256: Sha256,
  sizeBytes: z.int().nonnegative(),
  irVersion: z.int().nonnegative(),
  /** ai.onnx opset version. */
  opset: z.int().nonnegative(),
  nodes: z.int().nonnegative(),
  /** Elements in all initializers (the learned and fixed weights). */
  parameters: z.int().nonnegative(),
});
export type ModelFacts = z.infer<typeof ModelFacts>;

export const EncoderMeasurements = z.strictObject({
  /** Seconds of audio encoded per second of wall-clock time, on CPU. */
  realTimeFactor: z.number().nonnegative(),
  /** Peak resident memory of the process that ran the encoder. */
  peakRssBytes: z.int().nonnegative(),
  threads: z.int().positive(),
  device: z.string(),
});
export type EncoderMeasurements = z.infer<typeof EncoderMeasurements>;

export const CheckReport = z.strictObject({
  schemaVersion: z.literal(CHECK_REPORT_SCHEMA_VERSION),
  /** The submission folder as given on the command line. */
  submission: z.string(),
  passed: z.boolean(),
  checks: z.array(CheckItem),
  model: ModelFacts.optional(),
  measurements: EncoderMeasurements.optional(),
});
export type CheckReport = z.infer<typeof CheckReport>;

/**
 * The dynamic checks' verdict on one model under one contract, kept in the evaluation cache
 * (`<cache>/checks/`) so that `evaluate` probes each model once. `probesVersion` changes
 * whenever a probe does, which invalidates every stored verdict.
 */
export const ModelCheckRecord = z.strictObject({
  probesVersion: z.int().positive(),
  modelSha256: Sha256,
  contract: z.strictObject({
    sampleRate: z.int().positive(),
    embeddingDim: z.int().positive(),
    hopMs: z.number().positive(),
    maxInputSeconds: z.number().positive(),
  }),
  checks: z.array(CheckItem),
});
export type ModelCheckRecord = z.infer<typeof ModelCheckRecord>;

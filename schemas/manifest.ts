/**
 * The submission manifest: `submissions/<slug>/manifest.json`, written by a team and reviewed
 * in their pull request. Everything the pipeline needs to run the encoder, and everything the
 * site shows about it, comes from here.
 */
import { z } from 'zod';
import { DisplayText, HttpsUrl, Sha256 } from './common.ts';

/** Largest ONNX file accepted: protobuf's own 2 GiB limit, and we reject external data. */
export const MAX_MODEL_BYTES = 2 * 1024 ** 3 - 1;

const ModelFileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.onnx$/, {
    error:
      'must be a file name in the submission folder ending in .onnx (for example "model.onnx"), without directories',
  })
  .refine((name) => !name.includes('..'), { error: 'must not contain ".."' });

const ModelSize = z.int().positive().max(MAX_MODEL_BYTES, {
  error: 'must be below 2 GiB (ONNX files with external data are not accepted)',
});

/** The encoder shipped inside the submission folder. */
export const LocalEncoder = z.strictObject({
  /** File name relative to the submission folder. */
  file: ModelFileName,
  /** sha256 of the file, so a changed model is never scored under an old result. */
  sha256: Sha256,
  /** Size in bytes, checked before hashing so truncated or LFS-pointer files fail fast. */
  sizeBytes: ModelSize,
});

/** The encoder hosted elsewhere, pinned by hash so the bytes cannot change after review. */
export const RemoteEncoder = z.strictObject({
  /** https URL of the .onnx file. */
  url: HttpsUrl,
  sha256: Sha256,
  sizeBytes: ModelSize,
});

export const EncoderSource = z.union([LocalEncoder, RemoteEncoder]);
export type EncoderSource = z.infer<typeof EncoderSource>;

export const SubmissionManifest = z.strictObject({
  /** Editors use this to validate the file against the published JSON Schema. */
  $schema: z.string().optional(),
  /** Team name as shown on the leaderboard. */
  team: DisplayText(80),
  affiliation: DisplayText(120),
  model: z.strictObject({
    name: DisplayText(80),
    version: DisplayText(40),
  }),
  /** One or two sentences: architecture, size, training objective. */
  description: DisplayText(600),
  links: z
    .strictObject({
      report: HttpsUrl.optional(),
      code: HttpsUrl.optional(),
      paper: HttpsUrl.optional(),
    })
    .default({}),
  /** SPDX identifier or a short licence name, for the model weights. */
  license: DisplayText(80),
  /**
   * What the encoder was trained on. Public data only, and none of the evaluation datasets
   * (their test splits are what the leaderboard measures).
   */
  trainingData: DisplayText(1000),
  encoder: EncoderSource,
  /** Sample rate the encoder expects; audio is resampled to it. */
  sampleRate: z
    .int({ error: 'must be a whole number of hertz (for example 16000)' })
    .min(4000, { error: 'must be at least 4000 Hz' })
    .max(192000, { error: 'must be at most 192000 Hz' }),
  /** Size D of the output `[B, T, D]`. */
  embeddingDim: z
    .int({ error: 'must be a whole number (the size D of the output [B, T, D])' })
    .positive({ error: 'must be at least 1' })
    .max(65536, { error: 'must be at most 65536' }),
  /** Time between output frames, used for frame-level labels (DESED, MAESTRO). */
  hopMs: z
    .number()
    .positive({
      error: 'must be greater than 0 (milliseconds between output frames, for example 40)',
    })
    .max(10000, { error: 'must be at most 10000 ms' }),
  /**
   * Longest waveform accepted in one call; the pipeline cuts longer audio into chunks of this
   * length and concatenates the frames, like the X-ARES example encoders do at 10 s.
   */
  maxInputSeconds: z
    .number()
    .positive({
      error: 'must be greater than 0 (seconds of audio per encoder call, for example 10)',
    })
    .max(3600, { error: 'must be at most 3600 s' }),
  /** Organiser-provided reference systems are marked and styled apart on the site. */
  baseline: z.boolean().default(false),
});

export type SubmissionManifest = z.output<typeof SubmissionManifest>;
export type SubmissionManifestInput = z.input<typeof SubmissionManifest>;

export function isLocalEncoder(source: EncoderSource): source is z.infer<typeof LocalEncoder> {
  return 'file' in source;
}

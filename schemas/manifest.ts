/**
 * The submission manifest: `submissions/<slug>/manifest.json`, written by a team and reviewed
 * in their pull request. Everything the pipeline needs to run the encoder, and everything the
 * site shows about it, comes from here. Descriptions below are exported to the JSON Schema
 * (`npm run pipeline -- schemas`), so editors show them while the file is written.
 */
import { z } from 'zod';
import { DisplayText, HttpsUrl, Sha256 } from './common.ts';

/**
 * Largest manifest.json read: the template is about 1 KB, and a long text belongs behind a link.
 * A bigger file is refused before it is read.
 */
export const MAX_MANIFEST_BYTES = 64 * 1024;

/** Largest ONNX file accepted: protobuf's own 2 GiB limit, and we reject external data. */
export const MAX_MODEL_BYTES = 2 * 1024 ** 3 - 1;

const ModelFileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.onnx$/, {
    error:
      'must be a file name in the submission folder ending in .onnx (for example "model.onnx"), without directories',
  })
  .refine((name) => !name.includes('..'), { error: 'must not contain ".."' });

const ModelSize = z
  .int({ error: 'must be the size of the file in bytes (`stat -c %s model.onnx`)' })
  .positive({ error: 'must be the size of the file in bytes (`stat -c %s model.onnx`)' })
  .max(MAX_MODEL_BYTES, {
    error: 'must be below 2 GiB (ONNX files with external data are not accepted)',
  });

/** The encoder shipped inside the submission folder. */
export const LocalEncoder = z
  .strictObject({
    file: ModelFileName.meta({ description: 'ONNX file name, relative to the submission folder.' }),
    sha256: Sha256.meta({
      description:
        'sha256 of the file (`sha256sum model.onnx`); a changed model is never scored under an old result.',
    }),
    sizeBytes: ModelSize.meta({
      description: 'Size of the file in bytes; catches truncated files and Git LFS pointers.',
    }),
  })
  .meta({ title: 'Encoder file in the submission folder' });

/** The encoder hosted elsewhere, pinned by hash so the bytes cannot change after review. */
export const RemoteEncoder = z
  .strictObject({
    url: HttpsUrl.meta({
      description: 'https URL of the .onnx file (for models too large for the repository).',
    }),
    sha256: Sha256.meta({
      description: 'sha256 of the file; the download is rejected if it differs.',
    }),
    sizeBytes: ModelSize.meta({
      description: 'Size of the file in bytes; the download stops there.',
    }),
  })
  .meta({ title: 'Encoder file at a pinned URL' });

export const EncoderSource = z.union([LocalEncoder, RemoteEncoder]);
export type EncoderSource = z.infer<typeof EncoderSource>;

/** Whether every training dataset is publicly available. */
export const DataAvailability = z.enum(['public', 'not-public', 'unknown'], {
  error:
    'must be "public", "not-public" or "unknown": whether every training dataset is publicly available, as far as you can attest',
});
export type DataAvailability = z.infer<typeof DataAvailability>;

/** Whether training used any evaluation dataset of the suite (or its test material). */
export const EvaluationOverlap = z.enum(['none', 'some', 'unknown'], {
  error:
    'must be "none", "some" or "unknown": whether training used any evaluation dataset of the suite, as far as you can attest',
});
export type EvaluationOverlap = z.infer<typeof EvaluationOverlap>;

/**
 * Fields of earlier manifest versions, by JSON pointer, and what replaced them: an old manifest
 * is told exactly what to write instead.
 */
export const MANIFEST_RENAMED_FIELDS: Readonly<Record<string, string>> = {
  '/trainingData/publicDataOnly':
    'replaced by "availability": "public", "not-public" or "unknown" (what you can attest)',
  '/trainingData/excludesEvaluationData':
    'replaced by "evaluationOverlap": "none", "some" or "unknown" (what you can attest)',
};

export const TrainingData = z
  .strictObject({
    description: DisplayText(1000).meta({
      description: 'What the encoder was trained on: dataset names, hours, and any labels used.',
    }),
    availability: DataAvailability.meta({
      description:
        '"public" if every training dataset is publicly available, "not-public" if any is not, "unknown" if you cannot tell (a pretrained model whose data is undocumented). Shown on the site; ICME 2025 accepted only "public".',
    }),
    evaluationOverlap: EvaluationOverlap.meta({
      description:
        '"none" if no evaluation dataset of the suite (or its test material) was used in training, "some" if any was, "unknown" if you cannot tell. Shown on the site.',
    }),
  })
  .meta({ title: 'Training data statement' });

export const SubmissionManifest = z
  .strictObject({
    $schema: z
      .string()
      .optional()
      .meta({ description: 'Path or URL of this JSON Schema, for editors.' }),
    team: DisplayText(80).meta({ description: 'Team name as shown on the leaderboard.' }),
    affiliation: DisplayText(120).meta({ description: 'University, company or lab.' }),
    model: z.strictObject({
      name: DisplayText(80).meta({ description: 'Model name as shown on the leaderboard.' }),
      version: DisplayText(40).meta({ description: 'Version of this model, e.g. "1.0".' }),
    }),
    description: DisplayText(600).meta({
      description: 'One or two sentences: architecture, size, training objective.',
    }),
    links: z
      .strictObject({
        report: HttpsUrl.optional().meta({ description: 'Technical report (https).' }),
        code: HttpsUrl.optional().meta({ description: 'Source code (https).' }),
        paper: HttpsUrl.optional().meta({ description: 'Paper (https).' }),
      })
      .default({}),
    license: DisplayText(80).meta({
      description: 'Licence of the model weights (an SPDX identifier where possible).',
    }),
    trainingData: TrainingData,
    encoder: EncoderSource,
    sampleRate: z
      .int({ error: 'must be a whole number of hertz (for example 16000)' })
      .min(4000, { error: 'must be at least 4000 Hz' })
      .max(192000, { error: 'must be at most 192000 Hz' })
      .meta({ description: 'Sample rate the encoder expects, in Hz; audio is resampled to it.' }),
    embeddingDim: z
      .int({ error: 'must be a whole number (the size D of the output [B, T, D])' })
      .positive({ error: 'must be at least 1' })
      .max(65536, { error: 'must be at most 65536' })
      .meta({ description: 'Size D of the output [batch, frames, D].' }),
    hopMs: z
      .number()
      .positive({
        error: 'must be greater than 0 (milliseconds between output frames, for example 40)',
      })
      .max(10000, { error: 'must be at most 10000 ms' })
      .meta({
        description:
          'Milliseconds between output frames. Frame-level tasks place labels with it; the checker measures it.',
      }),
    maxInputSeconds: z
      .number()
      .positive({
        error: 'must be greater than 0 (seconds of audio per encoder call, for example 10)',
      })
      .max(3600, { error: 'must be at most 3600 s' })
      .meta({
        description:
          'Longest audio the encoder accepts in one call; the pipeline cuts longer audio into chunks of this length and averages the frames of all chunks.',
      }),
    baseline: z
      .boolean()
      .default(false)
      .meta({ description: 'Organiser-provided reference system (styled apart on the site).' }),
  })
  .meta({ title: 'Audio encoder leaderboard submission manifest' });

export type SubmissionManifest = z.output<typeof SubmissionManifest>;
export type SubmissionManifestInput = z.input<typeof SubmissionManifest>;

export function isLocalEncoder(source: EncoderSource): source is z.infer<typeof LocalEncoder> {
  return 'file' in source;
}

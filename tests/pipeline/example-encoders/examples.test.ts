import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SubmissionManifest } from '../../../schemas/manifest.ts';
import { checkSubmission } from '../../../pipeline/check/check-submission.ts';
import {
  EXAMPLE_ENCODERS,
  ensureExampleModels,
  exampleFiles,
} from '../../../pipeline/example-encoders/examples.ts';
import { createMemoryLogger } from '../../../pipeline/log.ts';
import { OrtSession } from '../../../pipeline/runtime/ort.ts';
import { sha256Bytes } from '../../../pipeline/util/hash.ts';

const submissionsDir = join(import.meta.dirname, '..', '..', '..', 'submissions');

describe.each(EXAMPLE_ENCODERS.map((example) => [example.slug, example] as const))(
  'example encoder %s',
  (slug, example) => {
    const { model, manifestJson } = exampleFiles(example);
    const manifest = SubmissionManifest.parse(JSON.parse(manifestJson));

    it('regenerates exactly the committed manifest, whose sha256 pins the model bytes', async () => {
      expect(manifestJson).toBe(
        await readFile(join(submissionsDir, slug, 'manifest.json'), 'utf8'),
      );
      expect(sha256Bytes(model)).toBe(
        'file' in manifest.encoder ? manifest.encoder.sha256 : undefined,
      );
    });

    it('returns [B, T, D] with the declared D and about one frame per declared hop', async () => {
      const session = await OrtSession.create(model, { label: slug });
      for (const seconds of [0.1, 1, 3]) {
        const width = Math.round(seconds * manifest.sampleRate);
        const wave = Float32Array.from(
          { length: 2 * width },
          (_, i) => 0.3 * Math.sin(i * 0.07) + 0.01 * Math.cos(i * 1.3),
        );
        const output = (await session.run({ waveform: { data: wave, dims: [2, width] } }))[
          'embeddings'
        ];
        if (!output) {
          throw new Error('no output');
        }
        expect(output.dims[0]).toBe(2);
        expect(output.dims[2]).toBe(manifest.embeddingDim);
        const expectedFrames = (seconds * 1000) / manifest.hopMs;
        expect(Math.abs((output.dims[1] as number) - expectedFrames)).toBeLessThanOrEqual(1.5);
        expect(output.data.every(Number.isFinite)).toBe(true);
      }
      await session.release();
    });
  },
);

describe('the example submissions', () => {
  it('pass every check of the submission checker', { timeout: 120_000 }, async () => {
    await ensureExampleModels(submissionsDir, createMemoryLogger());
    for (const example of EXAMPLE_ENCODERS) {
      const report = await checkSubmission(join(submissionsDir, example.slug), {
        cacheDir: join(submissionsDir, '..', '.cache'),
      });
      expect(
        report.checks.filter((entry) => entry.status === 'fail'),
        example.slug,
      ).toEqual([]);
      expect(report.measurements?.realTimeFactor, example.slug).toBeGreaterThan(10);
    }
  });
});

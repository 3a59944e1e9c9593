import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelCheckRecord } from '../../../schemas/check-report.ts';
import { Efficiency } from '../../../schemas/leaderboard.ts';
import { SubmissionManifest } from '../../../schemas/manifest.ts';
import { efficiencyFile } from '../../../schemas/results-layout.ts';
import { EXAMPLE_ENCODERS, exampleFiles } from '../../../pipeline/example-encoders/examples.ts';
import { OrtSession } from '../../../pipeline/runtime/ort.ts';
import { sha256Bytes } from '../../../pipeline/util/hash.ts';
import { BUDGETS } from '../../support/budgets.ts';
import { demoWorld } from '../../support/demo-world.ts';

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
  // The demo world's evaluation ran the checker's dynamic checks on each example (the gate in
  // front of evaluate) and stored the verdicts; running them a second time here would repeat
  // the same minute of work.
  it(
    'pass every check of the submission checker, and run well above real time',
    async () => {
      const world = await demoWorld();
      const verdicts = await Promise.all(
        (await readdir(join(world.cacheDir, 'checks'))).map(async (name) =>
          ModelCheckRecord.parse(
            JSON.parse(await readFile(join(world.cacheDir, 'checks', name), 'utf8')),
          ),
        ),
      );
      const efficiency = Efficiency.parse(
        JSON.parse(await readFile(efficiencyFile(world.resultsDir), 'utf8')),
      );
      for (const example of EXAMPLE_ENCODERS) {
        const { model } = exampleFiles(example);
        const verdict = verdicts.find((record) => record.modelSha256 === sha256Bytes(model));
        expect(verdict?.checks.length, example.slug).toBeGreaterThan(8);
        expect(
          verdict?.checks.filter((entry) => entry.status === 'fail'),
          example.slug,
        ).toEqual([]);
        const speed = efficiency.submissions.find((entry) => entry.submission === example.slug);
        expect(speed?.realTimeFactor, example.slug).toBeGreaterThan(10);
      }
    },
    BUDGETS.demoWorld,
  );
});

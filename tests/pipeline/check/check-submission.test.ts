import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SubmissionManifestInput } from '../../../schemas/manifest.ts';
import { CheckReport, type CheckItem } from '../../../schemas/check-report.ts';
import { checkSubmission, formatCheckReport } from '../../../pipeline/check/check-submission.ts';
import * as broken from '../../support/broken-encoders.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'check-'));
});

async function check(
  slug: string,
  model: Uint8Array | string,
  overrides = {},
): Promise<CheckReport> {
  const dir = await broken.writeSubmission(root, slug, model, overrides);
  return CheckReport.parse(
    await checkSubmission(dir, { cacheDir: join(root, '.cache'), threads: 1 }),
  );
}

/** The failing checks of a report, as `id: message`. */
function failures(report: CheckReport): string[] {
  return report.checks
    .filter((entry: CheckItem) => entry.status === 'fail')
    .map((entry) => `${entry.id}: ${entry.message}`);
}

describe('checkSubmission on a valid encoder', () => {
  it('passes every check and reports the model and its speed', async () => {
    const report = await check('valid', broken.validLogMel());
    expect(failures(report)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checks.map((entry) => entry.status)).not.toContain('skip');
    expect(report.model?.opset).toBe(21);
    // Every initializer element: DFT basis 402 x 400, filterbank 201 x 64, and the small constants
    // (pads 6, shape 4, two axes lists 1 + 1, log floor 1).
    expect(report.model?.parameters).toBe(402 * 400 + 201 * 64 + 6 + 4 + 1 + 1 + 1);
    expect(report.measurements?.realTimeFactor).toBeGreaterThan(1);
    expect(report.measurements?.peakRssBytes).toBeGreaterThan(0);
    expect(formatCheckReport(report).split('\n').at(-1)).toBe('  all checks passed');
  });
});

// Each check runs a model in a child process.
describe(
  'checkSubmission rejects each broken encoder with its own message',
  { timeout: 120_000 },
  () => {
    it('wrong rank (found by running it)', async () => {
      expect(failures(await check('wrong-rank', broken.wrongRank()))).toMatchInlineSnapshot(`
      [
        "xares-probe: output for [2, 50000] is [2, 64], of rank 2; it must be [batch, frames, D] (rank 3)",
      ]
    `);
    });

    it('wrong rank (declared in the graph)', async () => {
      expect(failures(await check('wrong-rank-declared', broken.wrongRankDeclared())))
        .toMatchInlineSnapshot(`
      [
        "interface: model.onnx: output "embeddings" is float32 of rank 2; the encoder must take one float32 [batch, samples] waveform and return one float32 [batch, frames, D] tensor",
      ]
    `);
    });

    it('wrong D', async () => {
      expect(failures(await check('wrong-dim', broken.validLogMel(), { embeddingDim: 32 })))
        .toMatchInlineSnapshot(`
      [
        "xares-probe: output for [2, 50000] is [2, 313, 64] but the manifest declares embeddingDim 32",
      ]
    `);
    });

    it('NaN output', async () => {
      expect(failures(await check('nan', broken.nanOutput()))).toMatchInlineSnapshot(`
          [
            "silence: digital silence gives 6464 NaN or infinite values; input at 1e-6 gives 6464 NaN or infinite values (1 s alone)",
            "full-scale: full-scale, clipped input (every sample -1 or 1) gives 6464 NaN or infinite values",
            "finite-values: 1279552 output values are NaN or infinite (first on the X-ARES probe)",
          ]
        `);
    });

    it('wrong declared hop (like the Whisper baseline: 10 ms declared for 20 ms frames)', async () => {
      expect(failures(await check('wrong-hop', broken.validLogMel(), { hopMs: 20 })))
        .toMatchInlineSnapshot(`
        [
          "frame-rate: the manifest declares hopMs 20, but the encoder emits one frame every 10.00 ms (fitted over 9 input lengths from 0.1 s to 60 s: frames = samples / 160.0 + 1.0, largest residual 0.6 frames)",
        ]
      `);
    });

    it('non-deterministic output', async () => {
      const report = await check('random', broken.nonDeterministic());
      expect(failures(report)).toHaveLength(1);
      expect(failures(report)[0]).toMatch(
        /^determinism: running the same input twice changes the output by up to \d\.\de-\d$/,
      );
      expect(report.checks.find((entry) => entry.id === 'batch-invariance')?.status).toBe('skip');
    });

    it('failure on a 0.1 s input', async () => {
      const report = await check('short', broken.failsOnShortInput());
      expect(failures(report)).toHaveLength(1);
      expect(failures(report)[0]).toMatch(
        /^short-input: the encoder fails on 0\.1 s of audio \(1600 samples\): model\.onnx: onnxruntime failed while running: /,
      );
    });

    it('an external-data path', async () => {
      expect(failures(await check('external', broken.externalData()))).toMatchInlineSnapshot(`
      [
        "external-data: model.onnx: tensor "mel_filterbank" keeps its data outside the file ("../../etc/passwd"); external data is not accepted",
      ]
    `);
    });

    it('a custom operator domain', async () => {
      expect(failures(await check('domain', broken.customDomain()))).toMatchInlineSnapshot(`
      [
        "operator-domains: model.onnx: node "Identity" (Identity) is in operator domain "com.evil"; only the standard ONNX domains are accepted",
      ]
    `);
    });

    it('a truncated file whose manifest pins its full size', async () => {
      const full = broken.validLogMel();
      const dir = await broken.writeSubmission(root, 'truncated', full);
      await writeFile(join(dir, 'model.onnx'), full.subarray(0, 300000));
      const report = CheckReport.parse(
        await checkSubmission(dir, { cacheDir: join(root, '.cache') }),
      );
      expect(failures(report)).toEqual([
        `model-file: model.onnx has 300000 bytes but the manifest says ${full.byteLength}: the file is truncated or the manifest is out of date`,
      ]);
    });

    it('a truncated file whose manifest was written for the truncated bytes', async () => {
      expect(failures(await check('truncated-pinned', broken.validLogMel().subarray(0, 300000))))
        .toMatchInlineSnapshot(`
      [
        "onnx-format: model.onnx is not a readable ONNX model (index out of range)",
      ]
    `);
    });

    it('a Git LFS pointer committed instead of the model', async () => {
      const pointer =
        'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n';
      expect(failures(await check('lfs', pointer))).toEqual([
        'model-file: model.onnx is a Git LFS pointer (130 bytes), not the model',
      ]);
    });

    it('an opset outside the supported range', async () => {
      expect(failures(await check('opset', broken.oldOpset()))).toEqual([
        'opset: model.onnx uses ONNX opset 3; supported: 7 to 26',
      ]);
    });

    it('a fixed input shape', async () => {
      expect(failures(await check('fixed', broken.fixedInputShape()))).toEqual([
        'interface: model.onnx: input "waveform" has a fixed shape [1, 16000]; batch size and length must be dynamic',
      ]);
    });

    it('a model that differs from the hash in its manifest', async () => {
      const dir = await broken.writeSubmission(root, 'changed', broken.validLogMel());
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
        encoder: { sha256: string };
      };
      manifest.encoder.sha256 = '0'.repeat(64);
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
      const [failure] = failures(
        CheckReport.parse(await checkSubmission(dir, { cacheDir: join(root, '.cache') })),
      );
      expect(failure).toMatch(
        /^model-file: model\.onnx has sha256 [0-9a-f]{64} but the manifest says 0{64}$/,
      );
    });

    it('an invalid manifest, naming every bad field, with the model checked all the same', async () => {
      const report = await check('bad-manifest', broken.validLogMel(), {
        hopMs: 0,
        trainingData: {
          description: 'ok',
          availability: 'yes',
          evaluationOverlap: 'none',
        } as unknown as SubmissionManifestInput['trainingData'],
      });
      expect(failures(report)).toEqual([
        `manifest: ${join(root, 'bad-manifest', 'manifest.json')}: /trainingData/availability: must be "public", "not-public" or "unknown": whether every training dataset is publicly available, as far as you can attest; /hopMs: must be greater than 0 (milliseconds between output frames, for example 40)`,
      ]);
      expect(report.passed).toBe(false);
      // The model's own checks ran, and the one that needed the bad field says what to put there.
      const status = Object.fromEntries(report.checks.map((entry) => [entry.id, entry.status]));
      expect(status).toMatchObject({ 'xares-probe': 'pass', chunking: 'pass', silence: 'pass' });
      expect(report.checks.find((entry) => entry.id === 'frame-rate')?.message).toMatch(
        /^the encoder emits one frame every 10\.00 ms \(fitted over .*\); set hopMs to 10$/,
      );
    });

    it('a manifest with the attestations of an earlier version, saying what replaced them', async () => {
      expect(
        failures(
          await check('old-manifest', broken.validLogMel(), {
            trainingData: {
              description: 'ok',
              publicDataOnly: true,
              excludesEvaluationData: true,
            } as unknown as SubmissionManifestInput['trainingData'],
          }),
        ),
      ).toEqual([
        `manifest: ${join(root, 'old-manifest', 'manifest.json')}: /trainingData/availability: must be "public", "not-public" or "unknown": whether every training dataset is publicly available, as far as you can attest; /trainingData/evaluationOverlap: must be "none", "some" or "unknown": whether training used any evaluation dataset of the suite, as far as you can attest; /trainingData/publicDataOnly: replaced by "availability": "public", "not-public" or "unknown" (what you can attest); /trainingData/excludesEvaluationData: replaced by "evaluationOverlap": "none", "some" or "unknown" (what you can attest)`,
      ]);
    });
  },
);

describe('checkSubmission under a memory limit', { timeout: 120_000 }, () => {
  it('stops the process running the model when it uses more memory than allowed', async () => {
    // Node and onnxruntime alone need more than 40 MiB, so any model crosses this limit.
    const dir = await broken.writeSubmission(root, 'memory-bound', broken.validLogMel());
    const report = CheckReport.parse(
      await checkSubmission(dir, {
        cacheDir: join(root, '.cache'),
        threads: 1,
        memoryBytes: 40 * 2 ** 20,
      }),
    );
    expect(report.passed).toBe(false);
    expect(failures(report)).toEqual([
      expect.stringMatching(
        /^session: the encoder used \d+ MiB of memory while loading, more than the checker's limit of 40 MiB, and was stopped$/,
      ),
    ]);
  });
});

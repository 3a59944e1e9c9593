/**
 * tools/export_onnx.py end to end: three encoders written in the X-ARES template style
 * (tests/fixtures/pytorch-encoders/, random weights) are exported, compared with PyTorch through
 * onnxruntime-node by the tool itself, checked by the leaderboard's checker, and evaluated on the
 * demo suite; and the tool's refusals and size warnings. A soak of `npm run test:slow`: the quick
 * checks of the tool are tests/tools/export-onnx.test.ts.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSubmission } from '../../pipeline/check/check-submission.ts';
import { evaluate } from '../../pipeline/run/loop.ts';
import { readJsonFile } from '../../pipeline/io/files.ts';
import { createMemoryLogger } from '../../pipeline/log.ts';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { leaderboardFile } from '../../schemas/results-layout.ts';
import { SubmissionManifest } from '../../schemas/manifest.ts';
import { BUDGETS } from '../support/budgets.ts';
import { encoders, exportTool, FIELDS, python } from '../support/export-tool.ts';

const TEMPLATES = [
  { slug: 'mel-cnn', file: 'mel_cnn_encoder.py', maxInputSeconds: 10, hopMs: 20 },
  { slug: 'whisper-like', file: 'whisper_like_encoder.py', maxInputSeconds: 30, hopMs: 20 },
  { slug: 'dasheng-like', file: 'dasheng_like_encoder.py', maxInputSeconds: 10, hopMs: 40 },
] as const;

describe.skipIf(python === undefined)(
  'tools/export_onnx.py on three template-style PyTorch encoders',
  { timeout: BUDGETS.pytorchExport },
  () => {
    let work: string;
    const logs = new Map<string, string>();
    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'export-'));
      for (const template of TEMPLATES) {
        const { status, output } = exportTool([
          join(encoders, template.file),
          '--out',
          join(work, 'submissions', template.slug),
          '--name',
          template.slug,
          '--max-input-seconds',
          String(template.maxInputSeconds),
          ...FIELDS,
        ]);
        expect(status, output).toBe(0);
        logs.set(template.slug, output);
      }
    }, BUDGETS.pytorchExport);

    it.each(TEMPLATES)(
      '$slug: exports (STFT front end included) and matches PyTorch at every length',
      ({ slug, maxInputSeconds }) => {
        const log = logs.get(slug) ?? '';
        expect(log).toContain('exported with the torchscript exporter');
        const rows = [
          ...log.matchAll(/^ {2}(.+?) +largest difference (\S+) \((\S+) of the largest value\)$/gm),
        ].map((match) => ({ length: match[1], relative: Number(match[3]) }));
        expect(rows.map((row) => row.length)).toEqual([
          '1 s, batch of 2',
          '10 s',
          ...(maxInputSeconds === 10 ? [] : [`maxInputSeconds (${maxInputSeconds} s)`]),
          'an odd length (2.5 s + 3 samples)',
        ]);
        for (const row of rows) {
          expect(row.relative).toBeLessThan(1e-4);
        }
      },
    );

    it('warns about the length-dependent branch of the chunking ViT, and only there', () => {
      expect(logs.get('dasheng-like')).toMatch(
        /warning: length-dependent code at dasheng_like_encoder\.py:\d+: Converting a tensor to a Python boolean/,
      );
      expect(logs.get('mel-cnn')).not.toContain('length-dependent');
    });

    it('never fills in the attestations, and writes a manifest the checker accepts', async () => {
      for (const template of TEMPLATES) {
        const dir = join(work, 'submissions', template.slug);
        const manifest = SubmissionManifest.parse(
          JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')),
        );
        expect(manifest.trainingData).toMatchObject({
          availability: 'unknown',
          evaluationOverlap: 'unknown',
        });
        expect(manifest.hopMs).toBe(template.hopMs);
        const report = await checkSubmission(dir, { cacheDir: join(work, 'cache') });
        expect(report.checks.filter((entry) => entry.status === 'fail')).toEqual([]);
        expect(report.passed).toBe(true);
      }
      const bare = exportTool([
        join(encoders, 'mel_cnn_encoder.py'),
        '--out',
        join(work, 'bare', 'mel-cnn'),
      ]);
      expect(bare.status).toBe(0);
      const manifest = JSON.parse(
        await readFile(join(work, 'bare', 'mel-cnn', 'manifest.json'), 'utf8'),
      ) as { trainingData: Record<string, string> };
      expect(manifest.trainingData).toEqual({
        description: '',
        availability: '',
        evaluationOverlap: '',
      });
      expect(bare.output).toContain('the tool never fills them in');
    });

    it('refuses an --out folder whose name is not a submission slug, with one that is', () => {
      const { status, output } = exportTool([
        join(encoders, 'mel_cnn_encoder.py'),
        '--out',
        join(work, 'My_Encoder'),
      ]);
      expect(status).not.toBe(0);
      expect(output).toContain(
        `error: --out ${join(work, 'My_Encoder')}: the folder name "My_Encoder" is not a valid submission slug; use lowercase letters, digits and single hyphens, for example --out ${join(work, 'my-encoder')}`,
      );
    });

    it('evaluates all three on the demo suite', async () => {
      const logger = createMemoryLogger();
      await evaluate({
        suiteId: 'demo',
        resultsDir: join(work, 'results'),
        cacheDir: join(work, 'cache'),
        submissionsDir: join(work, 'submissions'),
        replicates: 50,
        logger,
      });
      const leaderboard = await readJsonFile(
        leaderboardFile(join(work, 'results')),
        Leaderboard,
        'leaderboard',
      );
      for (const track of ['A', 'B'] as const) {
        const standings = leaderboard.tracks[track].overall.standings;
        expect(standings.map((standing) => standing.status)).toEqual([
          'ranked',
          'ranked',
          'ranked',
        ]);
        expect(standings.map((standing) => standing.submission).sort()).toEqual([
          'dasheng-like',
          'mel-cnn',
          'whisper-like',
        ]);
      }
    });
  },
);

describe.skipIf(python === undefined)(
  'tools/export_onnx.py on encoders that cannot go through as they are',
  { timeout: BUDGETS.pytorchExport },
  () => {
    let work: string;
    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'export-odd-'));
    });

    it('refuses a graph with no inputs (features computed in numpy), saying why', () => {
      const { status, output } = exportTool([
        join(encoders, 'numpy_features_encoder.py'),
        '--out',
        join(work, 'numpy-features'),
      ]);
      expect(status).not.toBe(0);
      expect(output).toMatch(
        /warning: length-dependent code at numpy_features_encoder\.py:\d+: Converting a tensor to a NumPy array/,
      );
      expect(output).toContain(
        'error: the exported graph has no inputs: forward computed its features outside torch (numpy, librosa, .item(), .tolist())',
      );
    });

    it('warns above 100 MB with the manifest entry for a pinned URL, and --float16 halves the file', async () => {
      const large = exportTool([join(encoders, 'large_encoder.py'), '--out', join(work, 'large')]);
      expect(large.status, large.output).toBe(0);
      const manifest = JSON.parse(await readFile(join(work, 'large', 'manifest.json'), 'utf8')) as {
        encoder: { sha256: string; sizeBytes: number };
      };
      expect(manifest.encoder.sizeBytes).toBeGreaterThan(100e6);
      expect(large.output).toContain(
        `over GitHub's 100 MB file limit, so it cannot be committed: host the file (a release asset or any https server), replace "encoder": {"file": ...} in the manifest with {"url": "https://...", "sha256": "${manifest.encoder.sha256}", "sizeBytes": ${manifest.encoder.sizeBytes}}`,
      );
      const half = exportTool([
        join(encoders, 'large_encoder.py'),
        '--out',
        join(work, 'large-float16'),
        '--float16',
      ]);
      expect(half.status, half.output).toBe(0);
      expect(half.output).not.toContain("over GitHub's 100 MB file limit");
      const halfManifest = JSON.parse(
        await readFile(join(work, 'large-float16', 'manifest.json'), 'utf8'),
      ) as { encoder: { sizeBytes: number } };
      expect(halfManifest.encoder.sizeBytes).toBeLessThan(0.51 * manifest.encoder.sizeBytes);
      // The rounding of the weights shows in the comparison, within the tool's tolerance.
      const relative = [...half.output.matchAll(/\((\S+) of the largest value\)/g)].map((m) =>
        Number(m[1]),
      );
      expect(relative).toHaveLength(3);
      expect(Math.max(...relative)).toBeGreaterThan(1e-5);
      expect(Math.max(...relative)).toBeLessThan(1e-3);
    });
  },
);

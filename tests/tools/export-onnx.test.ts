/**
 * tools/export_onnx.py, quickly: its ONNX-friendly STFT equals torch.stft, and its built-in
 * encoder exports and passes every check. Three template-style encoders exported, compared with
 * PyTorch, checked and evaluated on the demo suite: tests/slow/export-onnx-templates.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSubmission } from '../../pipeline/check/check-submission.ts';
import { BUDGETS } from '../support/budgets.ts';
import { encoders, exportTool, python, root } from '../support/export-tool.ts';

describe.skipIf(python === undefined)("the export tool's ONNX-friendly STFT", () => {
  it(
    'equals torch.stft in every configuration a front end uses',
    { timeout: BUDGETS.pytorchExport },
    () => {
      const done = spawnSync(
        python ?? 'python3',
        [join(encoders, 'check_stft.py'), join(root, 'tools')],
        { encoding: 'utf8', env: { ...process.env, PYTHONWARNINGS: 'ignore' } },
      );
      expect(done.status, done.stderr).toBe(0);
      const worst = Number(/worst relative difference (\S+)/.exec(done.stdout)?.[1]);
      expect(worst).toBeLessThan(1e-5);
    },
  );
});

describe.skipIf(python === undefined)('tools/export_onnx.py --self-test', () => {
  it(
    'exports the built-in encoder, which then passes every check',
    { timeout: BUDGETS.pytorchExport },
    async () => {
      const work = await mkdtemp(join(tmpdir(), 'export-self-'));
      const out = join(work, 'self-test-encoder');
      const { status, output } = exportTool(['--self-test', '--out', out]);
      expect(status, output).toBe(0);
      expect(output).toContain('onnx.checker:');
      const report = await checkSubmission(out, { cacheDir: join(work, 'cache'), threads: 1 });
      expect(report.checks.filter((entry) => entry.status === 'fail')).toEqual([]);
    },
  );
});

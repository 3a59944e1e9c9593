/**
 * tools/export_onnx.py end to end, where a Python with torch and onnx exists (Debian:
 * python3-torch python3-onnx; or $PYTHON): export the self-test encoder, run the leaderboard's
 * checker on the result, and compare onnxruntime-node's output with PyTorch's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSubmission } from '../../pipeline/check/check-submission.ts';
import { OrtSession } from '../../pipeline/runtime/ort.ts';

const root = join(import.meta.dirname, '..', '..');

function pythonWithTorch(): string | undefined {
  const candidates = [process.env['PYTHON'], 'python3', '/usr/bin/python3'].filter(
    (name): name is string => Boolean(name),
  );
  return candidates.find((python) => {
    try {
      execFileSync(python, ['-c', 'import torch, onnx'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
}

const python = pythonWithTorch();
if (!python) {
  process.stderr.write(
    'tools/export_onnx.py test skipped: no Python with torch and onnx (apt-get install python3-torch python3-onnx, or set $PYTHON)\n',
  );
}

interface Reference {
  input: { dims: number[]; data: number[] };
  output: { dims: number[]; data: number[] };
}

describe.skipIf(python === undefined)('tools/export_onnx.py --self-test', () => {
  it(
    'exports an encoder that passes every check and matches PyTorch in onnxruntime-node',
    { timeout: 180_000 },
    async () => {
      const work = await mkdtemp(join(tmpdir(), 'export-'));
      const out = join(work, 'self-test-encoder');
      const log = execFileSync(
        python ?? 'python3',
        [
          join(root, 'tools', 'export_onnx.py'),
          '--self-test',
          '--out',
          out,
          '--reference',
          join(work, 'reference.json'),
        ],
        { encoding: 'utf8' },
      );
      expect(log).toContain('onnx.checker:');

      const report = await checkSubmission(out, { cacheDir: join(work, 'cache'), threads: 1 });
      expect(report.checks.filter((entry) => entry.status === 'fail')).toEqual([]);
      expect(report.passed).toBe(true);

      const reference = JSON.parse(
        await readFile(join(work, 'reference.json'), 'utf8'),
      ) as Reference;
      const session = await OrtSession.create(join(out, 'model.onnx'), {
        label: 'export',
        intraOpThreads: 1,
      });
      const output = (
        await session.run({
          waveform: { data: Float32Array.from(reference.input.data), dims: reference.input.dims },
        })
      )['embeddings'];
      await session.release();
      expect(output?.dims).toEqual(reference.output.dims);
      const scale = Math.max(1, ...reference.output.data.map(Math.abs));
      const worst = Math.max(
        ...reference.output.data.map((value, i) =>
          Math.abs(value - (output?.data[i] ?? Number.NaN)),
        ),
      );
      expect(worst / scale).toBeLessThan(1e-4);
    },
  );
});

/**
 * Running tools/export_onnx.py from the tests, where a Python with torch, torchaudio and onnx
 * exists (Debian: python3-torch python3-torchaudio python3-onnx, which .ci/run installs; or
 * $PYTHON): tests/tools/export-onnx.test.ts and tests/slow/export-onnx-templates.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');
const tool = join(root, 'tools', 'export_onnx.py');
export const encoders = join(root, 'tests', 'fixtures', 'pytorch-encoders');

function pythonWithTorch(): string | undefined {
  const candidates = [process.env['PYTHON'], '/usr/bin/python3', 'python3'].filter(
    (name): name is string => Boolean(name),
  );
  return candidates.find((python) => {
    try {
      execFileSync(python, ['-c', 'import torch, torchaudio, onnx'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
}

export const python = pythonWithTorch();
if (!python) {
  process.stderr.write(
    "\n*** SKIPPED: the export tool's tests: no Python with torch, torchaudio and onnx (apt-get install python3-torch python3-torchaudio python3-onnx, or set $PYTHON); the export tool is untested on this machine ***\n\n",
  );
}

/** Run the tool; returns its output (stdout and stderr) and exit status. */
export function exportTool(args: readonly string[]): { status: number | null; output: string } {
  const done = spawnSync(python ?? 'python3', [tool, ...args], {
    encoding: 'utf8',
    cwd: tmpdir(),
    env: { ...process.env, PYTHONWARNINGS: 'ignore' },
  });
  return { status: done.status, output: `${done.stdout}${done.stderr}` };
}

/** The manifest fields the tool asks for, filled as a team would. */
export const FIELDS = [
  '--team',
  'Template tests',
  '--affiliation',
  'Tests',
  '--version',
  '1',
  '--description',
  'A template-style encoder with random weights.',
  '--license',
  'MIT',
  '--training-data',
  'None: random weights.',
  '--training-data-availability',
  'unknown',
  '--evaluation-overlap',
  'unknown',
];

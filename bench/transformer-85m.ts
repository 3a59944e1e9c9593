/**
 * The bench's 85.5M-parameter transformer (bench/encoders/transformer_85m.py), exported to ONNX
 * by tools/export_onnx.py at run time, and the batch it is timed on: 16 clips of 10 s of
 * seeded noise. Used by the device group (CPU against GPU) and the rehearsal group (its CPU
 * time against the random-transformer example, to extrapolate a rebuild of an 85M model).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OrtSession } from '../pipeline/runtime/ort.ts';
import { SeededRandom } from '../pipeline/util/random.ts';
import { pythonWith } from './peers.ts';

export const TRANSFORMER_85M_SOURCE = resolve(
  import.meta.dirname,
  'encoders',
  'transformer_85m.py',
);
export const TRANSFORMER_85M_LABEL = 'transformer 85.5M';

/** 16 clips of 10 s at 16 kHz: the batch docs/gpu.md's figures are for. */
export const BATCH_CLIPS = 16;
export const BATCH_SECONDS = 10;

/** The exported model's path in `out`, or why it could not be exported here. */
export function exportTransformer85m(
  root: string,
  out: string,
): { model: string; python: string } | { skipped: string } {
  const torch = pythonWith('torch');
  if ('missing' in torch) {
    return { skipped: torch.missing };
  }
  // The export tool writes a submission folder, whose name must be a slug: a temporary folder's
  // random suffix has capitals, so the model goes one level down.
  const folder = join(out, 'transformer-85m');
  const exported = spawnSync(
    torch.python,
    [
      resolve(root, 'tools', 'export_onnx.py'),
      TRANSFORMER_85M_SOURCE,
      '--out',
      folder,
      '--max-input-seconds',
      String(BATCH_SECONDS),
    ],
    { encoding: 'utf8' },
  );
  const model = join(folder, 'model.onnx');
  if (exported.status !== 0 || !existsSync(model)) {
    return { skipped: `export failed: ${exported.stderr.slice(-500)}` };
  }
  return { model, python: torch.python };
}

/** The timed batch for the model at `path`, fed to its first input. */
export async function noiseBatch(
  path: string,
): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const samples = BATCH_SECONDS * 16_000;
  const rng = new SeededRandom(1, 'transformer-bench');
  const input = Float32Array.from({ length: BATCH_CLIPS * samples }, () => 0.1 * rng.normal());
  const probe = await OrtSession.create(path, { label: 'transformer' });
  const inputName = probe.inputNames[0] as string;
  await probe.release();
  return { [inputName]: { data: input, dims: [BATCH_CLIPS, samples] } };
}

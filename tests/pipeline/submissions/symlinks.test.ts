/**
 * A submission's model and folder are plain files and folders inside submissions/: a symbolic
 * link could point anywhere on the runner. The PR guard refuses links in a pull request; check
 * and evaluate refuse them too, for trees that did not come through a pull request.
 */
import { mkdir, mkdtemp, rename, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSubmission } from '../../../pipeline/check/check-submission.ts';
import { PipelineError } from '../../../pipeline/errors.ts';
import { scanSubmissions } from '../../../pipeline/submissions/scan.ts';
import { validLogMel, writeSubmission } from '../../support/broken-encoders.ts';

describe('symbolic links in submissions', { timeout: 120_000 }, () => {
  it('check refuses a model.onnx that is a link to a file outside its folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'links-'));
    const dir = await writeSubmission(join(root, 'submissions'), 'linked-model', validLogMel());
    const outside = join(root, 'elsewhere.onnx');
    await rename(join(dir, 'model.onnx'), outside);
    await symlink(outside, join(dir, 'model.onnx'));
    const report = await checkSubmission(dir, { cacheDir: join(root, 'cache'), threads: 1 });
    const failed = report.checks.filter((item) => item.status === 'fail');
    expect(failed.map((item) => `${item.id}: ${item.message}`)).toEqual([
      `model-file: model.onnx in ${dir} is a symbolic link (to ${outside}); the model must be a regular file inside the submission folder`,
    ]);
    expect(failed[0]?.hint).toMatch(/replace the link with the file itself/);
  });

  it('evaluate (through the scan) refuses a linked model and a linked submission folder, naming each', async () => {
    const root = await mkdtemp(join(tmpdir(), 'links-'));
    const submissions = join(root, 'submissions');
    const dir = await writeSubmission(submissions, 'linked-model', validLogMel());
    const outside = join(root, 'elsewhere.onnx');
    await rename(join(dir, 'model.onnx'), outside);
    await symlink(outside, join(dir, 'model.onnx'));
    const error = await scanSubmissions(submissions, join(root, 'cache')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).message).toContain(
      `model.onnx in ${dir} is a symbolic link (to ${outside})`,
    );

    const other = join(root, 'other');
    await mkdir(other);
    const real = await writeSubmission(other, 'real-folder', validLogMel());
    const clean = join(root, 'clean');
    await mkdir(clean);
    await writeFile(join(clean, 'README.md'), '');
    await symlink(real, join(clean, 'linked-folder'));
    const folderError = await scanSubmissions(clean, join(root, 'cache')).catch((e: unknown) => e);
    expect(folderError).toBeInstanceOf(PipelineError);
    expect((folderError as PipelineError).message).toBe(
      `${join(clean, 'linked-folder')} is a symbolic link (to ${real}), not a submission folder`,
    );
  });
});

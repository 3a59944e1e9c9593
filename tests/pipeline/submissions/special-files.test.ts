/**
 * Issue 27, findings 2 and 8: a manifest.json that is a FIFO hung evaluate beyond the reach of
 * signals, and a 600 MiB or 3 GiB one crashed the whole run with a stack trace. Only regular
 * files of a stated size are read from a submission; each such folder fails alone, with the fix.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES } from '../../../schemas/manifest.ts';
import { checkSubmission } from '../../../pipeline/check/check-submission.ts';
import { scanSubmissionFolders } from '../../../pipeline/submissions/scan.ts';
import { validLogMel, writeSubmission } from '../../support/broken-encoders.ts';

async function fifoFolder(root: string, slug: string): Promise<string> {
  const dir = join(root, slug);
  await mkdir(dir, { recursive: true });
  execFileSync('mkfifo', [join(dir, 'manifest.json')]);
  return dir;
}

async function oversizedFolder(root: string, slug: string, bytes: number): Promise<string> {
  const dir = await writeSubmission(root, slug, validLogMel());
  // Sparse: the size without the disk.
  await truncate(join(dir, 'manifest.json'), bytes);
  return dir;
}

describe('special and oversized files in a submission folder', { timeout: 60_000 }, () => {
  it("evaluate's scan fails a FIFO manifest and an oversized one alone, and loads the good folder", async () => {
    const root = await mkdtemp(join(tmpdir(), 'special-files-'));
    const fifo = await fifoFolder(root, 'fifo-manifest');
    const huge = await oversizedFolder(root, 'huge-manifest', 3 * 1024 ** 3);
    await writeSubmission(root, 'good', validLogMel());
    const { submissions, broken } = await scanSubmissionFolders(root, join(root, '.cache'));
    expect(submissions.map((submission) => submission.slug)).toEqual(['good']);
    expect(broken.map((folder) => [folder.folder, folder.message, folder.hint])).toEqual([
      [
        'fifo-manifest',
        `${join(fifo, 'manifest.json')} is not a regular file (a FIFO)`,
        'replace it with the manifest file itself (copy submissions/_template/manifest.json and fill it in)',
      ],
      [
        'huge-manifest',
        `${join(huge, 'manifest.json')} has ${3 * 1024 ** 3} bytes, more than a manifest may have (${MAX_MANIFEST_BYTES})`,
        'a manifest is a short JSON file (submissions/_template/manifest.json is about 1 KB): put long texts behind a link in /links',
      ],
    ]);
  });

  it('check reports a FIFO manifest as a failed manifest check, with the fix', async () => {
    const root = await mkdtemp(join(tmpdir(), 'special-files-'));
    const fifo = await fifoFolder(root, 'fifo-manifest');
    const report = await checkSubmission(fifo, { cacheDir: join(root, '.cache'), threads: 1 });
    const failed = report.checks.filter((item) => item.status === 'fail');
    expect(failed.map((item) => `${item.id}: ${item.message}`)).toEqual([
      `manifest: ${join(fifo, 'manifest.json')} is not a regular file (a FIFO)`,
    ]);
  });
});

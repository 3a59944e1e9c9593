/**
 * Reading a submission's manifest.json, which a pull request controls: only a regular file,
 * only up to MAX_MANIFEST_BYTES. Opened without following a link and without blocking, so a
 * FIFO or a device can neither hang the run (an `open()` blocked in libuv's thread pool ignores
 * signals) nor be read; its type and size are taken from the open descriptor, not the path.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { MAX_MANIFEST_BYTES } from '../../schemas/manifest.ts';
import { PipelineError } from '../errors.ts';

const TEMPLATE_HINT =
  'replace it with the manifest file itself (copy submissions/_template/manifest.json and fill it in)';

function kindOf(stats: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (stats.isFIFO()) {
    return 'a FIFO';
  }
  if (stats.isSocket()) {
    return 'a socket';
  }
  if (stats.isCharacterDevice() || stats.isBlockDevice()) {
    return 'a device';
  }
  return 'not a file';
}

/** The manifest's text; a PipelineError naming the file and the fix when it cannot be read. */
export async function readManifestText(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      throw new PipelineError('SUBMISSION_INVALID', `${path} is a symbolic link`, {
        hint: TEMPLATE_HINT,
      });
    }
    if (code === 'EISDIR') {
      throw new PipelineError('SUBMISSION_INVALID', `${path} is a folder, not a file`, {
        hint: TEMPLATE_HINT,
      });
    }
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      throw new PipelineError('SUBMISSION_INVALID', `${path} is a folder, not a file`, {
        hint: TEMPLATE_HINT,
      });
    }
    if (!stats.isFile()) {
      throw new PipelineError(
        'SUBMISSION_INVALID',
        `${path} is not a regular file (${kindOf(stats)})`,
        { hint: TEMPLATE_HINT },
      );
    }
    if (stats.size > MAX_MANIFEST_BYTES) {
      throw new PipelineError(
        'SUBMISSION_INVALID',
        `${path} has ${stats.size} bytes, more than a manifest may have (${MAX_MANIFEST_BYTES})`,
        {
          hint: 'a manifest is a short JSON file (submissions/_template/manifest.json is about 1 KB): put long texts behind a link in /links',
        },
      );
    }
    // At most one byte past the limit: a file that grew after the stat is refused all the same.
    const buffer = Buffer.alloc(MAX_MANIFEST_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_MANIFEST_BYTES) {
      throw new PipelineError(
        'SUBMISSION_INVALID',
        `${path} grew past ${MAX_MANIFEST_BYTES} bytes while it was read`,
        { hint: TEMPLATE_HINT },
      );
    }
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await handle.close();
  }
}

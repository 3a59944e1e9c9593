/**
 * Finds the encoder file a manifest names and proves it is the right one: present, not a Git LFS
 * pointer, the declared size, the declared sha256. Remote encoders are downloaded into the model
 * cache first (pinned by size and hash). Shared by the evaluation and the checker.
 */
import { existsSync } from 'node:fs';
import { lstat, open, readlink, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isLocalEncoder, type EncoderSource } from '../../schemas/manifest.ts';
import { downloadPinned } from '../data/download.ts';
import { errorMessage } from '../errors.ts';
import { sha256File } from '../util/hash.ts';

export type ModelFileInspection =
  | {
      readonly ok: true;
      readonly path: string;
      readonly sha256: string;
      readonly sizeBytes: number;
    }
  | { readonly ok: false; readonly message: string; readonly hint: string };

const LFS_POINTER_PREFIX = 'version https://git-lfs.github.com/spec/';

async function startsWithLfsPointer(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(
      Buffer.alloc(LFS_POINTER_PREFIX.length),
      0,
      LFS_POINTER_PREFIX.length,
      0,
    );
    return buffer.subarray(0, bytesRead).toString('latin1') === LFS_POINTER_PREFIX;
  } finally {
    await handle.close();
  }
}

/** Where a remote encoder is cached: content-addressed by its pinned sha256. */
export function cachedModelPath(cacheDir: string, sha256: string): string {
  return join(cacheDir, 'models', `${sha256}.onnx`);
}

export interface InspectOptions {
  readonly cacheDir: string;
  readonly allowLoopbackHttp?: boolean;
  /**
   * The manifest's size and hash are not known yet (the checker on an invalid manifest): only
   * find the file and measure it. Never used to evaluate.
   */
  readonly unpinned?: boolean;
}

export async function inspectModelFile(
  dir: string,
  encoder: EncoderSource,
  options: InspectOptions,
): Promise<ModelFileInspection> {
  let path: string;
  if (isLocalEncoder(encoder)) {
    path = join(dir, encoder.file);
    if (!existsSync(path)) {
      return {
        ok: false,
        message: `${encoder.file} does not exist in ${dir}`,
        hint: 'add the ONNX file to the folder, or fix /encoder/file in the manifest',
      };
    }
    // A link could point anywhere on the runner; the PR guard refuses links, and so does this.
    const entry = await lstat(path);
    if (entry.isSymbolicLink()) {
      return {
        ok: false,
        message: `${encoder.file} in ${dir} is a symbolic link (to ${await readlink(path)}); the model must be a regular file inside the submission folder`,
        hint: `replace the link with the file itself (cp --remove-destination "$(readlink -f ${encoder.file})" ${encoder.file})`,
      };
    }
    if (!entry.isFile()) {
      return {
        ok: false,
        message: `${encoder.file} in ${dir} is not a regular file`,
        hint: 'put the ONNX file itself there',
      };
    }
  } else {
    path = cachedModelPath(options.cacheDir, encoder.sha256);
    try {
      await downloadPinned({
        url: encoder.url,
        sha256: encoder.sha256,
        sizeBytes: encoder.sizeBytes,
        destination: path,
        ...(options.allowLoopbackHttp === undefined
          ? {}
          : { allowLoopbackHttp: options.allowLoopbackHttp }),
      });
    } catch (error) {
      return {
        ok: false,
        message: errorMessage(error),
        hint: 'make the URL serve exactly the file whose sha256 and size the manifest gives',
      };
    }
  }
  const name = isLocalEncoder(encoder) ? encoder.file : basename(encoder.url);
  const size = (await stat(path)).size;
  if (await startsWithLfsPointer(path)) {
    return {
      ok: false,
      message: `${name} is a Git LFS pointer (${size} bytes), not the model`,
      hint: 'this repository does not use Git LFS: commit the .onnx file itself, or host it and give /encoder/url with its sha256 and size',
    };
  }
  const sha256 = await sha256File(path);
  if (options.unpinned === true && isLocalEncoder(encoder)) {
    return { ok: true, path, sha256, sizeBytes: size };
  }
  if (size !== encoder.sizeBytes) {
    return {
      ok: false,
      message: `${name} has ${size} bytes but the manifest says ${encoder.sizeBytes}: the file is truncated or the manifest is out of date`,
      hint: `if the model changed on purpose, set /encoder/sizeBytes to ${size} and /encoder/sha256 to ${sha256}`,
    };
  }
  if (sha256 !== encoder.sha256) {
    return {
      ok: false,
      message: `${name} has sha256 ${sha256} but the manifest says ${encoder.sha256}`,
      hint: `if the model changed on purpose, set /encoder/sha256 to ${sha256}`,
    };
  }
  return { ok: true, path, sha256, sizeBytes: size };
}

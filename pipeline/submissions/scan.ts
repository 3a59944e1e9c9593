/**
 * Discovers `submissions/<slug>/manifest.json`, validates each manifest and checks that the
 * model file it names is present, complete and unchanged.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Slug } from '../../schemas/common.ts';
import { parseJsonText, parseWithFriendlyErrors } from '../../schemas/friendly-errors.ts';
import { isLocalEncoder, SubmissionManifest } from '../../schemas/manifest.ts';
import { PipelineError, UsageError } from '../errors.ts';
import { sha256File } from '../util/hash.ts';

export interface Submission {
  readonly slug: string;
  readonly dir: string;
  readonly manifestPath: string;
  readonly manifest: SubmissionManifest;
  /** Path of the ONNX file on disk (inside the folder, or in the model cache for URLs). */
  readonly modelPath: string;
  readonly modelSha256: string;
}

function submissionError(message: string, hint: string): PipelineError {
  return new PipelineError('SUBMISSION_INVALID', message, { hint });
}

/** Folder names the scanner skips: templates and hidden folders. */
function isIgnored(name: string): boolean {
  return name.startsWith('_') || name.startsWith('.');
}

export async function loadSubmission(dir: string, slug: string): Promise<Submission> {
  const slugCheck = Slug.safeParse(slug);
  if (!slugCheck.success) {
    throw submissionError(
      `${dir}: folder name "${slug}" is not a valid submission slug`,
      'rename the folder to lowercase letters, digits and hyphens, e.g. "my-team-encoder"',
    );
  }
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw submissionError(
      `${dir}: no manifest.json`,
      'copy submissions/_template/manifest.json into the folder and fill it in',
    );
  }
  const manifest = parseWithFriendlyErrors(
    SubmissionManifest,
    parseJsonText(await readFile(manifestPath, 'utf8'), manifestPath),
    manifestPath,
    'submission manifest',
  );
  if (!isLocalEncoder(manifest.encoder)) {
    throw submissionError(
      `${manifestPath}: /encoder/url: remote encoders are fetched by the evaluation workflow, which is not available in this version`,
      'commit the .onnx file in the submission folder and give its name in /encoder/file',
    );
  }
  const modelPath = join(dir, manifest.encoder.file);
  if (!existsSync(modelPath)) {
    throw submissionError(
      `${manifestPath}: /encoder/file: ${modelPath} does not exist`,
      'add the model file to the folder or fix the file name',
    );
  }
  const size = (await stat(modelPath)).size;
  if (size !== manifest.encoder.sizeBytes) {
    throw submissionError(
      `${manifestPath}: /encoder/sizeBytes: the manifest says ${manifest.encoder.sizeBytes} bytes but ${modelPath} has ${size}`,
      size < 1024
        ? 'the file looks like a Git LFS pointer or is truncated; commit the real model bytes'
        : `if the model changed on purpose, set sizeBytes to ${size} and update sha256`,
    );
  }
  const sha256 = await sha256File(modelPath);
  if (sha256 !== manifest.encoder.sha256) {
    throw submissionError(
      `${manifestPath}: /encoder/sha256: the manifest says ${manifest.encoder.sha256} but ${modelPath} hashes to ${sha256}`,
      'if the model changed on purpose, set sha256 to the new value (`sha256sum model.onnx`)',
    );
  }
  return { slug, dir, manifestPath, manifest, modelPath, modelSha256: sha256 };
}

/** Every submission under `root`, sorted by slug. */
export async function scanSubmissions(root: string): Promise<Submission[]> {
  if (!existsSync(root)) {throw new UsageError(`submissions folder ${root} does not exist`);}
  const entries = await readdir(root, { withFileTypes: true });
  const slugs = entries
    .filter((entry) => entry.isDirectory() && !isIgnored(entry.name))
    .map((entry) => entry.name)
    .sort();
  const submissions: Submission[] = [];
  for (const slug of slugs) {submissions.push(await loadSubmission(join(root, slug), slug));}
  return submissions;
}

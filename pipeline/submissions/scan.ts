/**
 * Discovers `submissions/<slug>/manifest.json`, validates each manifest and checks that the
 * model file it names is present, complete and unchanged.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Slug } from '../../schemas/common.ts';
import { parseJsonText, parseWithFriendlyErrors } from '../../schemas/friendly-errors.ts';
import { MANIFEST_RENAMED_FIELDS, SubmissionManifest } from '../../schemas/manifest.ts';
import { PipelineError, UsageError } from '../errors.ts';
import { inspectModelFile } from './model-file.ts';

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

export async function loadSubmission(
  dir: string,
  slug: string,
  cacheDir: string,
): Promise<Submission> {
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
    MANIFEST_RENAMED_FIELDS,
  );
  const model = await inspectModelFile(dir, manifest.encoder, { cacheDir });
  if (!model.ok) {
    throw submissionError(`${manifestPath}: ${model.message}`, model.hint);
  }
  return { slug, dir, manifestPath, manifest, modelPath: model.path, modelSha256: model.sha256 };
}

/** Every submission under `root`, sorted by slug. */
export async function scanSubmissions(root: string, cacheDir: string): Promise<Submission[]> {
  if (!existsSync(root)) {
    throw new UsageError(`submissions folder ${root} does not exist`);
  }
  const entries = await readdir(root, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.isSymbolicLink() && !isIgnored(entry.name)) {
      const path = join(root, entry.name);
      throw submissionError(
        `${path} is a symbolic link (to ${await readlink(path)}), not a submission folder`,
        'put the submission folder itself under submissions/; links could point anywhere on the runner',
      );
    }
  }
  const slugs = entries
    .filter((entry) => entry.isDirectory() && !isIgnored(entry.name))
    .map((entry) => entry.name)
    .sort();
  const submissions: Submission[] = [];
  for (const slug of slugs) {
    submissions.push(await loadSubmission(join(root, slug), slug, cacheDir));
  }
  checkLookalikeTeams(submissions);
  return submissions;
}

/**
 * A name as a reader would take it: NFKC, case-folded, every dash as "-", spaces collapsed.
 * "Team‐A" (U+2010) and "team-a" become the same.
 */
export function comparableName(name: string): string {
  return name
    .normalize('NFKC')
    .toLocaleLowerCase('en')
    .replace(/\p{Pd}/gu, '-')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * One team may send several submissions under the same name, but two different spellings that
 * read the same would let a newcomer pass for an established team.
 */
function checkLookalikeTeams(submissions: readonly Submission[]): void {
  const seen = new Map<string, Submission>();
  for (const submission of submissions) {
    const key = comparableName(submission.manifest.team);
    const earlier = seen.get(key);
    if (earlier && earlier.manifest.team !== submission.manifest.team) {
      throw submissionError(
        `${submission.manifestPath}: team "${submission.manifest.team}" reads the same as "${earlier.manifest.team}" in ${earlier.manifestPath} but is spelled differently`,
        'use exactly the same team name as your earlier submission, or a clearly different one',
      );
    }
    if (!earlier) {
      seen.set(key, submission);
    }
  }
}

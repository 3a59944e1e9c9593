/**
 * Discovers `submissions/<slug>/manifest.json`, validates each manifest and checks that the
 * model file it names is present, complete and unchanged.
 */
import { existsSync } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Slug } from '../../schemas/common.ts';
import {
  parseJsonText,
  parseWithFriendlyErrors,
  SchemaValidationError,
} from '../../schemas/friendly-errors.ts';
import { MANIFEST_RENAMED_FIELDS, SubmissionManifest } from '../../schemas/manifest.ts';
import { PipelineError, UsageError } from '../errors.ts';
import { readManifestText } from './manifest-file.ts';
import {
  LOOKALIKE_HINT,
  MIXED_SCRIPT_HINT,
  lookalikeProblems,
  manifestNameProblems,
  type NamedManifest,
} from './names.ts';
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

/** Whether `path` is a symbolic link (existsSync follows links, so a dangling one is "absent"). */
async function isLink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
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
  if (!existsSync(manifestPath) && !(await isLink(manifestPath))) {
    throw submissionError(
      `${dir}: no manifest.json`,
      'copy submissions/_template/manifest.json into the folder and fill it in',
    );
  }
  const manifest = parseWithFriendlyErrors(
    SubmissionManifest,
    parseJsonText(await readManifestText(manifestPath), manifestPath),
    manifestPath,
    'submission manifest',
    MANIFEST_RENAMED_FIELDS,
  );
  const nameProblems = manifestNameProblems(manifest);
  if (nameProblems.length > 0) {
    throw submissionError(`${manifestPath}: ${nameProblems.join('; ')}`, MIXED_SCRIPT_HINT);
  }
  const model = await inspectModelFile(dir, manifest.encoder, { cacheDir });
  if (!model.ok) {
    throw submissionError(`${manifestPath}: ${model.message}`, model.hint);
  }
  return { slug, dir, manifestPath, manifest, modelPath: model.path, modelSha256: model.sha256 };
}

/** A submission folder that cannot be evaluated, and why (naming the file, the field, the fix). */
export interface BrokenSubmission {
  /** The folder's name (not necessarily a valid slug). */
  readonly folder: string;
  readonly dir: string;
  readonly message: string;
  readonly hint: string | undefined;
}

export interface SubmissionScan {
  /** The usable submissions, sorted by slug. */
  readonly submissions: Submission[];
  /** Folders that fail on their own: their pairs fail, everyone else's run. */
  readonly broken: BrokenSubmission[];
}

function brokenFrom(folder: string, dir: string, error: unknown): BrokenSubmission {
  if (error instanceof PipelineError) {
    return { folder, dir, message: error.message, hint: error.hint };
  }
  if (error instanceof SchemaValidationError) {
    return {
      folder,
      dir,
      message: error.message,
      hint: '`npm run check -- ' + dir + '` lists every problem of the folder',
    };
  }
  throw error;
}

/**
 * Every folder under `root`: the submissions that load, and the folders that do not (a bad slug,
 * no manifest, an invalid one, a missing model, a symbolic link, a look-alike team name), each
 * with its own message. One team's mistake never stops the others' evaluation.
 */
export async function scanSubmissionFolders(
  root: string,
  cacheDir: string,
): Promise<SubmissionScan> {
  if (!existsSync(root)) {
    throw new UsageError(`submissions folder ${root} does not exist`);
  }
  const entries = (await readdir(root, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  const submissions: Submission[] = [];
  const broken: BrokenSubmission[] = [];
  for (const entry of entries) {
    if (isIgnored(entry.name)) {
      continue;
    }
    const dir = join(root, entry.name);
    if (entry.isSymbolicLink()) {
      broken.push({
        folder: entry.name,
        dir,
        message: `${dir} is a symbolic link (to ${await readlink(dir)}), not a submission folder`,
        hint: 'put the submission folder itself under submissions/; links could point anywhere on the runner',
      });
      continue;
    }
    if (!entry.isDirectory()) {
      continue;
    }
    try {
      submissions.push(await loadSubmission(dir, entry.name, cacheDir));
    } catch (error) {
      broken.push(brokenFrom(entry.name, dir, error));
    }
  }
  for (const { submission, message, hint } of lookalikeNames(submissions)) {
    submissions.splice(submissions.indexOf(submission), 1);
    broken.push({ folder: submission.slug, dir: submission.dir, message, hint });
  }
  return { submissions, broken };
}

/**
 * Refuses a scan that found no submission folder at all, unless `allowEmpty`: almost always a
 * wrong folder or a checkout without submissions, not a wish for an empty board. Every command
 * that rebuilds a leaderboard from a scan (`evaluate`, `score`) asks this first.
 */
export function refuseEmptyScan(root: string, scan: SubmissionScan, allowEmpty: boolean): void {
  if (scan.submissions.length === 0 && scan.broken.length === 0 && !allowEmpty) {
    throw new UsageError(
      `${root} holds no submission folders, so the leaderboard would be emptied`,
      'add submissions/<slug>/ with a manifest.json (see submissions/_template/), point LEADERBOARD_SUBMISSIONS_DIR at the right folder, or pass --allow-empty to build a leaderboard without entries',
    );
  }
}

/** Every submission under `root`, sorted by slug; any broken folder is an error. */
export async function scanSubmissions(root: string, cacheDir: string): Promise<Submission[]> {
  const { submissions, broken } = await scanSubmissionFolders(root, cacheDir);
  const [first] = broken;
  if (first) {
    throw submissionError(
      broken.map((folder) => folder.message).join('\n'),
      first.hint ?? 'fix the folder named above',
    );
  }
  return submissions;
}

/**
 * The names shown by the other submission folders beside `dir` (those whose manifests load), for
 * `check` to compare a new folder against every established one, whatever its slug.
 */
export async function neighbourNames(dir: string): Promise<NamedManifest[]> {
  const root = dirname(resolve(dir));
  const own = basename(resolve(dir));
  const named: NamedManifest[] = [];
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (isIgnored(entry.name) || entry.name === own || !entry.isDirectory()) {
      continue;
    }
    const manifestPath = join(root, entry.name, 'manifest.json');
    try {
      const parsed = SubmissionManifest.safeParse(
        parseJsonText(await readManifestText(manifestPath), manifestPath),
      );
      if (parsed.success) {
        named.push({ manifestPath, manifest: parsed.data });
      }
    } catch {
      // A folder without a readable manifest shows no name to be mistaken for.
    }
  }
  return named;
}

/**
 * One team may send several submissions under the same name, but two different spellings that
 * look the same would let a newcomer pass for an established team (or model): the later folder
 * (by slug) is refused.
 */
function lookalikeNames(
  submissions: readonly Submission[],
): { submission: Submission; message: string; hint: string }[] {
  const accepted: Submission[] = [];
  const refused = [];
  for (const submission of submissions) {
    const problems = lookalikeProblems(submission, accepted);
    if (problems.length > 0) {
      refused.push({
        submission,
        message: `${submission.manifestPath}: ${problems.join('; ')}`,
        hint: LOOKALIKE_HINT,
      });
    } else {
      accepted.push(submission);
    }
  }
  return refused;
}

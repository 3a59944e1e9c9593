/**
 * The pull-request path guard: a team's pull request may add, change or remove files only inside
 * its own `submissions/<slug>/`, and only as regular files. Everything else (results/, the
 * pipeline, the workflows, another team's folder, the template) is refused, as are links and
 * submodules, which could point outside the folder.
 *
 * Pull requests by the repository's owners, members and collaborators are maintainer changes:
 * the guard reports them and lets them through; CODEOWNERS review covers those paths.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UsageError } from '../errors.ts';

export interface ChangedPath {
  /** git's status letter: A, M, D, T, R, C. */
  readonly status: string;
  readonly path: string;
  /** The source of a rename or copy. */
  readonly from?: string;
  /** File mode after the change ('000000' when deleted). */
  readonly mode: string;
}

export interface GuardVerdict {
  readonly ok: boolean;
  /** The one submission the pull request changes, when it is a submission pull request. */
  readonly submission: string | null;
  readonly maintainer: boolean;
  readonly problems: readonly string[];
}

const SUBMISSION_PATH = /^submissions\/([a-z0-9][a-z0-9-]{0,62})\/[^/].*$/;
const MAINTAINER_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);
/** git modes of a symbolic link and of a submodule (gitlink). */
const LINK_MODES = new Map([
  ['120000', 'a symbolic link'],
  ['160000', 'a submodule'],
]);

export function guardChangedPaths(
  changes: readonly ChangedPath[],
  authorAssociation = 'NONE',
): GuardVerdict {
  const maintainer = MAINTAINER_ASSOCIATIONS.has(authorAssociation);
  const problems: string[] = [];
  const slugs = new Set<string>();
  for (const change of changes) {
    for (const path of change.from === undefined ? [change.path] : [change.from, change.path]) {
      const slug = SUBMISSION_PATH.exec(path)?.[1];
      if (slug === undefined) {
        problems.push(
          `${path}: outside submissions/<slug>/; a submission may change only its own folder`,
        );
      } else {
        slugs.add(slug);
      }
    }
    const link = LINK_MODES.get(change.mode);
    if (link !== undefined) {
      problems.push(`${change.path}: is ${link}; submissions hold regular files only`);
    }
  }
  if (slugs.size > 1) {
    problems.push(
      `changes ${slugs.size} submissions (${[...slugs].sort().join(', ')}); open one pull request per submission`,
    );
  }
  if (changes.length === 0) {
    problems.push('changes no file');
  }
  const submission = slugs.size === 1 ? ([...slugs][0] ?? null) : null;
  if (maintainer) {
    return {
      ok: true,
      submission: problems.length === 0 ? submission : null,
      maintainer,
      problems,
    };
  }
  return { ok: problems.length === 0, submission, maintainer, problems };
}

/** Parse `git diff --raw -z` output: `:oldmode newmode oldsha newsha status\0path\0[path\0]`. */
export function parseRawDiff(output: string): ChangedPath[] {
  const fields = output.split('\0');
  const changes: ChangedPath[] = [];
  for (let index = 0; index < fields.length;) {
    const header = fields[index] ?? '';
    if (header === '') {
      index += 1;
      continue;
    }
    const match = /^:(\d{6}) (\d{6}) [0-9a-f]+ [0-9a-f]+ ([ACDMRTUX])(\d*)$/.exec(header);
    if (!match) {
      throw new Error(`unexpected line in git diff --raw output: ${JSON.stringify(header)}`);
    }
    const [, , mode = '', status = ''] = match;
    if (status === 'R' || status === 'C') {
      changes.push({ status, from: fields[index + 1] ?? '', path: fields[index + 2] ?? '', mode });
      index += 3;
    } else {
      changes.push({ status, path: fields[index + 1] ?? '', mode });
      index += 2;
    }
  }
  return changes;
}

/** The changes of `head` against its merge base with `base`, as a pull request shows them. */
export async function changedPaths(
  base: string,
  head: string,
  cwd: string,
): Promise<ChangedPath[]> {
  try {
    const { stdout } = await promisify(execFile)(
      'git',
      ['diff', '--raw', '-z', '--no-abbrev', '--find-renames', `${base}...${head}`],
      { cwd, maxBuffer: 64 * 1024 * 1024 },
    );
    return parseRawDiff(stdout);
  } catch (error) {
    throw new UsageError(
      `git diff ${base}...${head} failed: ${error instanceof Error ? error.message : String(error)}`,
      'check out the pull request with its history (actions/checkout with fetch-depth: 0)',
    );
  }
}

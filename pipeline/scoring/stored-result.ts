/**
 * Stored task results: the one place that decides whether a result file can be used, and
 * whether it stands for the inputs of a run. A file that is truncated, breaks its schema, or
 * whose digest does not match its content (a hand edit, a damaged disk) is reported as invalid
 * with the file, the field and the fix; evaluate recomputes such a pair, while score and merge
 * refuse it. Failures of the file system itself (permissions, a folder where the file should be)
 * are errors naming the path and the fix.
 */
import { readFile } from 'node:fs/promises';
import { parseJsonText, parseWithFriendlyErrors } from '../../schemas/friendly-errors.ts';
import { resultIntegrityProblem } from '../../schemas/result-digest.ts';
import { TaskResult } from '../../schemas/result.ts';
import { errorMessage } from '../errors.ts';
import { describeFileSystemError } from '../io/fs-errors.ts';

export type StoredResult =
  | { readonly status: 'missing' }
  | { readonly status: 'ok'; readonly result: TaskResult }
  | { readonly status: 'invalid'; readonly problem: string };

type CheckedText =
  | { readonly status: 'ok'; readonly result: TaskResult }
  | { readonly status: 'unparsable'; readonly problem: string }
  | { readonly status: 'tampered'; readonly problem: string };

async function checkResultText(text: string, path: string): Promise<CheckedText> {
  let result: TaskResult;
  try {
    result = parseWithFriendlyErrors(TaskResult, parseJsonText(text, path), path, 'task result');
  } catch (error) {
    return { status: 'unparsable', problem: errorMessage(error) };
  }
  const problem = await resultIntegrityProblem(result, path);
  return problem === undefined ? { status: 'ok', result } : { status: 'tampered', problem };
}

/**
 * A result's text from somewhere other than the results folder (a shard job's artifact): the
 * same checks as a stored file, with the problem as the schema or digest check words it, since
 * the evaluate rerun that fixes a stored file is not the fix for someone else's file.
 */
export async function parseResultText(
  text: string,
  path: string,
): Promise<Exclude<StoredResult, { status: 'missing' }>> {
  const checked = await checkResultText(text, path);
  return checked.status === 'ok' ? checked : { status: 'invalid', problem: checked.problem };
}

export async function readStoredResult(path: string): Promise<StoredResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return { status: 'missing' };
    }
    if (code === 'EISDIR') {
      return {
        status: 'invalid',
        problem: `${path} is a folder, not a result file: remove it (the pipeline writes the file there)`,
      };
    }
    throw describeFileSystemError(error, 'reading a stored result') ?? error;
  }
  const checked = await checkResultText(text, path);
  switch (checked.status) {
    case 'ok':
      return checked;
    case 'unparsable':
      return {
        status: 'invalid',
        problem: `${checked.problem}\n  (a truncated or damaged file; rerun \`npm run evaluate\`, which recomputes the pair)`,
      };
    case 'tampered':
      return { status: 'invalid', problem: checked.problem };
  }
}

/**
 * The reuse rule: a stored result stands for a run's inputs when it is intact and its
 * fingerprint is the one those inputs give. `expected` is undefined when the inputs are not
 * known yet (a task whose shard hashes the lock file lacks), which never matches.
 */
export function matchesInputs(stored: StoredResult, expected: string | undefined): boolean {
  return stored.status === 'ok' && expected !== undefined && stored.result.fingerprint === expected;
}

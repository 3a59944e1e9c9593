/**
 * Reading a stored task result: the one place that decides whether a result file can be used.
 * A file that is truncated, breaks its schema, or whose digest does not match its content (a
 * hand edit, a damaged disk) is reported as invalid with the file, the field and the fix; evaluate
 * recomputes such a pair, while score and merge refuse it. Failures of the file system itself
 * (permissions, a folder where the file should be) are errors naming the path and the fix.
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
  let result: TaskResult;
  try {
    result = parseWithFriendlyErrors(TaskResult, parseJsonText(text, path), path, 'task result');
  } catch (error) {
    return {
      status: 'invalid',
      problem: `${errorMessage(error)}\n  (a truncated or damaged file; rerun \`npm run evaluate\`, which recomputes the pair)`,
    };
  }
  const problem = await resultIntegrityProblem(result, path);
  return problem === undefined ? { status: 'ok', result } : { status: 'invalid', problem };
}

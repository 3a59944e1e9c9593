/**
 * Editing stored results in tests. `rewriteResult` changes a result and gives it a valid digest
 * again, as a result computed from other inputs (another model, other data) would carry: the
 * checks after the digest (fingerprint, model hash, duplicates) are what such a test is about.
 * A test about hand edits changes the file without it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { formatJson } from '../../schemas/json-text.ts';
import { withDigest } from '../../schemas/result-digest.ts';
import { TaskResult, TaskResultFile } from '../../schemas/result.ts';

export async function rewriteResult(
  path: string,
  edit: (result: Record<string, unknown>) => void,
): Promise<void> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(raw);
  const { digest: _digest, ...content } = TaskResult.parse(raw);
  await writeFile(path, formatJson(TaskResultFile, await withDigest(content)));
}

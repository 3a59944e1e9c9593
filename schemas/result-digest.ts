/**
 * The digest of a task result: sha256 over the result's written text without the digest, so any
 * change to a score, an interval, a replicate or the provenance after the pipeline wrote the file
 * is seen by every reader (evaluate, score, merge and the site build), which refuse the file
 * instead of publishing it. It is an integrity check, not a signature: it catches hand edits and
 * damage; whoever can rewrite a file can also recompute its digest, which review of the results
 * commit (and the organisers' rerun) is there for.
 */
import type { z } from 'zod';
import { formatJson } from './json-text.ts';
import { TaskResultContent, TaskResultFile, type TaskResult } from './result.ts';
import { pairOfResultFile } from './results-layout.ts';

/**
 * The digest the content of `result` gives. Web Crypto, present in Node and in browsers alike,
 * keeps schemas/ free of imports other than zod.
 */
export async function resultDigest(result: TaskResultContent): Promise<string> {
  const bytes = new TextEncoder().encode(formatJson(TaskResultContent, result));
  const hash = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  return Array.from(hash, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A result ready to be written, its digest computed from its content. */
export async function withDigest(
  content: TaskResultContent,
): Promise<z.output<typeof TaskResultFile>> {
  const parsed = TaskResultContent.parse(content);
  return { ...parsed, digest: await resultDigest(parsed) };
}

const mean = (values: readonly number[]) =>
  values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * The fields of a result whose values contradict the rest of the file, as JSON pointers: a
 * track's score must be the mean of its fold scores. An edit that keeps the file consistent is
 * still caught by the digest; this only says where to look.
 */
function contradictions(result: TaskResult): string[] {
  const pointers: string[] = [];
  for (const [name, track] of [
    ['trackA', result.trackA],
    ['trackB', result.trackB],
  ] as const) {
    if (track === null) {
      continue;
    }
    const folds = mean(track.folds.map((fold) => fold.score));
    if (Math.abs(folds - track.score) > 2e-6) {
      pointers.push(
        `/${name}/score is ${track.score}, but the mean of /${name}/folds is ${Number(folds.toFixed(6))}`,
      );
    }
  }
  return pointers;
}

/**
 * Why the result stored in `file` must not be used (its digest is missing or does not match its
 * content), naming the file, the field and the fix; undefined when it is intact.
 */
/**
 * Whether a result lies where its own `submission` and `task` say (`runs/<submission>/<task>.json`):
 * a file copied over another pair's keeps a valid digest, and would otherwise turn that pair
 * into "pending" without a word. Paths outside that layout are not judged here.
 */
function resultLocationProblem(result: TaskResult, file: string): string | undefined {
  const place = pairOfResultFile(file);
  if (!place) {
    return undefined;
  }
  const { submission, task } = place;
  const fix = `move it back to runs/${result.submission}/${result.task}.json, or delete it and rerun \`npm run evaluate\`, which recomputes the pair`;
  if (submission !== result.submission) {
    return `${file}: /submission is "${result.submission}", but the file is in runs/${submission}/: a result copied or moved to another pair's place is not used; ${fix}`;
  }
  if (task !== result.task) {
    return `${file}: /task is "${result.task}", but the file is named ${task}.json: a result copied or moved to another pair's place is not used; ${fix}`;
  }
  return undefined;
}

export async function resultIntegrityProblem(
  result: TaskResult,
  file: string,
): Promise<string | undefined> {
  const misplaced = resultLocationProblem(result, file);
  if (misplaced !== undefined) {
    return misplaced;
  }
  const fix = 'rerun `npm run evaluate`, which recomputes the pair; never edit a result by hand';
  if (result.digest === null) {
    return `${file}: /digest is missing: the file was written before results carried digests (schema version 2 or older), so its scores cannot be verified; ${fix}`;
  }
  const { digest, ...content } = result;
  if ((await resultDigest(content)) === digest) {
    return undefined;
  }
  const where = contradictions(result);
  return `${file}: ${where.length > 0 ? where.join('; ') : '/digest does not match the rest of the file'}: the file was changed after the pipeline wrote it (edited by hand, or damaged), so its scores are not used; ${fix}`;
}

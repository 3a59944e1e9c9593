/**
 * Provenance binding at site build: leaderboard.json must be exactly what scoring the stored
 * results gives, and every stored result must be what the pipeline wrote (its digest). Every result must belong to the model its submission declares, every result
 * must be shown, and every track (scores, averages, intervals, ranks, rankings, fronts) is
 * recomputed from the results with the same code the pipeline used and compared as text. A
 * hand-edited, stale or half-written leaderboard, or a result left over from an earlier model,
 * fails the build with the file and the JSON pointer instead of being published.
 */
import { formatJson } from './json-text.ts';
import { LeaderboardTrack, type Leaderboard } from './leaderboard.ts';
import type { StatusFile } from './status.ts';
import type { TaskResult } from './result.ts';
import { resultIntegrityProblem } from './result-digest.ts';
import { buildTrack } from './scoring.ts';

export interface StoredRun {
  readonly file: string;
  readonly result: TaskResult;
}

/** JSON pointers where two values differ, depth first, at most `limit`. */
function differences(
  stored: unknown,
  computed: unknown,
  pointer: string,
  limit: number,
  out: { pointer: string; stored: unknown; computed: unknown }[] = [],
): { pointer: string; stored: unknown; computed: unknown }[] {
  if (out.length >= limit) {
    return out;
  }
  const bothObjects =
    stored !== null &&
    computed !== null &&
    typeof stored === 'object' &&
    typeof computed === 'object' &&
    Array.isArray(stored) === Array.isArray(computed);
  if (!bothObjects) {
    if (JSON.stringify(stored) !== JSON.stringify(computed)) {
      out.push({ pointer, stored, computed });
    }
    return out;
  }
  const keys = new Set([...Object.keys(stored), ...Object.keys(computed)]);
  for (const key of keys) {
    differences(
      (stored as Record<string, unknown>)[key],
      (computed as Record<string, unknown>)[key],
      `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
      limit,
      out,
    );
  }
  return out;
}

const shown = (value: unknown) =>
  value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 80);

export async function crossCheckLeaderboard(
  leaderboard: Leaderboard,
  leaderboardFile: string,
  runs: readonly StoredRun[],
): Promise<string[]> {
  const problems: string[] = [];
  const tampered: string[] = [];
  const submissions = new Map(leaderboard.submissions.map((entry) => [entry.slug, entry]));
  const tasks = new Map(leaderboard.tasks.map((task) => [task.id, task]));
  const backing = new Map<string, TaskResult>();
  for (const run of runs) {
    const integrity = await resultIntegrityProblem(run.result, run.file);
    if (integrity !== undefined) {
      tampered.push(integrity);
      continue;
    }
    const submission = submissions.get(run.result.submission);
    if (!submission) {
      problems.push(
        `${run.file}: a result of "${run.result.submission}", which ${leaderboardFile} does not list: the leaderboard is stale; rebuild it with \`npm run pipeline -- score\``,
      );
      continue;
    }
    if (run.result.provenance.modelSha256 !== submission.modelSha256) {
      problems.push(
        `${run.file}: /provenance/modelSha256 is ${run.result.provenance.modelSha256.slice(0, 12)}…, not the sha256 of ${submission.slug}'s model (${submission.modelSha256.slice(0, 12)}…): the result is stale or edited; re-run \`npm run evaluate\``,
      );
      continue;
    }
    if (!tasks.has(run.result.task)) {
      continue;
    }
    backing.set(`${run.result.submission}/${run.result.task}`, run.result);
  }
  if (tampered.length > 0) {
    // A changed result is the cause; every average and rank it moved would only repeat it.
    return [...tampered, ...problems];
  }
  const parameters = new Map(
    leaderboard.submissions.flatMap((entry) =>
      entry.parameters === null ? [] : [[entry.slug, entry.parameters] as const],
    ),
  );
  for (const id of ['A', 'B'] as const) {
    const stored = leaderboard.tracks[id];
    const computed = buildTrack({
      track: id,
      title: stored.title,
      tasks: stored.tasks.flatMap((task) => {
        const found = tasks.get(task);
        return found ? [found] : [];
      }),
      submissions: leaderboard.submissions.map((entry) => entry.slug),
      outcome: (slug, task) => {
        const result = backing.get(`${slug}/${task}`);
        return (id === 'A' ? result?.trackA : result?.trackB) ?? null;
      },
      parameters,
    });
    // Compared in the text form both were written in, so rounding cannot hide or fake a change.
    const asStored = JSON.parse(formatJson(LeaderboardTrack, stored)) as unknown;
    const asComputed = JSON.parse(formatJson(LeaderboardTrack, computed)) as unknown;
    for (const difference of differences(asStored, asComputed, `/tracks/${id}`, 10)) {
      problems.push(
        `${leaderboardFile}: ${difference.pointer}: the file has ${shown(difference.stored)}, the stored results give ${shown(difference.computed)}`,
      );
    }
  }
  return problems;
}

/**
 * status.json must say "done" for exactly the pairs whose results back the leaderboard: a run
 * killed between writing leaderboard.json and status.json left a status page that contradicted
 * the tables.
 */
export function crossCheckStatus(
  status: StatusFile,
  statusFile: string,
  leaderboard: Leaderboard,
  runs: readonly StoredRun[],
): string[] {
  const models = new Map(leaderboard.submissions.map((entry) => [entry.slug, entry.modelSha256]));
  const tasks = new Set(leaderboard.tasks.map((task) => task.id));
  const backed = new Set(
    runs
      .filter(
        (run) =>
          models.get(run.result.submission) === run.result.provenance.modelSha256 &&
          tasks.has(run.result.task),
      )
      .map((run) => `${run.result.submission} x ${run.result.task}`),
  );
  const done = new Set(
    status.pairs
      .filter((pair) => pair.state === 'done')
      .map((pair) => `${pair.submission} x ${pair.task}`),
  );
  const fix = 'the file is stale; rebuild it with `npm run pipeline -- score`';
  return [
    ...[...done]
      .filter((pair) => !backed.has(pair))
      .map(
        (pair) =>
          `${statusFile}: ${pair} is "done", but no result of it backs the leaderboard: ${fix}`,
      ),
    ...[...backed]
      .filter((pair) => !done.has(pair))
      .map(
        (pair) => `${statusFile}: ${pair} has a result, but the file does not say "done": ${fix}`,
      ),
  ];
}

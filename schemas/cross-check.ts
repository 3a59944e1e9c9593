/**
 * Provenance binding at site build: the leaderboard must agree with the per-task results it was
 * built from, and every result must belong to the model the submission declares. A hand-edited
 * leaderboard or result, or a result left over from an earlier model, fails the build with the
 * file and the field instead of being published.
 */
import type { Leaderboard } from './leaderboard.ts';
import type { TaskResult } from './result.ts';
import { weightedAverage } from './scoring.ts';

export interface StoredRun {
  readonly file: string;
  readonly result: TaskResult;
}

/** Stored values are rounded to 6 decimals; anything further apart was not computed together. */
const TOLERANCE = 1.5e-6;

export function crossCheckLeaderboard(
  leaderboard: Leaderboard,
  leaderboardFile: string,
  runs: readonly StoredRun[],
): string[] {
  const problems: string[] = [];
  const submissions = new Map(leaderboard.submissions.map((entry) => [entry.slug, entry]));
  const backing = new Map<string, StoredRun>();
  for (const run of runs) {
    const submission = submissions.get(run.result.submission);
    if (!submission) {
      continue;
    }
    if (run.result.provenance.modelSha256 !== submission.modelSha256) {
      problems.push(
        `${run.file}: /provenance/modelSha256 is ${run.result.provenance.modelSha256.slice(0, 12)}…, not the sha256 of ${submission.slug}'s model (${submission.modelSha256.slice(0, 12)}…): the result is stale or edited; re-run \`npm run evaluate\``,
      );
      continue;
    }
    backing.set(`${run.result.submission}/${run.result.task}`, run);
  }
  const weights = new Map(leaderboard.tasks.map((task) => [task.id, task.weight]));
  for (const id of ['A', 'B'] as const) {
    const track = leaderboard.tracks[id];
    track.rows.forEach((row, index) => {
      const pointer = `${leaderboardFile}: /tracks/${id}/rows/${index}`;
      for (const task of track.tasks) {
        const shown = row.scores[task] ?? null;
        if (shown === null) {
          continue;
        }
        const run = backing.get(`${row.submission}/${task}`);
        const stored = id === 'A' ? run?.result.trackA.score : run?.result.trackB?.score;
        if (run === undefined || stored === undefined) {
          problems.push(
            `${pointer}/scores/${task}: ${shown} is not backed by a result of ${row.submission}'s current model`,
          );
        } else if (Math.abs(stored - shown) > TOLERANCE) {
          problems.push(`${pointer}/scores/${task}: ${shown}, but ${run.file} has ${stored}`);
        }
      }
      const average = weightedAverage(
        track.tasks.map((task) => ({
          score: row.scores[task] ?? null,
          weight: weights.get(task) ?? 0,
        })),
      );
      if (average !== null && Math.abs(average - row.average) > TOLERANCE) {
        problems.push(
          `${pointer}/average: ${row.average}, but the weighted average of its task scores is ${average.toFixed(6)}`,
        );
      }
    });
  }
  return problems;
}

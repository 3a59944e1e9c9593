/**
 * The demo results as one reviewable table, for a golden file: per protocol, submission and task,
 * both tracks' scores with their intervals and per-fold scores, and the sha256 of the whole result
 * (bootstrap replicates, sample counts, provenance) so that no byte can change unseen. The
 * pipeline's commit and the digest that covers it are left out of the hash: they change with
 * every commit while the results do not.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ProtocolName } from '../../schemas/protocols.ts';
import { TaskResult, type TrackAResult, type TrackBResult } from '../../schemas/result.ts';
import { protocolResultsDir, resultFile } from '../../schemas/results-layout.ts';
import { getSuite, suiteTasks } from '../../pipeline/suites/index.ts';

function track(result: TrackAResult | TrackBResult | null): string {
  if (result === null) {
    return '-';
  }
  const interval = result.interval ? `[${result.interval.low}, ${result.interval.high}]` : '';
  const folds = result.folds.map((fold) => fold.score).join(' ');
  return `${result.score} ${interval} folds ${folds}`;
}

/** Result content that does not depend on which commit of the pipeline computed it. */
export function commitFreeResult(text: string): string {
  const result = JSON.parse(text) as { digest?: unknown; provenance: Record<string, unknown> };
  delete result.digest;
  delete result.provenance['pipelineCommit'];
  return JSON.stringify(result);
}

/**
 * The table for `slugs` on the demo tasks each protocol was evaluated on: `tasks` gives a
 * protocol's task ids when not every demo task (the demo world runs X-ARES on one).
 */
export async function demoScoresTable(
  resultsDir: string,
  slugs: readonly string[],
  tasks: Partial<Record<ProtocolName, readonly string[]>> = {},
): Promise<string> {
  const lines = ['protocol\tsubmission\ttask\ttrack A\ttrack B\tsha256 without commit'];
  for (const protocol of ProtocolName.options) {
    const dir = protocolResultsDir(resultsDir, protocol);
    const wanted = tasks[protocol];
    const protocolTasks = suiteTasks(getSuite('demo')).filter(
      (task) => wanted === undefined || wanted.includes(task.id),
    );
    for (const slug of slugs) {
      for (const task of protocolTasks) {
        const text = await readFile(resultFile(dir, slug, task.id), 'utf8');
        const result = TaskResult.parse(JSON.parse(text));
        const hash = createHash('sha256').update(commitFreeResult(text)).digest('hex');
        lines.push(
          [protocol, slug, task.id, track(result.trackA), track(result.trackB), hash].join('\t'),
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Where results live, shared by the pipeline (which writes them) and the site (which reads them):
 *
 *   results/<suite>/leaderboard.json                           scores, intervals, ranks (deterministic)
 *   results/<suite>/efficiency.json                            speed and memory per submission
 *   results/<suite>/runs/<submission>/<task>.json               deterministic scores + provenance
 *   results/<suite>/runs/<submission>/<task>.measurements.json  timings, memory, host
 *   results/<suite>/runs/<submission>/<task>.failure.json       the last failed attempt, if any
 *   results/<suite>/status.json                                every pair: done, pending, failed, skipped
 *   results/<suite>/protocols/<protocol>/...                   the same for another protocol
 *
 * The default protocol's results sit at the top of the suite's folder; every other protocol
 * (`--protocol xares-0.1.3`) has a folder of its own with the same layout, so results of
 * different protocols can never be mixed or overwrite each other.
 *
 * Which suite's folder, and whether it is overridden, comes from the environment
 * (schemas/environment.ts).
 */

import { DEFAULT_PROTOCOL, ProtocolName } from './protocols.ts';

/** The results folder of `protocol` within a suite's results folder. */
export function protocolResultsDir(resultsDir: string, protocol: ProtocolName): string {
  return protocol === DEFAULT_PROTOCOL ? resultsDir : `${resultsDir}/protocols/${protocol}`;
}

/** The protocols other than the default, whose folders sit under `protocols/`. */
export const OTHER_PROTOCOLS = ProtocolName.options.filter(
  (protocol) => protocol !== DEFAULT_PROTOCOL,
);

export function leaderboardFile(resultsDir: string): string {
  return `${resultsDir}/leaderboard.json`;
}

export function efficiencyFile(resultsDir: string): string {
  return `${resultsDir}/efficiency.json`;
}

export function runsDir(resultsDir: string): string {
  return `${resultsDir}/runs`;
}

export function resultFile(resultsDir: string, submission: string, task: string): string {
  return `${runsDir(resultsDir)}/${submission}/${task}.json`;
}

export function statusFile(resultsDir: string): string {
  return `${resultsDir}/status.json`;
}

export function failureFile(resultsDir: string, submission: string, task: string): string {
  return `${runsDir(resultsDir)}/${submission}/${task}.failure.json`;
}

/** Whether a file name in a `runs/<submission>/` folder is a task result (`<task>.json`). */
export function isResultFileName(name: string): boolean {
  return (
    name.endsWith('.json') &&
    !name.endsWith('.measurements.json') &&
    !name.endsWith('.failure.json')
  );
}

export function measurementsFile(resultsDir: string, submission: string, task: string): string {
  return `${runsDir(resultsDir)}/${submission}/${task}.measurements.json`;
}

/**
 * The pair a result file's place names (`runs/<submission>/<task>.json`, the inverse of
 * `resultFile`), or undefined for a path outside that layout.
 */
export function pairOfResultFile(file: string): { submission: string; task: string } | undefined {
  const match = /(?:^|[\\/])runs[\\/]([^\\/]+)[\\/]([^\\/]+)\.json$/.exec(file);
  const [, submission, task] = match ?? [];
  return submission === undefined || task === undefined || !isResultFileName(`${task}.json`)
    ? undefined
    : { submission, task };
}

/**
 * What failed in a run and whose fault it was: each failed (submission, task) is logged, written
 * beside its result for the status page, and summed up in the error that ends the run.
 */
import { failureFile } from '../../schemas/results-layout.ts';
import { FailureRecord, STATUS_SCHEMA_VERSION, type FailureCause } from '../../schemas/status.ts';
import {
  DataError,
  DiskFullError,
  EncoderError,
  EnvironmentError,
  PipelineError,
} from '../errors.ts';
import { writeJsonAtomic } from '../io/files.ts';
import type { Logger } from '../log.ts';
import type { BrokenSubmission } from '../submissions/scan.ts';
import type { WorkItem } from './plan.ts';

/** A (submission, task) that could not be evaluated, and whose fault it was. */
export interface FailedPair {
  readonly id: string;
  readonly message: string;
  /**
   * "data": the task's shards or their location; "submission": the model; "environment": the
   * machine (a process killed from outside, a full disk), for the next run to retry.
   */
  readonly cause: FailureCause;
}

/**
 * Whose fault an error of a pair's evaluation is, or undefined for an error that is nobody's
 * pair alone (a bug, an interruption), which ends the run instead.
 */
export function failureCause(error: unknown): FailureCause | undefined {
  if (error instanceof DataError) {
    return 'data';
  }
  if (error instanceof DiskFullError) {
    // Every pair after it would fail the same way: the run stops (evaluate in loop.ts).
    return undefined;
  }
  if (error instanceof EnvironmentError) {
    return 'environment';
  }
  if (error instanceof EncoderError) {
    return 'submission';
  }
  return undefined;
}

/** The failures of one run, in the order they happened. */
export class RunFailures {
  readonly #protocolDir: string;
  readonly #logger: Logger;
  readonly pairs: FailedPair[] = [];
  /** Folders that could not be loaded: none of their pairs ran. */
  readonly folders: BrokenSubmission[] = [];

  constructor(protocolDir: string, logger: Logger) {
    this.#protocolDir = protocolDir;
    this.#logger = logger;
  }

  /** A folder that cannot be loaded: logged with its fix, and summed apart from failed pairs. */
  brokenFolder(folder: BrokenSubmission): void {
    this.folders.push(folder);
    this.#logger.error(`${folder.message}${folder.hint ? `\n  ${folder.hint}` : ''}`);
  }

  /** Record a failed pair, in the log and (for the status page) beside its result. */
  async pair(item: WorkItem, pair: FailedPair, hint: string | undefined): Promise<void> {
    this.pairs.push(pair);
    this.#logger.error(`${pair.id}: ${pair.message}${hint ? `\n  ${hint}` : ''}`);
    await writeJsonAtomic(
      failureFile(this.#protocolDir, item.submission.slug, item.task.id),
      FailureRecord,
      {
        schemaVersion: STATUS_SCHEMA_VERSION,
        submission: item.submission.slug,
        task: item.task.id,
        modelSha256: item.submission.modelSha256,
        failedAt: new Date().toISOString(),
        cause: pair.cause,
        message: pair.message.slice(0, 4000),
      },
    );
  }
}

/** The error that ends a run with failures: what failed, grouped by cause, and what to do. */
export function failureSummary(
  failed: readonly FailedPair[],
  folders: readonly Pick<BrokenSubmission, 'folder'>[] = [],
): PipelineError {
  const data = failed.filter((pair) => pair.cause === 'data');
  const submissions = failed.filter((pair) => pair.cause === 'submission');
  const machine = failed.filter((pair) => pair.cause === 'environment');
  const plural = (count: number) => `${count} (submission, task) pair${count === 1 ? '' : 's'}`;
  const ids = (pairs: readonly FailedPair[]) => pairs.map((pair) => pair.id).join(', ');
  const parts = [
    folders.length > 0
      ? `${folders.length} submission folder${folders.length === 1 ? '' : 's'} could not be loaded, so none of ${folders.length === 1 ? 'its' : 'their'} pairs ran: ${folders.map((folder) => folder.folder).join(', ')}`
      : '',
    data.length > 0
      ? `${plural(data.length)} failed on ${data.length === 1 ? 'its' : 'their'} data: ${ids(data)}`
      : '',
    submissions.length > 0
      ? `${plural(submissions.length)} failed in the submission's model: ${ids(submissions)}`
      : '',
    machine.length > 0
      ? `${plural(machine.length)} failed on this machine (a process killed from outside, the disk): ${ids(machine)}`
      : '',
  ].filter((part) => part !== '');
  const fixes = [
    folders.length > 0
      ? 'fix the folders named above (`npm run check -- submissions/<folder>` lists every problem of one)'
      : '',
    data.length > 0 ? 'fix the data named above (shard files, their location, the lock file)' : '',
    submissions.length > 0 ? 'fix the submissions named above (`npm run check` says how)' : '',
    machine.length > 0
      ? 'for the pairs that failed on this machine, nothing needs fixing in the submissions or the data: see the reason given with each (memory, disk space)'
      : '',
  ].filter((fix) => fix !== '');
  return new PipelineError(
    folders.length > 0
      ? 'SUBMISSION_INVALID'
      : submissions.length > 0
        ? 'ENCODER_FAILED'
        : data.length > 0
          ? 'DATA_INVALID'
          : 'ENVIRONMENT',
    parts.join('; '),
    {
      hint: `every other result was written; ${fixes.join(' and ')}, then run evaluate again (finished work is reused)`,
    },
  );
}

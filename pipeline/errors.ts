/**
 * Typed errors with stable codes. Everything the pipeline throws on purpose is a PipelineError;
 * the CLI prints its message and hint and exits non-zero, and any other error is a bug.
 */

export type ErrorCode =
  | 'USAGE'
  | 'SUBMISSION_INVALID'
  | 'TASK_INVALID'
  | 'DATA_INVALID'
  | 'DATA_MISSING'
  | 'ENCODER_FAILED'
  | 'RESULT_INVALID'
  | 'ENVIRONMENT'
  | 'INTERRUPTED';

export class PipelineError extends Error {
  readonly code: ErrorCode;
  /** What the user should do about it. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PipelineError';
    this.code = code;
    this.hint = options.hint;
  }
}

export class UsageError extends PipelineError {
  constructor(message: string, hint?: string) {
    super('USAGE', message, hint === undefined ? {} : { hint });
    this.name = 'UsageError';
  }
}

/** A shard or sample that cannot be read as the task declares. Names the shard and the key. */
export class DataError extends PipelineError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('DATA_INVALID', message, options);
    this.name = 'DataError';
  }
}

export class EncoderError extends PipelineError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('ENCODER_FAILED', message, options);
    this.name = 'EncoderError';
  }
}

/**
 * A failure of the machine, not of a submission or the data: a process killed from outside,
 * a full disk. The pair is failed and retried by the next run; nobody's model is blamed.
 */
export class EnvironmentError extends PipelineError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('ENVIRONMENT', message, options);
    this.name = 'EnvironmentError';
  }
}

/**
 * The disk is full (or the quota used up): not one pair's failure, since every next write would
 * fail the same way, so a run stops at once (keeping what it wrote) instead of going past it.
 */
export class DiskFullError extends EnvironmentError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'DiskFullError';
  }
}

/**
 * The run was asked to stop (SIGINT, SIGTERM; SIGPIPE and SIGHUP stand for its output or its
 * terminal closing): not a failure of anything.
 */
export class InterruptedError extends PipelineError {
  readonly signal: 'SIGINT' | 'SIGTERM' | 'SIGPIPE' | 'SIGHUP';

  constructor(signal: 'SIGINT' | 'SIGTERM' | 'SIGPIPE' | 'SIGHUP', why?: string) {
    super('INTERRUPTED', `interrupted by ${signal}${why ? ` (${why})` : ''}`);
    this.name = 'InterruptedError';
    this.signal = signal;
  }
}

/**
 * Whether `error` is a failed evaluation (of a pair's data, model or machine), which a run
 * records and goes past, rather than a usage error, an interruption, a full disk or a bug, which
 * stop it.
 */
export function isEvaluationFailure(error: unknown): error is PipelineError {
  return (
    error instanceof PipelineError &&
    error.code !== 'USAGE' &&
    error.code !== 'INTERRUPTED' &&
    !(error instanceof DiskFullError)
  );
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

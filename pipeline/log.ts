/**
 * The pipeline's only writer to the terminal. Messages go to stderr so stdout stays free for
 * machine-readable output (`plan`, `--json`). Four formats:
 * - "tty": on an interactive terminal, long stages draw a progress bar with an ETA;
 * - "plain": elsewhere (pipes, tests), one line when a stage starts and ends, and a progress line
 *   with an ETA at most every 30 seconds in between;
 * - "github": plain, plus GitHub Actions annotations for warnings and errors and a collapsible
 *   group per (submission, task);
 * - "json": one JSON object per line, for log collectors.
 * The default is "github" under GitHub Actions, "tty" on a terminal, "plain" otherwise.
 */

export const LOG_FORMATS = ['tty', 'plain', 'github', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface Progress {
  /** Advance by `amount` items (default 1). */
  tick(amount?: number): void;
  /** Finish, printing a summary line with `detail`. */
  done(detail?: string): void;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  progress(label: string, total: number): Progress;
  /** Start a named section of the log; call the returned function to end it. */
  group(title: string): () => void;
}

export interface LoggerOptions {
  /** Where text goes; defaults to process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  format?: LogFormat | undefined;
  /** Suppress info lines and progress. Warnings and errors are always printed. */
  quiet?: boolean;
  now?: () => number;
  environment?: Readonly<Record<string, string | undefined>>;
}

/** Seconds between progress lines when no bar can be drawn. */
const PLAIN_PROGRESS_INTERVAL_SECONDS = 30;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    return '?';
  }
  if (seconds < 10) {
    return `${seconds.toFixed(1)} s`;
  }
  if (seconds < 120) {
    return `${Math.round(seconds)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return `${minutes} min ${rest.toString().padStart(2, '0')} s`;
}

export function defaultLogFormat(
  stream: { isTTY?: boolean },
  environment: Readonly<Record<string, string | undefined>>,
): LogFormat {
  if (environment['GITHUB_ACTIONS'] === 'true') {
    return 'github';
  }
  return stream.isTTY === true && !environment['CI'] ? 'tty' : 'plain';
}

/** GitHub's workflow-command escaping of a message. */
function escapeAnnotation(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const environment = options.environment ?? process.env;
  const format = options.format ?? defaultLogFormat(stream, environment);
  const quiet = options.quiet ?? false;
  const now = options.now ?? (() => performance.now());
  let barVisible = false;

  const clearBar = () => {
    if (barVisible) {
      stream.write('\r\u001b[2K');
      barVisible = false;
    }
  };
  const line = (text: string) => {
    clearBar();
    stream.write(text + '\n');
  };
  const json = (record: Record<string, unknown>) => {
    line(JSON.stringify({ time: new Date().toISOString(), ...record }));
  };

  return {
    info(message) {
      if (quiet) {
        return;
      }
      if (format === 'json') {
        json({ level: 'info', message });
      } else {
        line(message);
      }
    },
    warn(message) {
      if (format === 'json') {
        json({ level: 'warning', message });
      } else if (format === 'github') {
        line(`::warning::${escapeAnnotation(message)}`);
      } else {
        line(`warning: ${message}`);
      }
    },
    error(message) {
      if (format === 'json') {
        json({ level: 'error', message });
      } else if (format === 'github') {
        line(`::error::${escapeAnnotation(message)}`);
      } else {
        line(`error: ${message}`);
      }
    },
    group(title) {
      if (quiet) {
        return () => undefined;
      }
      if (format === 'github') {
        line(`::group::${escapeAnnotation(title)}`);
        return () => {
          line('::endgroup::');
        };
      }
      if (format === 'json') {
        json({ level: 'info', group: title });
      }
      return () => undefined;
    },
    progress(label, total) {
      const started = now();
      let count = 0;
      let lastReport = started;
      const elapsed = () => (now() - started) / 1000;
      const eta = () => (count > 0 ? (elapsed() / count) * (total - count) : Number.NaN);
      if (!quiet && format !== 'tty') {
        if (format === 'json') {
          json({ level: 'progress', label, done: 0, total });
        } else {
          line(`${label}: started (${total} items)`);
        }
      }
      const draw = () => {
        const fraction = total > 0 ? Math.min(1, count / total) : 1;
        const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - label.length - 40));
        const filled = Math.round(fraction * width);
        const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
        stream.write(
          `\r\u001b[2K${label} [${bar}] ${count}/${total} ${(fraction * 100).toFixed(0)}% ETA ${formatDuration(eta())}`,
        );
        barVisible = true;
      };
      return {
        tick(amount = 1) {
          count += amount;
          if (quiet) {
            return;
          }
          const time = now();
          if (format === 'tty') {
            if (time - lastReport >= 100 || count >= total) {
              lastReport = time;
              draw();
            }
            return;
          }
          if (count < total && time - lastReport >= PLAIN_PROGRESS_INTERVAL_SECONDS * 1000) {
            lastReport = time;
            if (format === 'json') {
              json({ level: 'progress', label, done: count, total, etaSeconds: Math.round(eta()) });
            } else {
              line(`${label}: ${count}/${total}, ETA ${formatDuration(eta())}`);
            }
          }
        },
        done(detail) {
          if (quiet) {
            return;
          }
          if (format === 'json') {
            json({ level: 'progress', label, done: count, total, seconds: elapsed(), detail });
            return;
          }
          line(`${label}: done in ${formatDuration(elapsed())}${detail ? ` (${detail})` : ''}`);
        },
      };
    },
  };
}

/** A logger that records lines, for tests. */
export function createMemoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(message),
    warn: (message) => lines.push(`warning: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
    progress: (label) => ({
      tick: () => undefined,
      done: (detail) => lines.push(`${label}: done${detail ? ` (${detail})` : ''}`),
    }),
    group: (title) => {
      lines.push(`[${title}]`);
      return () => undefined;
    },
  };
}

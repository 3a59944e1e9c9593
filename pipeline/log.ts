/**
 * The pipeline's only writer to the terminal. Messages go to stderr so stdout stays free for
 * machine-readable output (`plan`). On an interactive terminal long stages draw a progress bar
 * with an ETA; elsewhere (CI, pipes, tests) they print one line when they start and one when they
 * finish, so logs stay short and greppable.
 */

export interface Progress {
  /** Advance by `amount` items (default 1). */
  tick(amount?: number): void;
  /** Finish the bar, printing a summary line with `detail`. */
  done(detail?: string): void;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  progress(label: string, total: number): Progress;
}

export interface LoggerOptions {
  /** Where text goes; defaults to process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Force (or forbid) the interactive bar; defaults to "stream is a TTY and CI is unset". */
  interactive?: boolean;
  /** Suppress info lines and progress. Warnings and errors are always printed. */
  quiet?: boolean;
  now?: () => number;
}

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

export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const interactive = options.interactive ?? (stream.isTTY === true && !process.env['CI']);
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

  return {
    info(message) {
      if (!quiet) {
        line(message);
      }
    },
    warn(message) {
      line(`warning: ${message}`);
    },
    error(message) {
      line(`error: ${message}`);
    },
    progress(label, total) {
      const started = now();
      let count = 0;
      let lastDraw = -Infinity;
      if (!quiet && !interactive) {
        line(`${label}: started (${total} items)`);
      }
      const draw = () => {
        const elapsed = (now() - started) / 1000;
        const fraction = total > 0 ? Math.min(1, count / total) : 1;
        const eta = count > 0 ? (elapsed / count) * (total - count) : Number.NaN;
        const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - label.length - 40));
        const filled = Math.round(fraction * width);
        const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
        stream.write(
          `\r\u001b[2K${label} [${bar}] ${count}/${total} ${(fraction * 100).toFixed(0)}% ETA ${formatDuration(eta)}`,
        );
        barVisible = true;
      };
      return {
        tick(amount = 1) {
          count += amount;
          if (quiet || !interactive) {
            return;
          }
          const time = now();
          if (time - lastDraw >= 100 || count >= total) {
            lastDraw = time;
            draw();
          }
        },
        done(detail) {
          if (quiet) {
            return;
          }
          const elapsed = formatDuration((now() - started) / 1000);
          line(`${label}: done in ${elapsed}${detail ? ` (${detail})` : ''}`);
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
  };
}

/**
 * Stopping a run on request. SIGINT (Ctrl-C) and SIGTERM (a CI cancel, `kill`) do not end the
 * process on the spot: the run stops at the next safe point (the encoder process is killed, no
 * further pair starts), the leaderboard is rebuilt from what finished, what was kept is printed,
 * and the command exits 130 or 143 as a shell expects. A second signal ends it at once.
 *
 * `npm run` starts the command through `sh -c`, which does not pass SIGTERM on: npm exits and
 * the node process is left running with a new parent. So a change of parent counts as SIGTERM.
 */
import { InterruptedError } from '../errors.ts';

export type StopSignal = InterruptedError['signal'];

const controller = new AbortController();
let received: StopSignal | undefined;

/** Aborted when the run is asked to stop. */
export const interruption: AbortSignal = controller.signal;

/** Ask the run to stop, as the signal would (tests, and the parent watch). */
export function requestInterrupt(signal: StopSignal, why?: string): void {
  if (received === undefined) {
    received = signal;
    controller.abort(new InterruptedError(signal, why));
  }
}

/** Throw the interruption if one was asked for: called between units of work. */
export function throwIfInterrupted(): void {
  if (controller.signal.aborted) {
    throw controller.signal.reason;
  }
}

/** 128 + the signal's number, as a shell reports a command the signal ended. */
export function exitCodeOf(signal: StopSignal): number {
  return { SIGHUP: 129, SIGINT: 130, SIGPIPE: 141, SIGTERM: 143 }[signal];
}

let onOutputClosed: ((signal: 'SIGPIPE' | 'SIGHUP') => void) | undefined;
let outputClosed: 'SIGPIPE' | 'SIGHUP' | undefined;

/**
 * Keeps a closed output from ending the process: `evaluate | head` closes the pipe once head has
 * its lines (EPIPE), a closed terminal makes writes fail (EIO) or sends SIGHUP. Node raises the
 * errors on process.stdout or process.stderr, which uncaught ended the run on the spot, holding
 * the results lock, with a stale board. Here the writes stop quietly and `onClosed` (the current
 * command's) is told which, once. Installed once for the life of the process: an error of a
 * write made after a command returned still comes.
 */
export function watchOutputs(onClosed: (signal: 'SIGPIPE' | 'SIGHUP') => void): void {
  const first = onOutputClosed === undefined;
  onOutputClosed = onClosed;
  if (!first) {
    return;
  }
  const closed = (signal: 'SIGPIPE' | 'SIGHUP') => {
    if (outputClosed === undefined) {
      outputClosed = signal;
      onOutputClosed?.(signal);
    }
  };
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      closed('SIGPIPE');
    } else if (error.code === 'EIO') {
      closed('SIGHUP');
    } else {
      throw error;
    }
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
  process.on('SIGHUP', () => {
    closed('SIGHUP');
  });
}

/**
 * Install the handlers for the life of a command; returns a function removing them. `onFirst`
 * tells the user the run is stopping.
 */
export function installInterruptHandlers(onFirst: (message: string) => void): () => void {
  const handle = (signal: StopSignal) => () => {
    if (received !== undefined) {
      process.exit(exitCodeOf(signal));
    }
    onFirst(
      `${signal} received: stopping after the work in progress is cut off; the leaderboard is rebuilt from what finished (send it again to stop at once)`,
    );
    requestInterrupt(signal);
  };
  const onInt = handle('SIGINT');
  const onTerm = handle('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent && received === undefined) {
      onFirst(
        `the parent process (pid ${parent}: npm, or the shell it started this command with) ended: stopping as for SIGTERM; the leaderboard is rebuilt from what finished`,
      );
      requestInterrupt('SIGTERM', 'its parent process ended');
    }
  }, 500);
  watch.unref();
  return () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    clearInterval(watch);
  };
}

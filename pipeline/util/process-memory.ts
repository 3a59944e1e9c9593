/** Resident memory of another process, read from /proc (Linux); undefined elsewhere or once it exits. */
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** How often the supervisors sample a child's memory. */
const MEMORY_POLL_MS = 100;

/**
 * Call `onSample` with the child's resident bytes every 100 ms until the returned function is
 * called. Samples that cannot be read (the child has just exited) are skipped.
 */
export function watchResidentMemory(
  child: ChildProcess,
  onSample: (bytes: number) => void,
): () => void {
  const timer = setInterval(() => {
    if (child.pid === undefined) {
      return;
    }
    void residentBytes(child.pid).then((bytes) => {
      if (bytes !== undefined) {
        onSample(bytes);
      }
    });
  }, MEMORY_POLL_MS);
  return () => {
    clearInterval(timer);
  };
}

export function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

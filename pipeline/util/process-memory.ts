/** Resident memory of another process, read from /proc (Linux); undefined elsewhere or once it exits. */
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** A process's parent and resident bytes (0 for kernel threads), or undefined once it exits. */
export async function processStatus(
  pid: number,
): Promise<{ parent: number; residentBytes: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const parent = /^PPid:\s+(\d+)/m.exec(status)?.[1];
    const resident = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return {
      parent: parent === undefined ? 0 : Number(parent),
      residentBytes: resident === undefined ? 0 : Number(resident) * 1024,
    };
  } catch {
    return undefined;
  }
}

async function residentBytes(pid: number): Promise<number | undefined> {
  const status = await processStatus(pid);
  return status && status.residentBytes > 0 ? status.residentBytes : undefined;
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

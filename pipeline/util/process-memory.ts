/** Resident memory of another process, read from /proc (Linux); undefined elsewhere or once it exits. */
import { readFile } from 'node:fs/promises';

export async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** How often the supervisors sample a child's memory. */
export const MEMORY_POLL_MS = 100;

export function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

/**
 * File writes that never leave a torn file behind: write a temporary sibling, flush it, then
 * rename over the target (atomic on POSIX file systems).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import { parseJsonText, parseWithFriendlyErrors } from '../../schemas/friendly-errors.ts';
import { formatJson } from '../../schemas/json-text.ts';
import { describeFileSystemError } from './fs-errors.ts';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomicRaw(path, data);
  } catch (error) {
    // A full disk, a read-only or misplaced folder: the machine's fault, said with the path.
    throw describeFileSystemError(error, `writing ${path}`, path) ?? error;
  }
}

/**
 * Temporary files being written by this process. A process that exits mid-write (an encoder
 * process whose parent was killed exits on the spot) removes them on its way out; one killed
 * with SIGKILL cannot, and the next run's removeStaleTemporaryFiles does.
 */
const inFlight = new Set<string>();
let removeOnExit = false;

async function writeFileAtomicRaw(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPath(path, process.pid);
  if (!removeOnExit) {
    removeOnExit = true;
    process.on('exit', () => {
      for (const file of inFlight) {
        rmSync(file, { force: true });
      }
    });
  }
  inFlight.add(temporary);
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  } finally {
    inFlight.delete(temporary);
  }
}

/**
 * The ending of this pipeline's temporary files: `<target>.<pid>.<8 hex>.leaderboard-tmp`. A
 * name no other tool gives a file, so that the clean-up below can only match the pipeline's own.
 */
const TEMPORARY_SUFFIX = '.leaderboard-tmp';
const TEMPORARY_NAME = /\.(\d+)\.[0-9a-f]{8}\.leaderboard-tmp$/;

/** Where process `pid` writes `path` before renaming it into place. */
export function temporaryPath(path: string, pid: number): string {
  return `${path}.${pid}.${randomBytes(4).toString('hex')}${TEMPORARY_SUFFIX}`;
}

/** Whether process `pid` exists on this machine (EPERM: it does, under another user). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A folder the pipeline writes into, and whether its subfolders are the pipeline's too. */
export interface OwnedFolder {
  readonly dir: string;
  readonly recursive: boolean;
}

/**
 * Remove the temporary files that a process killed between writing and renaming (kill -9, a
 * power cut) left in `folders`, the ones the pipeline writes; files of processes still running
 * are theirs, and nothing outside those folders is looked at (a results or cache folder may be
 * pointed at a home directory). Returns the paths removed.
 */
export async function removeStaleTemporaryFiles(
  folders: readonly OwnedFolder[],
): Promise<string[]> {
  const removed: string[] = [];
  for (const { dir, recursive } of folders) {
    let names: string[];
    try {
      names = await readdir(dir, { recursive, encoding: 'utf8' });
    } catch {
      continue;
    }
    for (const name of names) {
      const match = TEMPORARY_NAME.exec(name);
      if (match && !isProcessRunning(Number(match[1]))) {
        await rm(join(dir, name), { force: true });
        removed.push(join(dir, name));
      }
    }
  }
  return removed;
}

export { AGGREGATE_LINE_WIDTH, formatJson } from '../../schemas/json-text.ts';

export async function writeJsonAtomic<S extends z.ZodType>(
  path: string,
  schema: S,
  value: z.input<S>,
  lineWidth?: number,
): Promise<void> {
  await writeFileAtomic(path, formatJson(schema, value, lineWidth));
}

/** Read and validate a JSON file; errors name the file and the field. */
export async function readJsonFile<S extends z.ZodType>(
  path: string,
  schema: S,
  what: string,
): Promise<z.output<S>> {
  const text = await readFile(path, 'utf8');
  return parseWithFriendlyErrors(schema, parseJsonText(text, path), path, what);
}

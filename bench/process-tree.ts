/**
 * Peak resident memory of a command and everything it starts: the sum of the resident set of
 * the process and its descendants, sampled from /proc every 100 ms (Linux only).
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { processStatus } from '../pipeline/util/process-memory.ts';

async function treeResidentBytes(root: number): Promise<number> {
  const parents = new Map<number, number>();
  const resident = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    const status = Number.isInteger(pid) ? await processStatus(pid) : undefined;
    if (status) {
      parents.set(pid, status.parent);
      resident.set(pid, status.residentBytes);
    }
  }
  let total = 0;
  for (const [pid, bytes] of resident) {
    for (let current: number | undefined = pid; current !== undefined && current > 1;) {
      if (current === root) {
        total += bytes;
        break;
      }
      current = parents.get(current);
    }
  }
  return total;
}

export interface CommandMeasurement {
  readonly seconds: number;
  readonly peakTreeRssBytes: number;
}

/** Run `command` to completion (failing on a non-zero exit) and measure it. */
export async function measureCommand(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv },
): Promise<CommandMeasurement> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  let peak = 0;
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    if (child.pid !== undefined) {
      const pid = child.pid;
      sampling = sampling.then(async () => {
        peak = Math.max(peak, await treeResidentBytes(pid));
      });
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(timer);
  await sampling;
  if (code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`);
  }
  return { seconds: (performance.now() - started) / 1000, peakTreeRssBytes: peak };
}

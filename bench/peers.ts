/**
 * The Python peers of the engine's heads: scikit-learn's KNeighborsClassifier and a PyTorch CPU
 * probe (bench/peers/*.py), run where a python3 with those packages exists (Debian's
 * python3-sklearn and python3-torch). Data travels as raw float32/int32 files.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

const CANDIDATES = ['/usr/bin/python3', 'python3'];

/** A python3 that imports `module`, or why there is none. */
export function pythonWith(module: string): { python: string } | { missing: string } {
  for (const python of CANDIDATES) {
    const probe = spawnSync(python, ['-c', `import ${module}`], { encoding: 'utf8' });
    if (probe.status === 0) {
      return { python };
    }
  }
  return { missing: `no python3 with ${module} (tried ${CANDIDATES.join(', ')})` };
}

/**
 * Run a peer script on every core (its last argument is the thread count) and parse the JSON
 * line it prints last.
 */
export function runPeer(python: string, script: string, args: readonly string[]): unknown {
  const path = resolve(import.meta.dirname, 'peers', script);
  const threads = String(availableParallelism());
  const run = spawnSync(python, [path, ...args, threads], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads },
  });
  if (run.status !== 0) {
    throw new Error(`${script} failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  }
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as unknown;
}

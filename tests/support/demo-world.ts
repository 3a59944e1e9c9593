/**
 * The shared demo world of a test run (tests/setup/demo-world.ts builds it once, in the
 * background): the results, caches and site of `npm run build` on the demo suite. Tests read it;
 * a test that changes results or caches works on a copy (`copyOfDemoWorld`), so that no test
 * sees another's changes.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { demoWorldPaths, type DemoWorldPaths } from './demo-world-paths.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    demoWorld: string;
  }
}

/** What the demo-world cache holds; a copy may leave some out to make a test start cold there. */
export type DemoCachePart = 'checks' | 'data' | 'embeddings';

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until the world is built and returns where it is; fails with the build's log if it failed. */
export async function demoWorld(): Promise<DemoWorldPaths> {
  const root = inject('demoWorld');
  if (!root) {
    throw new Error(
      'No demo world in this run: list this test file in the demo-world project of vitest.config.ts',
    );
  }
  const paths = demoWorldPaths(root);
  while (!existsSync(paths.exitCode)) {
    await sleep(200);
  }
  const exitCode = (await readFile(paths.exitCode, 'utf8')).trim();
  if (exitCode !== '0') {
    const log = (await readFile(paths.log, 'utf8')).split('\n').slice(-60).join('\n');
    throw new Error(`The demo world's build failed (exit ${exitCode}); its log ends:\n${log}`);
  }
  return paths;
}

/**
 * A private copy of the world's results and cache in a new temporary folder (`work/results`,
 * `work/cache`), leaving out the cache parts named in `without` and, with `results: false`, the
 * results: a test that changes what it was given, or must compute a part afresh, starts here.
 */
export async function copyOfDemoWorld(
  prefix: string,
  options: { without?: readonly DemoCachePart[]; results?: boolean } = {},
): Promise<{ work: string; resultsDir: string; cacheDir: string }> {
  const world = await demoWorld();
  const work = await mkdtemp(join(tmpdir(), prefix));
  const resultsDir = join(work, 'results');
  const cacheDir = join(work, 'cache');
  const leftOut = new Set((options.without ?? []).map((part) => join(world.cacheDir, part)));
  await cp(world.cacheDir, cacheDir, { recursive: true, filter: (source) => !leftOut.has(source) });
  if (options.results ?? true) {
    await cp(world.resultsDir, resultsDir, { recursive: true });
  }
  return { work, resultsDir, cacheDir };
}

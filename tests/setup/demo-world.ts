/**
 * Global setup of the `demo-world` project: starts `npm run build`'s job (the pipeline's `build`
 * command: every example encoder evaluated on the demo suite under every protocol, then the site
 * built) once per test run, in the background and into a temporary folder, so that the unit tests
 * run on the other core meanwhile and every test that only reads the demo's results, caches or
 * site shares one world instead of building its own from a cold cache.
 *
 * The build's output goes to `build.log` in that folder and its exit code to `exit-code` when it
 * ends; `tests/support/demo-world.ts` waits for that file.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { demoWorldPaths, REPOSITORY_ROOT } from '../support/demo-world-paths.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'demo-world-'));
  const paths = demoWorldPaths(root);
  const log = createWriteStream(paths.log);
  const child = spawn(
    process.execPath,
    [join(REPOSITORY_ROOT, 'pipeline', 'cli.ts'), 'build', '--log-format', 'plain'],
    {
      cwd: REPOSITORY_ROOT,
      env: {
        ...process.env,
        LEADERBOARD_RESULTS_DIR: paths.resultsDir,
        LEADERBOARD_CACHE_DIR: paths.cacheDir,
        LEADERBOARD_OUT_DIR: paths.distDir,
        LEADERBOARD_ASTRO_CACHE_DIR: join(root, 'astro-cache'),
        ASTRO_TELEMETRY_DISABLED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      log.end(() => {
        void writeFile(paths.exitCode, signal === null ? String(code) : signal).then(() => {
          resolve();
        });
      });
    });
  });
  project.provide('demoWorld', root);
  return async () => {
    child.kill('SIGTERM');
    await exited;
    await rm(root, { recursive: true, force: true });
  };
}

/**
 * Global setup of the `demo-world` project: starts `npm run build`'s job (the pipeline's `build`
 * command: every example encoder evaluated on the demo suite, then the site built) once per test
 * run, in the background and into a temporary folder, so that the unit tests run on the other
 * core meanwhile and every test that only reads the demo's results, caches or site shares one
 * world instead of building its own from a cold cache.
 *
 * The commands' output goes to `build.log` in that folder and the exit code of the first that
 * fails (or 0) to `exit-code` when they end; `tests/support/demo-world.ts` waits for that file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { demoWorldPaths, REPOSITORY_ROOT } from '../support/demo-world-paths.ts';

/**
 * What the world runs, in order: X-ARES as shipped on one task (enough for its edition page, its
 * golden scores and its byte checks), then `npm run build`'s job for the leaderboard protocol,
 * every example encoder on every demo task and the site. The X-ARES protocol on every task is the
 * slow project's (tests/slow/demo-build-all-protocols.test.ts).
 */
const WORLD_COMMANDS: readonly (readonly string[])[] = [
  ['evaluate', '--protocol', 'xares-0.1.3', '--task', 'demo_sound_events'],
  ['build', '--protocol', 'leaderboard'],
];

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'demo-world-'));
  const paths = demoWorldPaths(root);
  const log = createWriteStream(paths.log);
  let current: ChildProcess | undefined;
  const state = { stopped: false };
  const runCommand = (args: readonly string[]) =>
    new Promise<string>((resolve) => {
      const child = spawn(
        process.execPath,
        [join(REPOSITORY_ROOT, 'pipeline', 'cli.ts'), ...args, '--log-format', 'plain'],
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
      current = child;
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      child.on('exit', (code, signal) => {
        resolve(signal === null ? String(code) : signal);
      });
    });
  const built = (async () => {
    let exitCode = '0';
    for (const args of WORLD_COMMANDS) {
      exitCode = state.stopped ? 'stopped' : await runCommand(args);
      if (exitCode !== '0') {
        break;
      }
    }
    await new Promise<void>((resolve) => log.end(resolve));
    await writeFile(paths.exitCode, exitCode);
  })();
  project.provide('demoWorld', root);
  return async () => {
    state.stopped = true;
    current?.kill('SIGTERM');
    await built;
    await rm(root, { recursive: true, force: true });
  };
}

/** Runs `astro build` for a results folder into an output folder, as `npm run build` does. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ASTRO_BUILD_LOCK_REASON, astroWorkFolder } from '../../pipeline/cli/build.ts';
import { acquireResultsLock } from '../../pipeline/io/results-lock.ts';
import { createMemoryLogger } from '../../pipeline/log.ts';

export const REPOSITORY_ROOT = join(import.meta.dirname, '..', '..');

export async function buildSite(
  resultsDir: string,
  outDir: string,
  extraEnvironment: Record<string, string> = {},
): Promise<string> {
  // As `pipeline build` does: astro builds of one checkout take turns (see astroWorkFolder).
  const release = await acquireResultsLock(astroWorkFolder(REPOSITORY_ROOT), {
    command: 'tests/support/build-site.ts (astro build)',
    logger: createMemoryLogger(),
    reason: ASTRO_BUILD_LOCK_REASON,
    pollMilliseconds: 100,
  });
  try {
    return await runAstroBuild(resultsDir, outDir, extraEnvironment);
  } finally {
    await release();
  }
}

async function runAstroBuild(
  resultsDir: string,
  outDir: string,
  extraEnvironment: Record<string, string>,
): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [join(REPOSITORY_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build'],
    {
      cwd: REPOSITORY_ROOT,
      env: {
        ...process.env,
        LEADERBOARD_RESULTS_DIR: resultsDir,
        LEADERBOARD_OUT_DIR: outDir,
        LEADERBOARD_ASTRO_CACHE_DIR: join(outDir, '..', 'astro-cache'),
        ASTRO_TELEMETRY_DISABLED: '1',
        ...extraEnvironment,
      },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stdout + stderr;
}

/** Runs `astro build` for a results folder into an output folder, as `npm run build` does. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const REPOSITORY_ROOT = join(import.meta.dirname, '..', '..');

export async function buildSite(
  resultsDir: string,
  outDir: string,
  extraEnvironment: Record<string, string> = {},
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

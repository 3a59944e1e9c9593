/** `build`: what `npm run build` runs: evaluate, then astro build, under the results lock. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PipelineError } from '../errors.ts';
import { acquireResultsLock } from '../io/results-lock.ts';
import type { Logger } from '../log.ts';
import { interruption, throwIfInterrupted } from '../util/interrupt.ts';
import { evaluateCommand } from './evaluate.ts';
import { stringOption, type CommandSpec } from './options.ts';

/**
 * Where astro writes its intermediate build of the pages: the checkout's `.astro/` whenever the
 * site's output folder is outside the working directory (LEADERBOARD_OUT_DIR in /tmp, say), so
 * every build from one checkout shares it, whatever its results or output folder.
 */
export function astroWorkFolder(workingDirectory: string = process.cwd()): string {
  return join(workingDirectory, '.astro');
}

/** Taken by every `astro build` of a checkout: two at once delete each other's prerendered chunks. */
export const ASTRO_BUILD_LOCK_REASON = 'astro builds of one checkout share its .astro/ folder';

/**
 * Run `astro build` in a child process, in turn with every other build of this checkout;
 * SIGINT/SIGTERM to the pipeline stop it too. `environment` says which results it reads
 * (LEADERBOARD_RESULTS_DIR, LEADERBOARD_SUITE) and where it writes (LEADERBOARD_OUT_DIR).
 */
export async function astroBuild(
  logger: Logger,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const release = await acquireResultsLock(astroWorkFolder(), {
    command: 'pipeline build (astro build)',
    logger,
    reason: ASTRO_BUILD_LOCK_REASON,
  });
  try {
    await runAstroBuild(environment);
  } finally {
    await release();
  }
}

async function runAstroBuild(environment: NodeJS.ProcessEnv): Promise<void> {
  const astro = join(
    dirname(createRequire(import.meta.url).resolve('astro/package.json')),
    'bin',
    'astro.mjs',
  );
  const child = spawn(process.execPath, [astro, 'build'], { stdio: 'inherit', env: environment });
  const stopAstro = () => child.kill('SIGTERM');
  interruption.addEventListener('abort', stopAstro, { once: true });
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', (exitCode) => {
      resolve(exitCode);
    });
  });
  interruption.removeEventListener('abort', stopAstro);
  throwIfInterrupted();
  if (code !== 0) {
    throw new PipelineError('RESULT_INVALID', `astro build failed (exit code ${String(code)})`, {
      hint: 'the messages above name the file and the field; results that disagree with the leaderboard are fixed by `npm run evaluate`',
    });
  }
}

export const buildCommand: CommandSpec = {
  writesResults: true,
  stopsAtSafePoints: true,
  summary:
    "`npm run build`: evaluate (every protocol unless --protocol says otherwise), then build the site with astro, holding the results folder's lock throughout: a second build waits instead of writing .astro/ and dist/ beside the first, and no evaluate writes the results while the site reads them.",
  options: evaluateCommand.options,
  optionsOf: 'evaluate',
  async run(context) {
    const values = {
      ...context.values,
      protocol: stringOption(context.values, 'protocol') ?? 'all',
    };
    await evaluateCommand.run({ ...context, values });
    throwIfInterrupted();
    await astroBuild(context.logger);
  },
};

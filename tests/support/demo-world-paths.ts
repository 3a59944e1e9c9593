/** Where the shared demo world keeps what it built (see tests/setup/demo-world.ts). */
import { join } from 'node:path';

export const REPOSITORY_ROOT = join(import.meta.dirname, '..', '..');

export interface DemoWorldPaths {
  /** The results folder of `npm run build`: the leaderboard protocol, others under protocols/. */
  readonly resultsDir: string;
  /** Demo shards, the checker's verdicts and every embedding. */
  readonly cacheDir: string;
  /** The built site. */
  readonly distDir: string;
  readonly log: string;
  readonly exitCode: string;
}

export function demoWorldPaths(root: string): DemoWorldPaths {
  return {
    resultsDir: join(root, 'results'),
    cacheDir: join(root, 'cache'),
    distDir: join(root, 'dist'),
    log: join(root, 'build.log'),
    exitCode: join(root, 'exit-code'),
  };
}

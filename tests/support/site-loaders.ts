/**
 * The site's content loaders (src/lib/results-loader.ts) run in process, as `astro build` runs
 * them, on a results folder: what a build would refuse, without the build. The list is
 * src/content.config.ts's (tests/site/invalid-results.test.ts checks that they agree); one real
 * failing build in that file shows the refusal reaches `astro build`'s output.
 */
import { pathToFileURL } from 'node:url';
import type { LoaderContext } from 'astro/loaders';
import { vi } from 'vitest';
import {
  archiveLoader,
  editionsLoader,
  efficiencyLoader,
  leaderboardLoader,
  runsLoader,
  statusLoader,
} from '../../src/lib/results-loader.ts';
import { REPOSITORY_ROOT } from './build-site.ts';

export const SITE_LOADERS = {
  leaderboardLoader,
  efficiencyLoader,
  statusLoader,
  runsLoader,
  archiveLoader,
  editionsLoader,
} as const;

function loaderContext(collection: string, entries: Map<string, unknown>): LoaderContext {
  const silent = () => undefined;
  const context = {
    collection,
    config: { root: pathToFileURL(`${REPOSITORY_ROOT}/`) },
    store: {
      clear: () => {
        entries.clear();
      },
      set: (entry: { id: string; data: unknown }) => {
        entries.set(entry.id, entry.data);
        return true;
      },
    },
    logger: { info: silent, warn: silent, error: silent, debug: silent },
    parseData: ({ data }: { data: unknown }) => Promise.resolve(data),
  };
  return context as unknown as LoaderContext;
}

/**
 * Every loader's refusal of the results folder (and archive folder), one message per loader that
 * threw, joined by newlines: empty when a build would load it.
 */
export async function loaderRefusals(
  resultsDir: string,
  environment: Record<string, string> = {},
): Promise<string> {
  vi.stubEnv('LEADERBOARD_RESULTS_DIR', resultsDir);
  for (const [name, value] of Object.entries(environment)) {
    vi.stubEnv(name, value);
  }
  try {
    const messages: string[] = [];
    for (const [name, loader] of Object.entries(SITE_LOADERS)) {
      await loader()
        .load(loaderContext(name, new Map()))
        .catch((error: unknown) => {
          messages.push(error instanceof Error ? error.message : String(error));
        });
    }
    return messages.join('\n');
  } finally {
    vi.unstubAllEnvs();
  }
}

/**
 * Content-layer loader for the leaderboard: reads `leaderboard.json` from the configured results
 * folder and validates it with the shared schema. An invalid or missing file fails the build
 * with the file name and the JSON pointer of the bad field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Loader } from 'astro/loaders';
import { parseJsonText, parseWithFriendlyErrors } from '../../schemas/friendly-errors.ts';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { leaderboardFile, resultsDirFromEnvironment } from '../../schemas/results-layout.ts';

export function leaderboardLoader(): Loader {
  return {
    name: 'leaderboard-json',
    load: async (context) => {
      const { store, config, logger } = context;
      const root = fileURLToPath(config.root);
      const path = resolve(root, leaderboardFile(resultsDirFromEnvironment(process.env)));
      if (!existsSync(path)) {
        throw new Error(
          `${path} does not exist. Run \`npm run evaluate\` (or \`npm run build\`, which evaluates first).`,
        );
      }
      const leaderboard = parseWithFriendlyErrors(
        Leaderboard,
        parseJsonText(readFileSync(path, 'utf8'), path),
        path,
        'leaderboard',
      );
      logger.info(
        `${leaderboard.submissions.length} submissions, ${leaderboard.tasks.length} tasks from ${path}`,
      );
      store.clear();
      store.set({
        id: 'current',
        data: await context.parseData({ id: 'current', data: leaderboard, filePath: path }),
      });
    },
  };
}

/** `merge`: copy the results folders of sharded evaluate jobs in, after validating them. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_PROTOCOL } from '../../schemas/protocols.ts';
import { protocolResultsDir } from '../../schemas/results-layout.ts';
import { UsageError } from '../errors.ts';
import { mergeResults } from '../run/merge.ts';
import {
  LOGGING_OPTIONS,
  PROTOCOL_OPTION,
  protocolsOption,
  RESULTS_DIR_OPTION,
  runLocation,
  SUITE_OPTION,
  type CommandSpec,
} from './options.ts';

export const mergeCommand: CommandSpec = {
  positionals: '<folder>...',
  writesResults: true,
  summary:
    'Validate the results folders of sharded `evaluate --shard` jobs (schema, location, current fingerprint, identical duplicates) and copy them into the results folder, then rebuild the leaderboard. Writes nothing if any file is refused.',
  options: [SUITE_OPTION, PROTOCOL_OPTION, RESULTS_DIR_OPTION, ...LOGGING_OPTIONS],
  async run({ values, positionals, logger, environment }) {
    if (positionals.length === 0) {
      throw new UsageError(
        'merge needs at least one folder',
        'for example: merge artifacts/results-0 artifacts/results-1',
      );
    }
    for (const protocol of protocolsOption(values)) {
      const folders = positionals.map((folder) =>
        protocolResultsDir(resolve(process.cwd(), folder), protocol),
      );
      await mergeResults({
        ...runLocation(values, environment),
        protocol,
        // A shard job may have had no work under another protocol: its folder has no part for
        // it. The default protocol's part is the folder itself and must exist.
        from: protocol === DEFAULT_PROTOCOL ? folders : folders.filter((dir) => existsSync(dir)),
        logger,
      });
    }
  },
};

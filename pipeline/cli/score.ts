/** `score`: rebuild the leaderboard from stored results, or recompute an archived edition. */
import { resolve } from 'node:path';
import { PROTOCOLS } from '../../schemas/protocols.ts';
import { protocolResultsDir } from '../../schemas/results-layout.ts';
import { PipelineError } from '../errors.ts';
import { rebuildLeaderboard } from '../scoring/aggregate.ts';
import { formatRecomputed, recomputeArchiveFile, summariseRecomputed } from '../scoring/archive.ts';
import { refuseEmptyScan, scanSubmissionFolders } from '../submissions/scan.ts';
import { getSuite, suiteTasks } from '../suites/index.ts';
import {
  ALLOW_EMPTY_OPTION,
  cacheDir,
  JSON_OPTION,
  LOGGING_OPTIONS,
  PROTOCOL_OPTION,
  protocolsOption,
  RESULTS_DIR_OPTION,
  resultsDir,
  stringOption,
  submissionsDir,
  SUITE_OPTION,
  suiteOption,
  type CommandSpec,
} from './options.ts';

export const scoreCommand: CommandSpec = {
  writesResults: true,
  summary:
    'Rebuild leaderboard.json and efficiency.json from the stored per-task results, without evaluating anything; or, with --from, recompute the weighted averages of an archived edition (such as results/archive/icme2025.json) and compare them with the printed ones.',
  options: [
    SUITE_OPTION,
    PROTOCOL_OPTION,
    {
      name: 'from',
      type: 'string',
      value: '<edition.json>',
      description: 'recompute this archived edition instead of rebuilding the leaderboard',
    },
    JSON_OPTION,
    ALLOW_EMPTY_OPTION,
    RESULTS_DIR_OPTION,
    ...LOGGING_OPTIONS,
  ],
  async run({ values, logger, environment }) {
    const from = stringOption(values, 'from');
    if (from !== undefined) {
      const rows = await recomputeArchiveFile(from, resolve(process.cwd(), from));
      process.stdout.write(
        (values['json'] === true ? JSON.stringify(rows, null, 2) : formatRecomputed(rows)) + '\n',
      );
      logger.info(summariseRecomputed(rows));
      return;
    }
    const suite = getSuite(suiteOption(values, environment));
    const tasks = suiteTasks(suite);
    const scan = await scanSubmissionFolders(submissionsDir(environment), cacheDir(environment));
    refuseEmptyScan(submissionsDir(environment), scan, values['allow-empty'] === true);
    const { submissions, broken } = scan;
    for (const folder of broken) {
      logger.error(`${folder.message}${folder.hint ? `\n  ${folder.hint}` : ''}`);
    }
    for (const protocol of protocolsOption(values)) {
      const dir = protocolResultsDir(resultsDir(values, environment), protocol);
      await rebuildLeaderboard(
        dir,
        suite,
        PROTOCOLS[protocol],
        tasks,
        submissions,
        cacheDir(environment),
        broken,
      );
      logger.info(`leaderboard written to ${dir}/leaderboard.json`);
    }
    if (broken.length > 0) {
      throw new PipelineError(
        'SUBMISSION_INVALID',
        `${broken.length} submission folder${broken.length === 1 ? ' is' : 's are'} left out of the leaderboard: ${broken.map((folder) => folder.dir).join(', ')}`,
        { hint: 'fix the folders named above (`npm run check` says how), then run score again' },
      );
    }
  },
};

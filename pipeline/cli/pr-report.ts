/** `pr-report`: the preliminary report of a submission pull request, for the comment workflow. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CheckReport } from '../../schemas/check-report.ts';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { leaderboardFile } from '../../schemas/results-layout.ts';
import { UsageError } from '../errors.ts';
import { buildPrReport } from '../github/pr-report.ts';
import { readJsonFile, writeFileAtomic } from '../io/files.ts';
import {
  LOCATION_OPTIONS,
  LOGGING_OPTIONS,
  positiveInteger,
  resultsDir,
  stringOption,
  type CommandSpec,
  type OptionSpec,
} from './options.ts';

function requiredOption(name: string, value: string, description: string): OptionSpec {
  return { name, type: 'string', value, required: true, description };
}

export const prReportCommand: CommandSpec = {
  summary:
    "Write the preliminary report of a submission pull request (checker failures and the smoke evaluation's demo scores) for the comment workflow.",
  options: [
    requiredOption('submission', '<slug>', "the pull request's submission"),
    requiredOption('check', '<check.json>', 'the output of `check --json`'),
    requiredOption('pull-request', '<n>', 'the pull request number'),
    requiredOption('head-sha', '<sha>', "the pull request's head commit"),
    requiredOption('out', '<report.json>', 'where to write the report'),
    ...LOCATION_OPTIONS,
    ...LOGGING_OPTIONS,
  ],
  async run({ values, logger, environment }) {
    const required = (name: string) => {
      const value = stringOption(values, name);
      if (value === undefined) {
        throw new UsageError(`pr-report needs --${name}`);
      }
      return value;
    };
    const leaderboardPath = leaderboardFile(resultsDir(values, environment));
    const report = buildPrReport({
      pullRequest: positiveInteger(required('pull-request'), 'pull-request') ?? 0,
      headSha: required('head-sha'),
      submission: required('submission'),
      check: await readJsonFile(
        resolve(process.cwd(), required('check')),
        CheckReport,
        'check report',
      ),
      leaderboard: existsSync(leaderboardPath)
        ? await readJsonFile(leaderboardPath, Leaderboard, 'leaderboard')
        : undefined,
    });
    await writeFileAtomic(
      resolve(process.cwd(), required('out')),
      JSON.stringify(report, null, 2) + '\n',
    );
    logger.info(`report for pull request #${report.pullRequest} written`);
  },
};

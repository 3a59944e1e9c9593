/** `guard`: the pull-request path guard. */
import { PipelineError, UsageError } from '../errors.ts';
import { changedPaths, guardChangedPaths } from '../github/path-guard.ts';
import { JSON_OPTION, LOGGING_OPTIONS, stringOption, type CommandSpec } from './options.ts';

export const guardCommand: CommandSpec = {
  summary:
    'The pull-request path guard: fail unless the changes from --base to --head stay inside one submissions/<slug>/ folder as regular files. Maintainers (PR_AUTHOR_ASSOCIATION OWNER, MEMBER or COLLABORATOR) pass with a report. --json prints the verdict.',
  options: [
    {
      name: 'base',
      type: 'string',
      value: '<rev>',
      required: true,
      description: 'the base revision',
    },
    {
      name: 'head',
      type: 'string',
      value: '<rev>',
      required: true,
      description: 'the head revision',
    },
    JSON_OPTION,
    ...LOGGING_OPTIONS,
  ],
  async run({ values, logger, environment }) {
    const base = stringOption(values, 'base');
    const head = stringOption(values, 'head');
    if (base === undefined || head === undefined) {
      throw new UsageError(
        'guard needs --base and --head',
        'for example: guard --base origin/main --head HEAD',
      );
    }
    const verdict = guardChangedPaths(
      await changedPaths(base, head, process.cwd()),
      environment.prAuthorAssociation,
    );
    if (values['json'] === true) {
      process.stdout.write(JSON.stringify(verdict) + '\n');
    }
    if (verdict.maintainer) {
      logger.info(
        `maintainer pull request: the submission path guard does not apply${verdict.problems.length > 0 ? ` (a team could not: ${verdict.problems.join('; ')})` : ''}`,
      );
    }
    if (!verdict.ok) {
      throw new PipelineError(
        'SUBMISSION_INVALID',
        `this pull request changes files a submission may not change:\n  - ${verdict.problems.join('\n  - ')}`,
        {
          hint: 'keep every change inside submissions/<your-slug>/, as regular files, one submission per pull request',
        },
      );
    }
    if (verdict.submission !== null) {
      logger.info(`the pull request changes only submissions/${verdict.submission}/`);
    }
  },
};

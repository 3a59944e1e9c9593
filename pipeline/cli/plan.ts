/** `plan`: the missing work as a GitHub Actions matrix of `evaluate --shard i/n` jobs. */
import { prepareAndPlan } from '../run/prepare.ts';
import { DEFAULT_MAX_JOBS, shardMatrix } from '../run/matrix.ts';
import {
  positiveInteger,
  precisionOption,
  protocolsOption,
  RESULTS_DIR_OPTION,
  runLocation,
  selection,
  SELECTION_OPTIONS,
  stringOption,
  LOGGING_OPTIONS,
  type CommandSpec,
} from './options.ts';

export const planCommand: CommandSpec = {
  summary:
    'Print the missing work of a suite as a GitHub Actions matrix ({"include":[{"shard":"1/n","pairs":k},...]}) on stdout; each entry runs `evaluate --shard i/n`.',
  options: [
    ...SELECTION_OPTIONS,
    {
      name: 'max-jobs',
      type: 'string',
      value: '<n>',
      default: String(DEFAULT_MAX_JOBS),
      description: 'most jobs in the matrix',
    },
    RESULTS_DIR_OPTION,
    ...LOGGING_OPTIONS,
  ],
  async run({ values, logger, environment }) {
    const plans = [];
    for (const protocol of protocolsOption(values)) {
      plans.push(
        await prepareAndPlan({
          ...runLocation(values, environment),
          ...selection(values),
          protocol,
          embeddingPrecision: precisionOption(values),
          logger,
        }),
      );
    }
    const maxJobs =
      positiveInteger(stringOption(values, 'max-jobs'), 'max-jobs') ?? DEFAULT_MAX_JOBS;
    const matrix = shardMatrix(plans, maxJobs);
    const [first] = plans;
    for (const item of first?.items.filter((entry) => entry.unsupported !== undefined) ?? []) {
      logger.warn(`${item.id}: not run: ${item.unsupported ?? ''}`);
    }
    const jobs = matrix.include.length;
    logger.info(
      `${matrix.pending} of ${matrix.total} (submission, task) pairs need work${plans.length > 1 ? ` over ${plans.length} protocols` : ''}; ${jobs} job${jobs === 1 ? '' : 's'}`,
    );
    process.stdout.write(JSON.stringify({ include: matrix.include }) + '\n');
  },
};

/** `data`: check a suite's shards against its lock file, re-record them, or discover them. */
import { UsageError } from '../errors.ts';
import { discoverShardLists } from '../data/discover.ts';
import { verifySuiteData } from '../data/verify.ts';
import { getSuite, suiteTasks } from '../suites/index.ts';
import { demoShardGenerator } from '../suites/demo/generate.ts';
import {
  cacheDir,
  LOCATION_OPTIONS,
  LOGGING_OPTIONS,
  stringOption,
  suiteOption,
  TASK_OPTION,
  type CommandSpec,
} from './options.ts';

export const dataCommand: CommandSpec = {
  positionals: '<verify|lock|discover>',
  summary:
    'Fetch or generate the shards of a suite and check them against its lock file (pipeline/suites/<suite>.lock.json), recording first-seen hashes ("data verify"); re-record the hashes of the current shards, of --task only if given ("data lock"); or print explicit shard lists from the Zenodo records ("data discover"). Lists every task it could not check and why, and then exits 1; --public-only leaves out the private tasks.',
  options: [
    ...LOCATION_OPTIONS,
    TASK_OPTION,
    {
      name: 'public-only',
      type: 'boolean',
      description: 'leave out the private (organiser-held) tasks',
    },
    ...LOGGING_OPTIONS,
  ],
  async run({ values, positionals, logger, environment }) {
    const action = positionals[0];
    if (action !== 'verify' && action !== 'lock' && action !== 'discover') {
      throw new UsageError('data needs an action: "verify", "lock" or "discover"');
    }
    const suite = getSuite(suiteOption(values, environment));
    const only = stringOption(values, 'task');
    const tasks = suiteTasks(suite).filter((task) => only === undefined || task.id === only);
    if (tasks.length === 0) {
      throw new UsageError(`suite ${suite.id} has no task "${only ?? ''}"`);
    }
    if (action === 'discover') {
      await discoverShardLists(tasks, environment.zenodoUrl, logger, (text) =>
        process.stdout.write(text),
      );
      return;
    }
    await verifySuiteData({
      action,
      suiteId: suite.id,
      tasks,
      publicOnly: values['public-only'] === true,
      cacheDir: cacheDir(environment),
      logger,
      environment: process.env,
      generator: demoShardGenerator,
    });
  },
};

/** `data`: check a suite's shards against its lock file, re-record them, or discover them. */
import { UsageError } from '../errors.ts';
import { join } from 'node:path';
import { discoverTasks, leftOutNotes } from '../data/discover.ts';
import { lockFilePath } from '../data/shard-lock.ts';
import { verifySuiteData } from '../data/verify.ts';
import { getSuite, suiteTasks } from '../suites/index.ts';
import { registeredTasks } from '../tasks/registry.ts';
import { writeDiscoveredTaskFiles } from '../tasks/task-file.ts';
import { demoShardGenerator } from '../suites/demo/generate.ts';
import {
  cacheDir,
  LOCATION_OPTIONS,
  LOGGING_OPTIONS,
  REPOSITORY_ROOT,
  stringOption,
  suiteOption,
  TASK_OPTION,
  type CommandSpec,
} from './options.ts';

export const dataCommand: CommandSpec = {
  positionals: '<verify|lock|discover>',
  summary:
    'Fetch or generate the shards of a suite and check them against its lock file (pipeline/suites/<suite>.lock.json), recording first-seen hashes ("data verify"); re-record the hashes of the current shards, of --task only if given ("data lock"); or turn the X-ARES globs into explicit shard lists from the Zenodo records ("data discover": printed, or written into the task files with --write, leaving out mini-set files the globs also match). Lists every task it could not check and why, and then exits 1; --public-only leaves out the private tasks.',
  options: [
    ...LOCATION_OPTIONS,
    TASK_OPTION,
    {
      name: 'write',
      type: 'boolean',
      description:
        'data discover: write the lists into the task files (and set filesVerified), then print what changed; review with `git diff pipeline/tasks/`, run `data verify`, commit',
    },
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
      const discovered = await discoverTasks(tasks, environment.zenodoUrl, logger);
      if (values.write === true) {
        const files = new Map(
          registeredTasks().map((task) => [task.definition.id, join(REPOSITORY_ROOT, task.file)]),
        );
        for (const line of await writeDiscoveredTaskFiles(discovered, files)) {
          process.stdout.write(`${line}\n`);
        }
        process.stdout.write(
          `review the lists with \`git diff pipeline/tasks/\`, then record the shards' hashes with \`npm run pipeline -- data verify --suite ${suite.id} --public-only\` and commit both\n`,
        );
        return;
      }
      for (const { task, discovery } of discovered) {
        process.stdout.write(
          `// ${task.id} (record ${task.source.kind === 'zenodo' ? task.source.record : ''}): set "splits" to this and "filesVerified" to true (or run data discover --write)\n`,
        );
        for (const note of leftOutNotes(discovery)) {
          process.stdout.write(`// left out ${note}\n`);
        }
        process.stdout.write(`${JSON.stringify(discovery.splits, null, 2)}\n`);
      }
      return;
    }
    await verifySuiteData({
      action,
      suiteId: suite.id,
      lockFile: lockFilePath(suite.id),
      tasks,
      publicOnly: values['public-only'] === true,
      cacheDir: cacheDir(environment),
      logger,
      environment: process.env,
      generator: demoShardGenerator,
    });
  },
};

/** `rehearse`: the whole public X-ARES suite, end to end, on generated data served locally. */
import { join, resolve } from 'node:path';
import { ProtocolName } from '../../schemas/protocols.ts';
import { PipelineError, UsageError } from '../errors.ts';
import { LEARNABLE_FLOORS } from '../rehearsal/generate.ts';
import { formatRehearsal } from '../rehearsal/report.ts';
import { rehearse } from '../rehearsal/rehearse.ts';
import { astroBuild } from './build.ts';
import {
  choice,
  LOGGING_OPTIONS,
  MAX_THREADS,
  positiveInteger,
  REPOSITORY_ROOT,
  stringOption,
  submissionsDir,
  THREADS_OPTION,
  type CommandSpec,
} from './options.ts';

function scaleOption(value: string | undefined): number {
  const scale = Number(value ?? '0.002');
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) {
    throw new UsageError(
      `--scale must be a number in (0, 1], not "${value ?? ''}"`,
      'for example --scale 0.002 (0.2% of the real clip counts); 1 is the real suite',
    );
  }
  return scale;
}

export const rehearseCommand: CommandSpec = {
  summary:
    "Rehearse an official rebuild of the 22 public X-ARES tasks on generated shards in X-ARES's own formats: generate them at --scale, serve them from a local Zenodo on 127.0.0.1, discover the shard lists into copies of the task files, verify, evaluate every submission under each protocol, build the site, and print the figures per task; everything is written under --out (the repository's task and lock files are never touched).",
  options: [
    {
      name: 'scale',
      type: 'string',
      value: '<share>',
      default: '0.002',
      description:
        'share of the real clip counts (1 = the real suite); each split keeps a few clips',
    },
    {
      name: 'out',
      type: 'string',
      value: '<dir>',
      default: '.cache/rehearsal',
      description:
        'the folder for the records, task copies, cache, results, site and rehearsal.json',
    },
    {
      name: 'protocol',
      type: 'string',
      choices: [...ProtocolName.options, 'all'],
      default: 'all',
      description: 'the protocol, or all of them',
    },
    {
      name: 'task',
      type: 'string',
      value: '<id,...>',
      description: 'only these public tasks (comma-separated)',
    },
    {
      name: 'control',
      type: 'boolean',
      description:
        "also evaluate the log-mel baseline on a copy whose clips carry the next clip's labels: every task must score at chance",
    },
    {
      name: 'max-clip-seconds',
      type: 'string',
      value: '<s>',
      description: 'cut longer clips (shortens a trial run; off by default, so lengths are real)',
    },
    {
      name: 'min-train-steps',
      type: 'string',
      value: '<n>',
      default: String(LEARNABLE_FLOORS.trainSteps),
      description:
        "at a small scale, keep enough train clips for n optimiser steps over the task's Track A epochs, 30 n for a CTC head and 5 n for a frame head (1: the fewest clips, for a trial of the plumbing)",
    },
    {
      name: 'min-eval-clips',
      type: 'string',
      value: '<n>',
      default: String(LEARNABLE_FLOORS.evalClips),
      description: 'at a small scale, keep at least n clips in each valid and test split or fold',
    },
    {
      name: 'no-site',
      type: 'boolean',
      description: 'do not build the site',
    },
    THREADS_OPTION,
    ...LOGGING_OPTIONS,
  ],
  async run({ values, logger, environment }) {
    const protocol = choice(stringOption(values, 'protocol'), 'protocol', [
      ...ProtocolName.options,
      'all',
    ]);
    const protocols: ProtocolName[] =
      protocol === undefined || protocol === 'all' ? [...ProtocolName.options] : [protocol];
    const maxClip = stringOption(values, 'max-clip-seconds');
    const report = await rehearse({
      out: resolve(REPOSITORY_ROOT, stringOption(values, 'out') ?? join('.cache', 'rehearsal')),
      scale: scaleOption(stringOption(values, 'scale')),
      submissionsDir: submissionsDir(environment),
      protocols,
      tasks: stringOption(values, 'task')?.split(','),
      control: values.control === true,
      maxClipSeconds:
        maxClip === undefined ? undefined : positiveInteger(maxClip, 'max-clip-seconds'),
      floors: {
        ...LEARNABLE_FLOORS,
        trainSteps:
          positiveInteger(stringOption(values, 'min-train-steps'), 'min-train-steps') ??
          LEARNABLE_FLOORS.trainSteps,
        evalClips:
          positiveInteger(stringOption(values, 'min-eval-clips'), 'min-eval-clips') ??
          LEARNABLE_FLOORS.evalClips,
      },
      threads: positiveInteger(stringOption(values, 'threads'), 'threads', MAX_THREADS),
      buildSite: values['no-site'] !== true,
      siteBuilder: (siteEnvironment) => astroBuild(logger, siteEnvironment),
      logger,
    });
    process.stdout.write(formatRehearsal(report));
    if (report.failures.length > 0) {
      throw new PipelineError(
        'RESULT_INVALID',
        `rehearse: ${report.failures.length} evaluation${report.failures.length === 1 ? '' : 's'} failed (listed above); every other figure is in the table`,
        {
          hint: 'each line names the task, the pair and the fix; rehearse again once they are fixed',
        },
      );
    }
  },
};

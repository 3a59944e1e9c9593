/** `check`: the submission checker, on one or more folders. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkSubmission, formatCheckReport } from '../check/check-submission.ts';
import { PipelineError, UsageError } from '../errors.ts';
import { chooseExecutionProvider, DEVICE_REQUESTS, type DeviceRequest } from '../runtime/ort.ts';
import {
  cacheDir,
  CHECK_TIMEOUT_OPTION,
  choice,
  DEVICE_OPTION,
  JSON_OPTION,
  MAX_THREADS,
  MEMORY_LIMIT_OPTION,
  positiveInteger,
  QUIET_OPTION,
  stringOption,
  THREADS_OPTION,
  type CommandSpec,
} from './options.ts';

export const checkCommand: CommandSpec = {
  positionals: '<submission folder>...',
  summary:
    'Check submissions before evaluation (`npm run check -- <folder>` is a shortcut): manifest, model file, a static ONNX scan, then the X-ARES probe, frame rate, batch invariance, determinism and speed in a child process.',
  options: [
    JSON_OPTION,
    DEVICE_OPTION,
    CHECK_TIMEOUT_OPTION,
    THREADS_OPTION,
    MEMORY_LIMIT_OPTION,
    QUIET_OPTION,
  ],
  async run({ values, positionals, logger, environment }) {
    if (positionals.length === 0) {
      throw new UsageError(
        'check needs at least one submission folder',
        'for example: npm run check -- submissions/my-team-encoder',
      );
    }
    const timeout = positiveInteger(stringOption(values, 'timeout'), 'timeout');
    const threads = positiveInteger(stringOption(values, 'threads'), 'threads', MAX_THREADS);
    const memory = positiveInteger(stringOption(values, 'memory-limit'), 'memory-limit');
    const device =
      choice<DeviceRequest>(stringOption(values, 'device'), 'device', DEVICE_REQUESTS) ?? 'cpu';
    const { provider, notes } = await chooseExecutionProvider(device);
    if (device !== 'cpu') {
      logger.info(
        `execution provider: ${provider}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
      );
    }
    const reports = [];
    for (const folder of positionals) {
      const dir = resolve(process.cwd(), folder);
      if (!existsSync(dir)) {
        throw new UsageError(
          `${folder} does not exist`,
          'give the path of a submission folder, e.g. submissions/my-team-encoder',
        );
      }
      const report = await checkSubmission(folder, {
        cacheDir: cacheDir(environment),
        ...(timeout === undefined ? {} : { timeoutSeconds: timeout }),
        ...(threads === undefined ? {} : { threads }),
        ...(memory === undefined ? {} : { memoryBytes: memory * 2 ** 20 }),
        provider,
      });
      reports.push({ ...report, submission: folder });
      if (values['json'] !== true) {
        process.stdout.write(formatCheckReport({ ...report, submission: folder }) + '\n');
      }
    }
    if (values['json'] === true) {
      process.stdout.write(
        JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n',
      );
    }
    const failed = reports.filter((report) => !report.passed).length;
    if (failed > 0) {
      throw new PipelineError(
        'SUBMISSION_INVALID',
        `${failed} of ${reports.length} submission${reports.length === 1 ? '' : 's'} failed the checks`,
      );
    }
    logger.info(
      `${reports.length} submission${reports.length === 1 ? '' : 's'} passed every check`,
    );
  },
};

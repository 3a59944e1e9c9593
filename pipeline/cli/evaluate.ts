/** `evaluate`: every missing or stale (submission, task) result of a suite, per protocol. */
import { evaluate } from '../run/loop.ts';
import { isEvaluationFailure, type PipelineError } from '../errors.ts';
import { formatDuration } from '../log.ts';
import { DEVICE_REQUESTS, type DeviceRequest } from '../runtime/ort.ts';
import {
  ALLOW_EMPTY_OPTION,
  choice,
  DEVICE_OPTION,
  ENCODE_LIMIT_OPTIONS,
  limitsFrom,
  LOGGING_OPTIONS,
  MAX_THREADS,
  parseShard,
  positiveInteger,
  precisionOption,
  protocolsOption,
  RESULTS_DIR_OPTION,
  runLocation,
  selection,
  SELECTION_OPTIONS,
  stringOption,
  THREADS_OPTION,
  type CommandSpec,
} from './options.ts';

/** Reader threads per encoder process: one per shard in flight, never more than this. */
const MAX_READERS = 64;

export const evaluateCommand: CommandSpec = {
  writesResults: true,
  stopsAtSafePoints: true,
  summary:
    "Evaluate every submission on every task of a suite whose result is missing or stale, then rebuild the leaderboard (`npm run evaluate` is a shortcut); each model first passes the checker's dynamic checks, once per model.",
  options: [
    ...SELECTION_OPTIONS,
    DEVICE_OPTION,
    THREADS_OPTION,
    {
      name: 'shard',
      type: 'string',
      value: '<i>/<n>',
      description:
        'take the i-th of n equal shares of the missing work (one job of a CI matrix, see `plan`)',
    },
    {
      name: 'encode-batch-size',
      type: 'string',
      value: '<n>',
      default: "the task's X-ARES batch_size_encode",
      description: 'crops per encoder call; results do not change',
    },
    {
      name: 'readers',
      type: 'string',
      value: '<n>',
      default: 'one per four cores, at most four',
      description:
        'reader threads decoding audio for the encoder, one per shard in flight, at most n; results do not change',
    },
    ...ENCODE_LIMIT_OPTIONS,
    ALLOW_EMPTY_OPTION,
    RESULTS_DIR_OPTION,
    ...LOGGING_OPTIONS,
  ],
  async run({ values, logger, environment }) {
    const started = performance.now();
    const options = {
      ...runLocation(values, environment),
      ...selection(values),
      allowEmpty: values['allow-empty'] === true,
      threads: positiveInteger(stringOption(values, 'threads'), 'threads', MAX_THREADS),
      device: choice<DeviceRequest>(stringOption(values, 'device'), 'device', DEVICE_REQUESTS),
      shard: parseShard(stringOption(values, 'shard')),
      encodeBatchSize: positiveInteger(
        stringOption(values, 'encode-batch-size'),
        'encode-batch-size',
      ),
      readers: positiveInteger(stringOption(values, 'readers'), 'readers', MAX_READERS),
      embeddingPrecision: precisionOption(values),
      limits: limitsFrom(values),
      logger,
    };
    // Every protocol runs even when an earlier one had failures; the first failure is the
    // command's outcome.
    let firstFailure: PipelineError | undefined;
    for (const protocol of protocolsOption(values)) {
      try {
        await evaluate({ ...options, protocol });
      } catch (error) {
        if (!isEvaluationFailure(error)) {
          throw error;
        }
        firstFailure ??= error;
      }
    }
    logger.info(`evaluate finished in ${formatDuration((performance.now() - started) / 1000)}`);
    if (firstFailure !== undefined) {
      throw firstFailure;
    }
  },
};

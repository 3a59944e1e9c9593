/**
 * Child process of the checker: loads the encoder with onnxruntime and runs the dynamic checks.
 * It is started with an empty environment; a crash, hang or runaway allocation here fails the
 * check of this one encoder and nothing else.
 */
import { availableParallelism } from 'node:os';
import { errorMessage } from '../errors.ts';
import { OrtSession, type ExecutionProvider } from '../runtime/ort.ts';
import { peakRssBytes } from '../util/environment.ts';
import type { EncoderContract } from './dynamic/encoder-calls.ts';
import { runDynamicChecks } from './dynamic/run-checks.ts';
import type { CheckItem, EncoderMeasurements } from '../../schemas/check-report.ts';

export interface WorkerRequest {
  readonly modelPath: string;
  readonly modelLabel: string;
  readonly contract: EncoderContract;
  readonly threads?: number;
  readonly provider?: ExecutionProvider;
  /** The parent stops the process above this; memory failures are reported against it. */
  readonly memoryBytes: number;
}

/** Sent before every call, so that the parent can name the input a runaway allocation came from. */
export interface WorkerProgress {
  readonly running: readonly number[];
}

export interface WorkerResponse {
  readonly items: CheckItem[];
  readonly measurements?: EncoderMeasurements;
}

async function handle(request: WorkerRequest): Promise<WorkerResponse> {
  const threads = request.threads ?? availableParallelism();
  const provider = request.provider ?? 'cpu';
  let session: OrtSession;
  try {
    session = await OrtSession.create(request.modelPath, {
      label: request.modelLabel,
      intraOpThreads: threads,
      provider,
    });
  } catch (error) {
    return {
      items: [
        {
          id: 'session',
          status: 'fail',
          message: errorMessage(error),
          hint: `the model must load in onnxruntime 1.30 on the ${provider} provider`,
        },
      ],
    };
  }
  const items: CheckItem[] = [
    {
      id: 'session',
      status: 'pass',
      message: `onnxruntime loads the model (${provider === 'cpu' ? `CPU, ${threads} threads` : provider})`,
    },
  ];
  const dynamic = await runDynamicChecks(session, request.contract, {
    memoryBytes: request.memoryBytes,
    onCall: (dims) => process.send?.({ running: dims } satisfies WorkerProgress),
  });
  items.push(...dynamic.items);
  await session.release();
  if (!dynamic.measurements) {
    return { items };
  }
  return {
    items,
    measurements: {
      ...dynamic.measurements,
      peakRssBytes: peakRssBytes(),
      threads,
      device: provider,
    },
  };
}

// The checker going away (killed, or interrupted) ends this process too.
process.on('disconnect', () => process.exit(1));
// Ctrl-C reaches the whole process group; the parent decides when this process stops.
process.on('SIGINT', () => undefined);
process.once('message', (request: WorkerRequest) => {
  handle(request).then(
    (response) => {
      process.send?.(response, () => process.exit(0));
    },
    (error: unknown) => {
      process.send?.(
        {
          items: [
            {
              id: 'session',
              status: 'fail',
              message: `the checker failed: ${errorMessage(error)}`,
            },
          ],
        },
        () => process.exit(1),
      );
    },
  );
});

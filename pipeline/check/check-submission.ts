/**
 * `npm run check -- submissions/<slug>`: every check a submission must pass before it is
 * evaluated, each failure with its own message and fix. Cheap, static checks come first; the
 * model is only loaded by onnxruntime if they pass, and then in a child process with an empty
 * environment and a time limit.
 */
import { fork } from 'node:child_process';
import { workerEnvironment } from '../encode/supervisor.ts';
import type { ExecutionProvider } from '../runtime/ort.ts';
import { mebibytes, watchResidentMemory } from '../util/process-memory.ts';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  CHECK_REPORT_SCHEMA_VERSION,
  CheckId,
  type CheckItem,
  type CheckReport,
  type EncoderMeasurements,
  type ModelFacts,
} from '../../schemas/check-report.ts';
import { Slug } from '../../schemas/common.ts';
import {
  parseJsonText,
  parseWithFriendlyErrors,
  SchemaValidationError,
} from '../../schemas/friendly-errors.ts';
import {
  isLocalEncoder,
  MANIFEST_RENAMED_FIELDS,
  SubmissionManifest,
} from '../../schemas/manifest.ts';
import { inspectModelFile } from '../submissions/model-file.ts';
import { scanOnnxModel } from './onnx-scan.ts';
import type { WorkerRequest, WorkerResponse } from './worker.ts';

export interface CheckOptions {
  readonly cacheDir: string;
  /** Wall-clock limit for loading and probing the model. */
  readonly timeoutSeconds?: number;
  readonly threads?: number;
  /** Execution provider of the probes (CPU unless given). */
  readonly provider?: ExecutionProvider;
  /** Resident-memory limit of the probing process. */
  readonly memoryBytes?: number;
  /** Tests serve remote models from a local http server. */
  readonly allowLoopbackHttp?: boolean;
}

export const DEFAULT_CHECK_TIMEOUT_SECONDS = 900;
/** Well under a GitHub-hosted runner's 16 GB, far above what the X-ARES probe needs. */
export const DEFAULT_CHECK_MEMORY_BYTES = 8 * 2 ** 30;

function fail(id: CheckItem['id'], message: string, hint?: string): CheckItem {
  return hint === undefined
    ? { id, status: 'fail', message }
    : { id, status: 'fail', message, hint };
}

/** Run the dynamic probes in a child process, killing it at the time limit. */
function runWorker(
  request: WorkerRequest,
  timeoutSeconds: number,
  memoryBytes: number,
): Promise<WorkerResponse> {
  return new Promise((resolve) => {
    const child = fork(new URL('./worker.ts', import.meta.url), [], {
      // Nothing of this environment reaches the model, except what a GPU driver needs.
      env: (request.provider ?? 'cpu') === 'cpu' ? {} : workerEnvironment(process.env),
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    let response: WorkerResponse | undefined;
    let stopped: { message: string; hint: string } | undefined;
    const stop = (message: string, hint: string) => {
      stopped ??= { message, hint };
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      stop(
        `the encoder did not finish loading and probing within ${timeoutSeconds} s and was stopped`,
        'make the model load and run faster, or raise --timeout',
      );
    }, timeoutSeconds * 1000);
    // A model that allocates without bound must not take the runner down with it.
    const stopWatchingMemory = watchResidentMemory(child, (bytes) => {
      if (bytes > memoryBytes) {
        stop(
          `the encoder used ${mebibytes(bytes)} of memory while loading and probing, more than the limit of ${mebibytes(memoryBytes)}, and was stopped`,
          'make the model smaller or its activations lighter, or raise --memory-limit',
        );
      }
    });
    child.once('message', (message: WorkerResponse) => {
      response = message;
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      stopWatchingMemory();
      if (response && !stopped) {
        resolve(response);
        return;
      }
      const last = stderr.trim().split('\n').slice(-1)[0] ?? '';
      resolve({
        items: [
          stopped
            ? fail('session', stopped.message, stopped.hint)
            : fail(
                'session',
                `the encoder process ended abnormally (${signal ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}`,
                'the model crashes onnxruntime; check it with onnx.checker and re-export',
              ),
        ],
      });
    });
    child.send(request);
  });
}

/** Put the items in check order and mark every check that did not run as skipped. */
function completeItems(items: readonly CheckItem[]): CheckItem[] {
  const byId = new Map(items.map((entry) => [entry.id, entry]));
  return CheckId.options.map(
    (id) => byId.get(id) ?? { id, status: 'skip', message: 'not run: an earlier check failed' },
  );
}

function report(
  submission: string,
  items: readonly CheckItem[],
  model?: ModelFacts,
  measurements?: EncoderMeasurements,
): CheckReport {
  const checks = completeItems(items);
  return {
    schemaVersion: CHECK_REPORT_SCHEMA_VERSION,
    submission,
    passed: checks.every((entry) => entry.status !== 'fail'),
    checks,
    ...(model ? { model } : {}),
    ...(measurements ? { measurements } : {}),
  };
}

export async function checkSubmission(dir: string, options: CheckOptions): Promise<CheckReport> {
  const items: CheckItem[] = [];
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    return report(dir, [
      fail(
        'manifest',
        `${manifestPath} does not exist`,
        'copy submissions/_template/manifest.json into the folder and fill it in',
      ),
    ]);
  }
  const slug = basename(dir);
  if (!Slug.safeParse(slug).success) {
    return report(dir, [
      fail(
        'manifest',
        `the folder name "${slug}" is not a valid submission slug`,
        'use lowercase letters, digits and single hyphens, e.g. "my-team-encoder"',
      ),
    ]);
  }
  let manifest: SubmissionManifest;
  try {
    manifest = parseWithFriendlyErrors(
      SubmissionManifest,
      parseJsonText(await readFile(manifestPath, 'utf8'), manifestPath),
      manifestPath,
      'submission manifest',
      MANIFEST_RENAMED_FIELDS,
    );
  } catch (error) {
    if (!(error instanceof SchemaValidationError)) {
      throw error;
    }
    return report(dir, [
      fail(
        'manifest',
        `${manifestPath}: ${error.issues.join('; ')}`,
        'fix these fields; editors validate the file against schemas/manifest.schema.json',
      ),
    ]);
  }
  items.push({ id: 'manifest', status: 'pass', message: `${manifestPath} is valid` });

  const file = await inspectModelFile(dir, manifest.encoder, {
    cacheDir: options.cacheDir,
    ...(options.allowLoopbackHttp === undefined
      ? {}
      : { allowLoopbackHttp: options.allowLoopbackHttp }),
  });
  if (!file.ok) {
    return report(dir, [...items, fail('model-file', file.message, file.hint)]);
  }
  const label = isLocalEncoder(manifest.encoder)
    ? manifest.encoder.file
    : `${basename(manifest.encoder.url)} (downloaded)`;
  items.push({
    id: 'model-file',
    status: 'pass',
    message: `${label}: ${file.sizeBytes.toLocaleString('en')} bytes, sha256 matches the manifest`,
  });

  const scan = scanOnnxModel(await readFile(file.path), label);
  items.push(...scan.items);
  const model: ModelFacts | undefined = scan.structure && {
    sha256: file.sha256,
    sizeBytes: file.sizeBytes,
    ...scan.structure,
  };
  if (!scan.ok) {
    return report(dir, items, model);
  }

  const response = await runWorker(
    {
      modelPath: file.path,
      modelLabel: label,
      contract: {
        sampleRate: manifest.sampleRate,
        embeddingDim: manifest.embeddingDim,
        hopMs: manifest.hopMs,
        maxInputSeconds: manifest.maxInputSeconds,
      },
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.provider === undefined ? {} : { provider: options.provider }),
    },
    options.timeoutSeconds ?? DEFAULT_CHECK_TIMEOUT_SECONDS,
    options.memoryBytes ?? DEFAULT_CHECK_MEMORY_BYTES,
  );
  items.push(...response.items);
  const { measurements } = response;
  if (measurements) {
    const memory = (measurements.peakRssBytes / 1024 ** 2).toFixed(0);
    items.push({
      id: 'efficiency',
      status: 'info',
      message: `${measurements.realTimeFactor.toFixed(0)}x real time on CPU (${measurements.threads} threads), peak memory ${memory} MiB`,
    });
  }
  return report(dir, items, model, measurements);
}

const SYMBOLS: Record<CheckItem['status'], string> = {
  pass: 'ok  ',
  fail: 'FAIL',
  skip: 'skip',
  info: 'info',
};

/** Human-readable report: one line per check, hints indented under failures. */
export function formatCheckReport(checkReport: CheckReport): string {
  const width = Math.max(...CheckId.options.map((id) => id.length));
  const lines = [checkReport.submission];
  for (const entry of checkReport.checks) {
    lines.push(`  ${SYMBOLS[entry.status]} ${entry.id.padEnd(width)}  ${entry.message}`);
    if (entry.status === 'fail' && entry.hint) {
      lines.push(`  ${' '.repeat(5 + width)}  fix: ${entry.hint}`);
    }
  }
  const failures = checkReport.checks.filter((entry) => entry.status === 'fail').length;
  lines.push(
    checkReport.passed
      ? '  all checks passed'
      : `  ${failures} check${failures === 1 ? '' : 's'} failed`,
  );
  return lines.join('\n');
}

/**
 * `npm run check -- submissions/<slug>`: every check a submission must pass before it is
 * evaluated, each failure with its own message and fix. Cheap, static checks come first; the
 * model is only loaded by onnxruntime if they pass, and then in a child process with an empty
 * environment and limits on time and memory. A manifest with errors does not stop the model
 * checks: they run with every field that is valid, so a team sees all its problems at once.
 * `evaluate` runs the same model checks (`checkModel`) before it scores a model.
 */
import { fork } from 'node:child_process';
import { workerEnvironment } from '../encode/supervisor.ts';
import type { ExecutionProvider } from '../runtime/ort.ts';
import { mebibytes, watchResidentMemory } from '../util/process-memory.ts';
import { interruption } from '../util/interrupt.ts';
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
  EncoderSource,
  isLocalEncoder,
  LocalEncoder,
  MANIFEST_RENAMED_FIELDS,
  SubmissionManifest,
} from '../../schemas/manifest.ts';
import type { z } from 'zod';
import { MEMORY_HINT, type ProbeContract } from './probes.ts';
import { inspectModelFile } from '../submissions/model-file.ts';
import { scanOnnxModel } from './onnx-scan.ts';
import type { WorkerProgress, WorkerRequest, WorkerResponse } from './worker.ts';

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
  return new Promise((resolve, reject) => {
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
    let running: readonly number[] | undefined;
    const stopWatchingMemory = watchResidentMemory(child, (bytes) => {
      if (bytes > memoryBytes) {
        stop(
          running
            ? `out of memory: for an input of [${running.join(', ')}], the encoder used ${mebibytes(bytes)}, more than the checker's limit of ${mebibytes(memoryBytes)}, and was stopped`
            : `the encoder used ${mebibytes(bytes)} of memory while loading, more than the checker's limit of ${mebibytes(memoryBytes)}, and was stopped`,
          running
            ? MEMORY_HINT
            : 'make the model smaller (float16 weights, fewer parameters), or raise --memory-limit',
        );
      }
    });
    child.on('message', (message: WorkerResponse | WorkerProgress) => {
      if ('running' in message) {
        running = message.running;
      } else {
        response = message;
      }
    });
    // Asked to stop (SIGINT, SIGTERM): no verdict, and nothing blamed on the model.
    const onInterrupt = () => {
      child.kill('SIGKILL');
    };
    interruption.addEventListener('abort', onInterrupt, { once: true });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      stopWatchingMemory();
      interruption.removeEventListener('abort', onInterrupt);
      if (interruption.aborted) {
        reject(interruption.reason as Error);
        return;
      }
      if (response && !stopped) {
        resolve(response);
        return;
      }
      const last = stderr.trim().split('\n').slice(-1)[0] ?? '';
      resolve({
        items: [
          stopped
            ? fail('session', stopped.message, stopped.hint)
            : signal === 'SIGKILL' || signal === 'SIGTERM'
              ? fail(
                  'session',
                  `the encoder process was stopped from outside (signal ${signal})${running ? ` while running an input of [${running.join(', ')}]` : ''}: the kernel's out-of-memory killer or a user`,
                  'check free memory (the checker allows --memory-limit) and run the check again; this is not a fault found in the model',
                )
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

/** What the model checks need from the manifest, with the manifest's own values where valid. */
interface ModelSubject {
  readonly encoder: EncoderSource | undefined;
  readonly contract: ProbeContract;
  /** Contract values the checks assumed because the manifest's were invalid. */
  readonly assumed: readonly string[];
}

const ASSUMED_SAMPLE_RATE = 16000;
const ASSUMED_MAX_INPUT_SECONDS = 10;

/**
 * The contract of a manifest that failed validation, field by field: every field that is valid
 * on its own is used, so the model is still checked and both kinds of problem reported at once.
 */
function bestEffortSubject(raw: unknown): ModelSubject {
  const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const shape = SubmissionManifest.shape;
  const valid = <T>(schema: z.ZodType<T>, value: unknown): T | undefined => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  };
  const assumed: string[] = [];
  const sampleRate = valid(shape.sampleRate, fields.sampleRate);
  const maxInputSeconds = valid(shape.maxInputSeconds, fields.maxInputSeconds);
  if (sampleRate === undefined) {
    assumed.push(`sampleRate ${ASSUMED_SAMPLE_RATE}`);
  }
  if (maxInputSeconds === undefined) {
    assumed.push(`maxInputSeconds ${ASSUMED_MAX_INPUT_SECONDS}`);
  }
  const encoderFields = (
    typeof fields.encoder === 'object' && fields.encoder !== null ? fields.encoder : {}
  ) as Record<string, unknown>;
  const file = valid(LocalEncoder.shape.file, encoderFields.file);
  const encoder =
    valid(EncoderSource, fields.encoder) ??
    // The file name alone is enough to check the model; its hash and size are reported.
    (file === undefined ? undefined : { file, sha256: '', sizeBytes: 0 });
  return {
    encoder,
    contract: {
      sampleRate: sampleRate ?? ASSUMED_SAMPLE_RATE,
      embeddingDim: valid(shape.embeddingDim, fields.embeddingDim),
      hopMs: valid(shape.hopMs, fields.hopMs),
      maxInputSeconds: maxInputSeconds ?? ASSUMED_MAX_INPUT_SECONDS,
    },
    assumed,
  };
}

export interface ModelCheckRequest {
  readonly modelPath: string;
  /** The model's name in messages. */
  readonly modelLabel: string;
  readonly contract: ProbeContract;
  readonly threads?: number | undefined;
  readonly provider?: ExecutionProvider | undefined;
  readonly timeoutSeconds?: number | undefined;
  readonly memoryBytes?: number | undefined;
}

/** The dynamic checks of one model (probes.ts), in a child process; shared with `evaluate`. */
export function checkModel(request: ModelCheckRequest): Promise<WorkerResponse> {
  const memoryBytes = request.memoryBytes ?? DEFAULT_CHECK_MEMORY_BYTES;
  return runWorker(
    {
      modelPath: request.modelPath,
      modelLabel: request.modelLabel,
      contract: request.contract,
      memoryBytes,
      ...(request.threads === undefined ? {} : { threads: request.threads }),
      ...(request.provider === undefined ? {} : { provider: request.provider }),
    },
    request.timeoutSeconds ?? DEFAULT_CHECK_TIMEOUT_SECONDS,
    memoryBytes,
  );
}

/** A valid slug close to `name`: "My_Team Encoder" becomes "my-team-encoder". */
function suggestedSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'my-team-encoder' : slug;
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
  // A bad folder name is reported with the manifest's findings; the model is checked all the same.
  const slugProblem = Slug.safeParse(slug).success
    ? undefined
    : `the folder name "${slug}" is not a valid submission slug (rename it to lowercase letters, digits and single hyphens, e.g. "${suggestedSlug(slug)}")`;
  let raw: unknown;
  try {
    raw = parseJsonText(await readFile(manifestPath, 'utf8'), manifestPath);
  } catch (error) {
    if (!(error instanceof SchemaValidationError)) {
      throw error;
    }
    return report(dir, [
      fail('manifest', `${manifestPath}: ${error.issues.join('; ')}`, 'fix the JSON syntax'),
    ]);
  }
  let subject: ModelSubject;
  let manifestValid = true;
  try {
    const manifest = parseWithFriendlyErrors(
      SubmissionManifest,
      raw,
      manifestPath,
      'submission manifest',
      MANIFEST_RENAMED_FIELDS,
    );
    subject = {
      encoder: manifest.encoder,
      contract: {
        sampleRate: manifest.sampleRate,
        embeddingDim: manifest.embeddingDim,
        hopMs: manifest.hopMs,
        maxInputSeconds: manifest.maxInputSeconds,
      },
      assumed: [],
    };
    items.push(
      slugProblem === undefined
        ? { id: 'manifest', status: 'pass', message: `${manifestPath} is valid` }
        : fail('manifest', `${manifestPath} is valid, but ${slugProblem}`, 'rename the folder'),
    );
  } catch (error) {
    if (!(error instanceof SchemaValidationError)) {
      throw error;
    }
    manifestValid = false;
    subject = bestEffortSubject(raw);
    const assumed =
      subject.assumed.length > 0
        ? `; the model checks below assumed ${subject.assumed.join(' and ')} in their place`
        : '';
    items.push(
      fail(
        'manifest',
        `${manifestPath}: ${error.issues.join('; ')}${slugProblem === undefined ? '' : `; and ${slugProblem}`}`,
        `fix these fields (editors validate the file against schemas/manifest.schema.json)${assumed}`,
      ),
    );
  }
  const { encoder, contract } = subject;
  if (!encoder) {
    return report(dir, items);
  }

  const pinned = 'file' in encoder ? encoder.sha256 !== '' : true;
  const file = await inspectModelFile(dir, encoder, {
    cacheDir: options.cacheDir,
    ...(options.allowLoopbackHttp === undefined
      ? {}
      : { allowLoopbackHttp: options.allowLoopbackHttp }),
    ...(pinned ? {} : { unpinned: true }),
  });
  if (!file.ok) {
    return report(dir, [...items, fail('model-file', file.message, file.hint)]);
  }
  const label = isLocalEncoder(encoder) ? encoder.file : `${basename(encoder.url)} (downloaded)`;
  items.push(
    pinned
      ? {
          id: 'model-file',
          status: 'pass',
          message: `${label}: ${file.sizeBytes.toLocaleString('en')} bytes, sha256 matches the manifest`,
        }
      : {
          id: 'model-file',
          status: 'info',
          message: `${label}: ${file.sizeBytes.toLocaleString('en')} bytes, sha256 ${file.sha256}; put these in /encoder/sizeBytes and /encoder/sha256`,
        },
  );

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

  const response = await checkModel({
    modelPath: file.path,
    modelLabel: label,
    contract,
    threads: options.threads,
    provider: options.provider,
    timeoutSeconds: options.timeoutSeconds,
    memoryBytes: options.memoryBytes,
  });
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
  const checked = report(dir, items, model, measurements);
  return manifestValid ? checked : { ...checked, passed: false };
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

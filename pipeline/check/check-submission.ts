/**
 * `npm run check -- submissions/<slug>`: every check a submission must pass before it is
 * evaluated, each failure with its own message and fix. Cheap, static checks come first; the
 * model is only loaded by onnxruntime if they pass, and then in a child process with an empty
 * environment and limits on time and memory. A manifest with errors does not stop the model
 * checks: they run with every field that is valid, so a team sees all its problems at once.
 * `evaluate` runs the same model checks (`checkModel`) before it scores a model.
 */
import type { ExecutionProvider } from '../runtime/ort.ts';
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
import { checkModel, fail } from './check-model.ts';
import type { EncoderContract } from './dynamic/encoder-calls.ts';
import { inspectModelFile } from '../submissions/model-file.ts';
import { readManifestText } from '../submissions/manifest-file.ts';
import {
  LOOKALIKE_HINT,
  MIXED_SCRIPT_HINT,
  lookalikeProblems,
  manifestNameProblems,
} from '../submissions/names.ts';
import { neighbourNames } from '../submissions/scan.ts';
import { PipelineError } from '../errors.ts';
import { scanOnnxModel } from './onnx-scan.ts';

export interface CheckOptions {
  readonly cacheDir: string;
  /** Wall-clock limit for loading and checking the model. */
  readonly timeoutSeconds?: number;
  readonly threads?: number;
  /** Execution provider of the dynamic checks (CPU unless given). */
  readonly provider?: ExecutionProvider;
  /** Resident-memory limit of the process that runs the model. */
  readonly memoryBytes?: number;
  /** Tests serve remote models from a local http server. */
  readonly allowLoopbackHttp?: boolean;
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
  readonly contract: EncoderContract;
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
    raw = parseJsonText(await readManifestText(manifestPath), manifestPath);
  } catch (error) {
    if (error instanceof PipelineError) {
      return report(dir, [fail('manifest', error.message, error.hint ?? '')]);
    }
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
    const nameProblems = manifestNameProblems(manifest);
    const lookalikes = lookalikeProblems({ manifestPath, manifest }, await neighbourNames(dir));
    const problems = [
      ...(slugProblem === undefined ? [] : [slugProblem]),
      ...nameProblems,
      ...lookalikes,
    ];
    const fixes = [
      ...(slugProblem === undefined ? [] : ['rename the folder']),
      ...(nameProblems.length === 0 ? [] : [MIXED_SCRIPT_HINT]),
      ...(lookalikes.length === 0 ? [] : [LOOKALIKE_HINT]),
    ];
    items.push(
      problems.length === 0
        ? { id: 'manifest', status: 'pass', message: `${manifestPath} is valid` }
        : fail(
            'manifest',
            `${manifestPath} is valid, but ${problems.join('; ')}`,
            fixes.join('; '),
          ),
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

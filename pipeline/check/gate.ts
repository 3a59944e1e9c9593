/**
 * The checker's dynamic verdict as a gate in front of `evaluate`: a model the checker would
 * reject is not scored. The checks run in the checker's own child process, once per model and
 * contract: the verdict is stored under `<cacheDir>/checks/` keyed by the model's sha256, the
 * contract and the checks' version, so a rerun (or a second task) reads it back.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ModelCheckRecord, type CheckItem } from '../../schemas/check-report.ts';
import { readJsonFile, writeJsonAtomic } from '../io/files.ts';
import type { Logger } from '../log.ts';
import { sha256Bytes } from '../util/hash.ts';
import type { Submission } from '../submissions/scan.ts';
import { checkModel } from './check-model.ts';

/**
 * Bump when a dynamic check or its thresholds change: stored verdicts are then checked again.
 * (Stored as `probesVersion`, the record's field name since before the checks were a table.)
 */
export const DYNAMIC_CHECKS_VERSION = 2;

export interface GateOptions {
  readonly cacheDir: string;
  readonly threads?: number | undefined;
  readonly logger: Logger;
}

function recordPath(cacheDir: string, record: Omit<ModelCheckRecord, 'checks'>): string {
  const contractKey = sha256Bytes(JSON.stringify(record.contract)).slice(0, 16);
  return join(
    cacheDir,
    'checks',
    `${record.modelSha256}-${contractKey}-v${record.probesVersion}.json`,
  );
}

/** What the checker found wrong, as one message, or undefined when every dynamic check passed. */
export function refusalMessage(dir: string, checks: readonly CheckItem[]): string | undefined {
  const failed = checks.filter((item) => item.status === 'fail');
  if (failed.length === 0) {
    return undefined;
  }
  const findings = failed
    .map((item) => `${item.id}: ${item.message}${item.hint ? ` (fix: ${item.hint})` : ''}`)
    .join('; ');
  return `not evaluated: the checker rejects this encoder (npm run check -- ${relative(process.cwd(), dir) || '.'} shows the full report): ${findings}`;
}

/** The stored or freshly run dynamic checks of `submission`'s model. */
export async function dynamicChecks(
  submission: Submission,
  options: GateOptions,
): Promise<readonly CheckItem[]> {
  const { manifest } = submission;
  const key = {
    probesVersion: DYNAMIC_CHECKS_VERSION,
    modelSha256: submission.modelSha256,
    contract: {
      sampleRate: manifest.sampleRate,
      embeddingDim: manifest.embeddingDim,
      hopMs: manifest.hopMs,
      maxInputSeconds: manifest.maxInputSeconds,
    },
  };
  const path = recordPath(options.cacheDir, key);
  if (existsSync(path)) {
    try {
      const stored = await readJsonFile(path, ModelCheckRecord, 'stored model check');
      if (stored.modelSha256 === key.modelSha256) {
        return stored.checks;
      }
    } catch {
      // A torn or edited verdict is checked again, never trusted.
    }
  }
  options.logger.info(`${submission.slug}: running the checker's dynamic checks on the model`);
  const response = await checkModel({
    modelPath: submission.modelPath,
    modelLabel: submission.modelPath,
    contract: key.contract,
    threads: options.threads,
  });
  // A process stopped from outside or for time says nothing lasting about the model: not stored.
  const session = response.items.find((item) => item.id === 'session');
  if (session?.status === 'pass') {
    await writeJsonAtomic(path, ModelCheckRecord, { ...key, checks: response.items });
  }
  return response.items;
}

/**
 * The structure the static ONNX scan reads from a model (its parameter count, for the
 * leaderboard), stored under `<cacheDir>/scans/` keyed by the model's sha256, as the checker's
 * verdicts are under `checks/`: decoding a large model takes seconds, and every rebuild of the
 * leaderboard needs every model's count, while a model's bytes rarely change.
 *
 * This cache serves facts shown on the leaderboard only. The gate in front of onnxruntime
 * (run/pair.ts) never reads it: it scans the bytes it is about to load.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Sha256 } from '../../schemas/common.ts';
import { readJsonFile, writeJsonAtomic } from '../io/files.ts';
import type { Submission } from '../submissions/scan.ts';
import { scanOnnxModel, type ModelStructure } from './onnx-scan.ts';

/** Bump when onnx-scan.ts counts a model's structure differently: stored counts are then redone. */
export const STRUCTURE_CACHE_VERSION = 1;

const StoredStructure = z.strictObject({
  version: z.literal(STRUCTURE_CACHE_VERSION),
  modelSha256: Sha256,
  /** Null when the model could not be decoded far enough to count. */
  structure: z
    .strictObject({
      irVersion: z.number(),
      opset: z.number(),
      nodes: z.number(),
      parameters: z.number(),
    })
    .nullable(),
});

export function structureCachePath(cacheDir: string, modelSha256: string): string {
  return join(cacheDir, 'scans', `${modelSha256}-v${STRUCTURE_CACHE_VERSION}.json`);
}

/** The stored or freshly scanned structure of `submission`'s model (undefined: unreadable). */
export async function modelStructure(
  submission: Submission,
  cacheDir: string,
): Promise<ModelStructure | undefined> {
  const path = structureCachePath(cacheDir, submission.modelSha256);
  if (existsSync(path)) {
    try {
      const stored = await readJsonFile(path, StoredStructure, 'stored model structure');
      if (stored.modelSha256 === submission.modelSha256) {
        return stored.structure ?? undefined;
      }
    } catch {
      // A torn or edited record is scanned again, never trusted.
    }
  }
  const scan = scanOnnxModel(await readFile(submission.modelPath), submission.modelPath);
  await writeJsonAtomic(path, StoredStructure, {
    version: STRUCTURE_CACHE_VERSION,
    modelSha256: submission.modelSha256,
    structure: scan.structure ?? null,
  });
  return scan.structure;
}

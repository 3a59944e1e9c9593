/**
 * What identifies a stored result: the fingerprint over every input that shapes its scores
 * (protocol, engine, seed, model, task definition, shard hashes, precision, replicates).
 * `evaluate` uses it to decide what to reuse, `merge` to accept only results of the current
 * inputs; both find results where schemas/results-layout.ts puts them.
 */
import type { ProtocolInfo } from '../schemas/protocols.ts';
import type { TaskDefinition } from '../schemas/task.ts';
import type { ShardLock } from './data/shard-lock.ts';
import type { EmbeddingPrecision } from './encode/cache.ts';
import { ENGINE_VERSION, SEED } from './protocol.ts';
import type { Submission } from './submissions/scan.ts';
import { taskShardNames } from './tasks/splits.ts';
import { fingerprint } from './util/hash.ts';

/** The fields of a task definition that change its scores under every protocol. */
const SCORED_TASK_FIELDS = [
  'version',
  'type',
  'metric',
  'labels',
  'splits',
  'cropSeconds',
  'segmentSeconds',
  'tokenizer',
  'trackA',
  'trackB',
] as const satisfies readonly (keyof TaskDefinition)[];

function taskFingerprint(task: TaskDefinition, protocol: ProtocolInfo): string {
  return fingerprint({
    ...Object.fromEntries(SCORED_TASK_FIELDS.map((field) => [field, task[field]])),
    // Padded batches make every embedding depend on its batch, so the batch size counts there.
    ...(protocol.batching === 'padded' ? { encodeBatchSize: task.encodeBatchSize } : {}),
    // There, frame tasks are evaluated on zero-padded batches of the Track A batch size
    // (heads/sources.ts, paddedFrameProbeSource): results from before that are recomputed.
    ...(protocol.batching === 'padded' && task.type === 'frame'
      ? { frameEvaluation: 'zero-padded batches' }
      : {}),
  });
}

/** Frame-level embeddings may be stored in float16; everything else is float32. */
export function storedPrecision(
  task: TaskDefinition,
  precision: EmbeddingPrecision,
): EmbeddingPrecision {
  return task.type === 'frame' || task.type === 'asr' ? precision : 'float32';
}

export function resultFingerprint(
  protocol: ProtocolInfo,
  submission: Submission,
  task: TaskDefinition,
  shards: Readonly<Record<string, string>>,
  precision: EmbeddingPrecision,
  replicates: number,
): string {
  const { sampleRate, embeddingDim, hopMs, maxInputSeconds } = submission.manifest;
  return fingerprint({
    protocol: protocol.id,
    engineVersion: ENGINE_VERSION,
    seed: SEED,
    model: { sha256: submission.modelSha256, sampleRate, embeddingDim, hopMs, maxInputSeconds },
    task: taskFingerprint(task, protocol),
    shards,
    precision: storedPrecision(task, precision),
    replicates,
  });
}

/** Shard hashes promised by the lock file, if it covers every shard of the task. */
export function lockedShards(
  task: TaskDefinition,
  lock: ShardLock,
): Record<string, string> | undefined {
  const hashes: Record<string, string> = {};
  for (const name of taskShardNames(task)) {
    const hash = lock.shards[`${task.id}/${name}`];
    if (hash === undefined) {
      return undefined;
    }
    hashes[name] = hash;
  }
  return hashes;
}

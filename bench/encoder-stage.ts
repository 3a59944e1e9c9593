/**
 * The encoder stage of each example encoder against bare onnxruntime on the same batches: the
 * stage (a supervised encoder process started, the model loaded, shards read, decoded,
 * resampled, cropped, batched, encoded, pooled, checked and written to the cache) against
 * `session.run` alone on the very batches the stage builds, in this process, with the session
 * already loaded. The difference is everything the pipeline adds around the encoder.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOLS } from '../schemas/protocols.ts';
import type { TaskDefinition } from '../schemas/task.ts';
import { prepareTaskData, type ReadyTaskData } from '../pipeline/data/prepare.ts';
import { lockFilePath, readShardLock } from '../pipeline/data/shard-lock.ts';
import { packTar, readWebDataset, type ShardEntry } from '../pipeline/data/webdataset.ts';
import { readStreamsInline } from '../pipeline/encode/crop-readers.ts';
import type { CropBatch } from '../pipeline/encode/crop-batches.ts';
import { embeddingMode, encodeStreams, encodeTask } from '../pipeline/encode/stage.ts';
import { DEFAULT_ENCODE_LIMITS } from '../pipeline/encode/supervisor.ts';
import { createMemoryLogger } from '../pipeline/log.ts';
import { OrtSession } from '../pipeline/runtime/ort.ts';
import { demoShardGenerator } from '../pipeline/suites/demo/generate.ts';
import { getSuite, suiteTasks } from '../pipeline/suites/index.ts';
import { loadSubmission, type Submission } from '../pipeline/submissions/scan.ts';
import { median, timed, type Row } from './measure.ts';

export async function demoTaskData(task: TaskDefinition, cacheDir: string): Promise<ReadyTaskData> {
  const prepared = await prepareTaskData(task, {
    cacheDir,
    suiteId: 'demo',
    lock: await readShardLock(lockFilePath('demo')),
    lockFile: lockFilePath('demo'),
    logger: createMemoryLogger(),
    generator: demoShardGenerator,
    environment: {},
  });
  if (prepared.status !== 'ready') {
    throw new Error(`${task.id}: demo data not ready (${prepared.reason})`);
  }
  return prepared;
}

/**
 * The task's shards with every sample repeated `copies` times under new keys, so fixed costs
 * (starting the encoder process, loading the model) weigh what they weigh on a real task.
 */
async function enlargedTaskData(
  data: ReadyTaskData,
  copies: number,
  dir: string,
): Promise<ReadyTaskData> {
  const shards: Record<string, string> = {};
  for (const shard of Object.keys(data.shards)) {
    const entries: ShardEntry[] = [];
    for (let copy = 0; copy < copies; copy++) {
      for await (const sample of readWebDataset(createReadStream(join(data.dir, shard)), shard)) {
        for (const [extension, bytes] of sample.files) {
          entries.push({ name: `${sample.key}-${copy}.${extension}`, bytes });
        }
      }
    }
    const bytes = await packTar(entries);
    await writeFile(join(dir, shard), bytes);
    shards[shard] = createHash('sha256').update(bytes).digest('hex');
  }
  return { ...data, dir, shards };
}

/** The batches the stage builds for a task, every shard once, in the stage's order. */
export async function stageBatches(
  submission: Submission,
  task: TaskDefinition,
  data: ReadyTaskData,
): Promise<CropBatch[]> {
  const streams = encodeStreams(task, PROTOCOLS.leaderboard);
  const shards = streams.flatMap((stream) => stream.shards);
  let next = 0;
  const batches: CropBatch[] = [];
  for await (const { event } of readStreamsInline({
    contract: submission.manifest,
    labels: task.labels,
    dataDir: data.dir,
    shards,
    streams: streams.map((stream) => stream.shards.map(() => next++)),
    mode: embeddingMode(task),
    cropSeconds: task.cropSeconds,
    batchSize: task.encodeBatchSize,
    batching: PROTOCOLS.leaderboard.batching,
  })) {
    if (event.type === 'batch') {
      batches.push(event.batch);
    }
  }
  return batches;
}

export async function encoderStageRows(
  root: string,
  slugs: readonly string[],
  taskId: string,
  copies: number,
  repetitions: number,
  /** Reader thread counts to measure, each against the same bare runs. */
  readerCounts: readonly number[] = [1, 2],
): Promise<Row[]> {
  const cacheDir = join(root, '.cache');
  const task = suiteTasks(getSuite('demo')).find((candidate) => candidate.id === taskId);
  if (!task) {
    throw new Error(`no demo task ${taskId}`);
  }
  const shardsDir = await mkdtemp(join(tmpdir(), 'bench-shards-'));
  const data = await enlargedTaskData(await demoTaskData(task, cacheDir), copies, shardsDir);
  const rows: Row[] = [];
  for (const slug of slugs) {
    const submission = await loadSubmission(join(root, 'submissions', slug), slug, cacheDir);
    const batches = await stageBatches(submission, task, data);
    const session = await OrtSession.create(submission.modelPath, { label: slug });
    const inputName = session.inputNames[0] as string;
    const tensors = batches.map((batch) => ({
      [inputName]: { data: batch.input, dims: [batch.count, batch.width] },
    }));
    await session.run(tensors[0] ?? {});
    const bare: number[] = [];
    const stage = new Map<number, number[]>(readerCounts.map((readers) => [readers, []]));
    let audioSeconds = 0;
    // Interleaved, so a slow spell of the machine falls on every variant alike.
    for (let repetition = 0; repetition < repetitions; repetition++) {
      bare.push(
        await timed(async () => {
          for (const feeds of tensors) {
            await session.run(feeds);
          }
        }),
      );
      for (const readers of readerCounts) {
        const work = await mkdtemp(join(tmpdir(), 'bench-stage-'));
        stage.get(readers)?.push(
          await timed(async () => {
            const encoded = await encodeTask({
              submission,
              task,
              data,
              cacheDir: work,
              protocol: PROTOCOLS.leaderboard,
              provider: 'cpu',
              precision: 'float32',
              limits: DEFAULT_ENCODE_LIMITS,
              logger: createMemoryLogger(),
              label: `${slug} x ${task.id}`,
              readers,
            });
            audioSeconds = encoded.encodedSeconds;
          }),
        );
        await rm(work, { recursive: true, force: true });
      }
    }
    await session.release();
    const bareSeconds = median(bare);
    for (const readers of readerCounts) {
      const stageSeconds = median(stage.get(readers) ?? []);
      const threads = `${readers} reader${readers === 1 ? '' : 's'}`;
      rows.push({
        name: `encoder stage, ${slug} x ${task.id}, ${threads} (${audioSeconds.toFixed(0)} s of audio, ${batches.length} batches)`,
        baseline: 'bare session.run',
        baselineSeconds: bareSeconds,
        measured: `encoder stage, ${threads}`,
        measuredSeconds: stageSeconds,
        note: `encoder stage, ${slug}, ${threads}: overhead ${((stageSeconds / bareSeconds - 1) * 100).toFixed(0)}% over bare onnxruntime (${(audioSeconds / bareSeconds).toFixed(0)}x real time bare, ${(audioSeconds / stageSeconds).toFixed(0)}x in the stage)`,
      });
    }
  }
  await rm(shardsDir, { recursive: true, force: true });
  return rows;
}

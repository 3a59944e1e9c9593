import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../pipeline/audio/wav.ts';
import { packTar } from '../../../pipeline/data/webdataset.ts';
import { embeddingFilePath, openEmbeddingFile } from '../../../pipeline/encode/cache.ts';
import {
  runEncodeJob,
  workerEnvironment,
  type EncodeLimits,
} from '../../../pipeline/encode/supervisor.ts';
import type { EncodeJob } from '../../../pipeline/encode/worker.ts';
import { EncoderError, EnvironmentError } from '../../../pipeline/errors.ts';
import { GraphBuilder } from '../../../pipeline/onnx/graph-builder.ts';

const SAMPLE_RATE = 8000;

/** [B, W] -> [B, W/80, 4]: frames of 80 samples with four features (a tiny working encoder). */
function workingEncoder(): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('audio', 'float32', ['b', 'w']);
  const frames = g.op('Reshape', [x, g.int64s([0, -1, 80])]);
  const features = g.op('Slice', [frames, g.int64s([0]), g.int64s([4]), g.int64s([2])]);
  g.output(features, 'float32', ['b', 't', 4], 'embeddings');
  return g.toModel();
}

/**
 * The tiny encoder's output after a Loop of `iterations` steps over the waveform, each step
 * built by `step` from the loop-carried waveform (which it must return unchanged in value).
 */
function loopingEncoder(
  name: string,
  iterations: number,
  step: (body: GraphBuilder, carried: string) => string,
): Uint8Array {
  const body = new GraphBuilder(name, { prefix: `${name}_` });
  body.input(`${name}_i`, 'int64', []);
  const condition = body.input(`${name}_cond`, 'bool', []);
  const carried = body.input(`${name}_v`, 'float32', ['b', 'w']);
  body.output(body.op('Identity', [condition]), 'bool', []);
  body.output(step(body, carried), 'float32', ['b', 'w']);
  const g = new GraphBuilder(name);
  const x = g.input('audio', 'float32', ['b', 'w']);
  const looped = g.op(
    'Loop',
    [g.int64s([iterations]), g.constant(Uint8Array.of(1), [], 'bool'), x],
    { body: { graph: body } },
  );
  const frames = g.op('Reshape', [looped, g.int64s([0, -1, 80])]);
  g.output(
    g.op('Slice', [frames, g.int64s([0]), g.int64s([4]), g.int64s([2])]),
    'float32',
    ['b', 't', 4],
    'embeddings',
  );
  return g.toModel();
}

/** Spins (practically) forever. */
const hangingEncoder = () =>
  loopingEncoder('spin', 1e12, (body, carried) => body.op('Mul', [carried, body.scalar(1)]));

/** Holds a 256 MiB tensor in every step. */
const greedyEncoder = () =>
  loopingEncoder('grab', 1e9, (body, carried) => {
    const big = body.op('Expand', [body.scalar(1), body.int64s([64 * 1024 * 1024])]);
    const total = body.op('ReduceSum', [big], { keepdims: 0 });
    return body.op('Add', [carried, body.op('Mul', [total, body.scalar(0)])]);
  });

/** Asks for a 4 TiB tensor in one go, shaped by the batch size so it is not folded at load. */
const hugeAllocationEncoder = (): Uint8Array => {
  const g = new GraphBuilder('huge');
  const x = g.input('audio', 'float32', ['b', 'w']);
  const batch = g.op('Shape', [x], { start: 0, end: 1 });
  const shape = g.op('Concat', [batch, g.int64s([1 << 20, 1 << 20])], { axis: 0 });
  const huge = g.op('ConstantOfShape', [shape], {
    value: { tensor: { data: Float32Array.of(1), dims: [1] } },
  });
  const total = g.op('ReduceSum', [huge], { keepdims: 0 });
  const frames = g.op('Reshape', [x, g.int64s([0, -1, 80])]);
  const features = g.op('Slice', [frames, g.int64s([0]), g.int64s([4]), g.int64s([2])]);
  g.output(
    g.op('Add', [features, g.op('Mul', [total, g.scalar(0)])]),
    'float32',
    ['b', 't', 4],
    'embeddings',
  );
  return g.toModel();
};

let dir: string;

async function shard(name: string, clips: number): Promise<void> {
  const entries = [];
  for (let i = 0; i < clips; i++) {
    const samples = Float32Array.from({ length: 800 }, (_, t) => Math.sin((t * (i + 1)) / 10));
    entries.push({ name: `clip${i}.wav`, bytes: encodeWav([samples], SAMPLE_RATE, 'pcm16') });
    entries.push({
      name: `clip${i}.json`,
      bytes: new TextEncoder().encode(JSON.stringify({ label: i % 2 === 0 ? 'a' : 'b' })),
    });
  }
  await writeFile(join(dir, name), await packTar(entries));
}

function job(model: string, shards: readonly string[]): EncodeJob {
  return {
    modelPath: join(dir, model),
    contract: { sampleRate: SAMPLE_RATE, embeddingDim: 4, maxInputSeconds: 10 },
    provider: 'cpu',
    threads: 1,
    mode: 'pooled',
    precision: 'float32',
    cropSeconds: undefined,
    batchSize: 4,
    batching: 'equal-length',
    chunking: 'per-crop',
    labels: { kind: 'single', key: 'label', classes: ['a', 'b'] },
    dataDir: dir,
    streams: shards.map((_, index) => [index]),
    readers: 1,
    shards: shards.map((name) => {
      const identity = {
        key: 'a'.repeat(64),
        modelSha256: 'b'.repeat(64),
        task: 'test',
        taskVersion: 1,
        split: 'train',
        shard: name,
        shardSha256: 'c'.repeat(64),
        sequence: null,
      };
      return {
        name,
        identity,
        path: embeddingFilePath(join(dir, 'cache'), identity),
        write: true,
      };
    }),
  };
}

const QUICK: EncodeLimits = { loadSeconds: 30, idleSeconds: 30 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'supervisor-'));
  await writeFile(join(dir, 'working.onnx'), workingEncoder());
  await writeFile(join(dir, 'hanging.onnx'), hangingEncoder());
  await writeFile(join(dir, 'greedy.onnx'), greedyEncoder());
  await writeFile(join(dir, 'huge.onnx'), hugeAllocationEncoder());
  await shard('one.tar', 3);
  await shard('two.tar', 2);
});

// Each test starts an encoder process; the limits under test are set inside the tests.
describe('runEncodeJob', { timeout: 120_000 }, () => {
  it('encodes each shard into the cache and reports the provider and peak memory', async () => {
    const encode = job('working.onnx', ['one.tar', 'two.tar']);
    const shards: string[] = [];
    const outcome = await runEncodeJob(encode, QUICK, {
      onShard: (message) => shards.push(`${message.name}:${message.items}`),
    });
    expect(shards).toEqual(['one.tar:3', 'two.tar:2']);
    expect(outcome.provider).toBe('cpu');
    expect(outcome.peakRssBytes).toBeGreaterThan(10 * 2 ** 20);
    const opened = await openEmbeddingFile(
      encode.shards[0]?.path ?? '',
      encode.shards[0]?.identity ?? ({} as never),
    );
    expect(opened.status).toBe('ok');
    if (opened.status === 'ok') {
      expect(opened.file.header.items.map((item) => item.target)).toEqual([
        { kind: 'class', index: 0 },
        { kind: 'class', index: 1 },
        { kind: 'class', index: 0 },
      ]);
      // Pooled: one row of four values per clip.
      expect(opened.file.header.items.map((item) => item.frames)).toEqual([1, 1, 1]);
      expect((await opened.file.read(0, 3)).length).toBe(3 * 4);
    }
  });

  it('stops a model that makes no progress, naming the shard and the limit', async () => {
    const error = await runEncodeJob(job('hanging.onnx', ['one.tar']), {
      loadSeconds: 30,
      idleSeconds: 1,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EncoderError);
    expect((error as EncoderError).message).toMatch(
      /made no progress for 1 s while encoding one\.tar and was stopped/,
    );
    expect((error as EncoderError).hint).toMatch(/--idle-timeout/);
  });

  it('stops a model that does not load in time', async () => {
    // Node plus onnxruntime take far longer than 50 ms to start, so the load limit fires.
    const error = await runEncodeJob(job('working.onnx', ['one.tar']), {
      loadSeconds: 0.05,
      idleSeconds: 30,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EncoderError);
    expect((error as EncoderError).message).toMatch(/did not load within 0\.05 s and was stopped/);
    expect((error as EncoderError).hint).toMatch(/--load-timeout/);
  });

  it('stops a task that runs past its total limit, naming the shard', async () => {
    const error = await runEncodeJob(job('hanging.onnx', ['one.tar']), {
      loadSeconds: 30,
      idleSeconds: 30,
      totalSeconds: 2,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EncoderError);
    expect((error as EncoderError).message).toMatch(
      /did not finish within 2 s \(at one\.tar\) and was stopped/,
    );
    expect((error as EncoderError).hint).toMatch(/--task-timeout/);
  });

  it('stops a model that grows past the memory limit', async () => {
    const error = await runEncodeJob(job('greedy.onnx', ['one.tar']), {
      ...QUICK,
      memoryBytes: 200 * 2 ** 20,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EncoderError);
    expect((error as EncoderError).message).toMatch(
      /used \d+ MiB of memory while encoding one\.tar, more than the limit of 200 MiB/,
    );
  });

  it('fails a model that asks for an impossible allocation, and the next model still runs', async () => {
    const error = await runEncodeJob(job('huge.onnx', ['one.tar']), {
      ...QUICK,
      memoryBytes: 2 ** 30,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EncoderError);
    expect((error as EncoderError).message).toMatch(
      /huge\.onnx: onnxruntime failed while running: .*Failed to allocate memory/,
    );
    const shards: string[] = [];
    await runEncodeJob(job('working.onnx', ['two.tar']), QUICK, {
      onShard: (message) => shards.push(message.name),
    });
    expect(shards).toEqual(['two.tar']);
  });

  it('reports an encoder process killed from outside as such, keeping finished shards', async () => {
    const encode = job('working.onnx', ['one.tar', 'two.tar']);
    let pid = 0;
    const error = await runEncodeJob(encode, QUICK, {
      onStarted: (started) => {
        pid = started;
      },
      // The process dies (as under the kernel's OOM killer) once the first shard is stored.
      onShard: () => {
        process.kill(pid, 'SIGKILL');
      },
    }).catch((caught: unknown) => caught);
    // Not the model's fault: said so, with a fix that is not "re-export the model".
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toMatch(
      /: the encoder process was killed from outside \(signal SIGKILL\) while encoding \w+\.tar: the kernel's out-of-memory killer or a user$/,
    );
    expect((error as EnvironmentError).hint).toMatch(/^not a fault found in the model: /);
    expect((error as EnvironmentError).hint).not.toMatch(/re-export/);
    const first = encode.shards[0];
    expect(first && (await openEmbeddingFile(first.path, first.identity)).status).toBe('ok');
  });

  it('reports a model onnxruntime cannot load as the encoder failing, not as a crash', async () => {
    await writeFile(join(dir, 'garbage.onnx'), 'not a model');
    const error = await runEncodeJob(job('garbage.onnx', ['one.tar']), QUICK).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EncoderError);
    expect((error as EncoderError).message).toMatch(/onnxruntime could not load the model/);
  });
});

describe('workerEnvironment', () => {
  it('passes GPU driver settings to the encoder process and nothing else', () => {
    expect(
      workerEnvironment({
        PATH: '/usr/bin',
        CUDA_VISIBLE_DEVICES: '0',
        VK_ICD_FILENAMES: '/etc/vulkan/icd.d/nvidia_icd.json',
        LEADERBOARD_PRIVATE_DATA_URL: 'https://private.example/data',
        LEADERBOARD_PRIVATE_DATA_TOKEN: 'secret',
        GITHUB_TOKEN: 'ghs_secret',
        ACTIONS_RUNTIME_TOKEN: 'secret',
        HOME: '/root',
      }),
    ).toEqual({
      PATH: '/usr/bin',
      CUDA_VISIBLE_DEVICES: '0',
      VK_ICD_FILENAMES: '/etc/vulkan/icd.d/nvidia_icd.json',
    });
  });
});

/**
 * Encoders that break the submission contract in exactly one way each, built from the log-mel
 * front end so everything else about them is right. Used to pin the checker's messages.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SubmissionManifestInput } from '../../schemas/manifest.ts';
import {
  LOGMEL_BASELINE,
  logMelFrontEnd,
  type LogMelConfig,
} from '../../pipeline/example-encoders/logmel.ts';
import { GraphBuilder } from '../../pipeline/onnx/graph-builder.ts';
import { decodeModel, encodeModel } from '../../pipeline/onnx/proto.ts';
import { sha256Bytes } from '../../pipeline/util/hash.ts';
import { SeededRandom } from '../../pipeline/util/random.ts';

const MELS = LOGMEL_BASELINE.nMels;

function logMelGraph(
  extend?: (g: GraphBuilder, waveform: string, features: string) => string,
  outputDims?: readonly (number | string)[] | null,
  config: LogMelConfig = LOGMEL_BASELINE,
): Uint8Array {
  const g = new GraphBuilder('broken');
  const waveform = g.input('waveform', 'float32', ['batch', 'samples']);
  const features = logMelFrontEnd(g, waveform, config);
  const output = extend ? extend(g, waveform, features) : features;
  g.output(
    output,
    'float32',
    outputDims === null ? undefined : (outputDims ?? ['batch', 'frames', MELS]),
    'embeddings',
  );
  return g.toModel();
}

export const validLogMel = (): Uint8Array => logMelGraph();

/** Pools over time inside the model: [batch, 64] instead of [batch, frames, 64]. No shape declared, so only running it shows the problem. */
export const wrongRank = (): Uint8Array =>
  logMelGraph(
    (g, _w, features) => g.op('ReduceMean', [features, g.int64s([1])], { keepdims: 0 }),
    null,
  );

/** Declares its output as rank 2 in the graph, which the static scan sees. */
export const wrongRankDeclared = (): Uint8Array =>
  logMelGraph(
    (g, _w, features) => g.op('ReduceMean', [features, g.int64s([1])], { keepdims: 0 }),
    ['batch', MELS],
  );

/** log(-|x| - 1) is NaN everywhere. */
export const nanOutput = (): Uint8Array =>
  logMelGraph((g, _w, features) =>
    g.op('Log', [g.op('Sub', [g.op('Neg', [g.op('Abs', [features])]), g.scalar(1)])]),
  );

/** Adds fresh Gaussian noise on every run. */
export const nonDeterministic = (): Uint8Array =>
  logMelGraph((g, _w, features) =>
    g.op('Add', [features, g.op('RandomNormalLike', [features], { scale: { float: 0.01 } })]),
  );

/**
 * Correct frames, but an extra branch with a 2000-sample convolution (no padding) is added in
 * with weight 0, so inputs shorter than 0.125 s make onnxruntime fail.
 */
export const failsOnShortInput = (): Uint8Array =>
  logMelGraph((g, waveform, features) => {
    const kernel = g.constant(new Float32Array(2000).fill(1 / 2000), [1, 1, 2000]);
    const wide = g.op('Conv', [g.op('Unsqueeze', [waveform, g.int64s([1])]), kernel], {
      kernel_shape: [2000],
      strides: [160],
    });
    const zero = g.op('Mul', [g.op('ReduceMean', [wide], { keepdims: 1 }), g.scalar(0)]);
    return g.op('Add', [features, zero]);
  });

/*
 * Encoders the checker of engine 4 passed and the current one rejects, each beside its good
 * counterpart. Their names say what is wrong; each probe that catches one is named with it.
 */

/** `silence`: log(mel) without an epsilon, so digital silence gives log(0) = -inf. */
export const logWithoutEpsilon = (): Uint8Array =>
  logMelGraph(undefined, undefined, { ...LOGMEL_BASELINE, floor: 0 });

/** 80 dB below the loudest value, in the natural log of the log-mel front end. */
const TOP_DB_IN_NATURAL_LOG = (80 / 10) * Math.log(10);

/** Clips each value to `top_db` below a maximum taken over `axes` (all axes: the whole batch). */
function topDbFloor(axes: readonly number[] | undefined) {
  return (g: GraphBuilder, _waveform: string, features: string): string => {
    const loudest =
      axes === undefined
        ? g.op('ReduceMax', [features], { keepdims: 1 })
        : g.op('ReduceMax', [features, g.int64s(axes)], { keepdims: 1 });
    return g.op('Max', [features, g.op('Sub', [loudest, g.scalar(TOP_DB_IN_NATURAL_LOG)])]);
  };
}

/**
 * `batch-invariance`: torchaudio's `AmplitudeToDB(top_db=80)` applied to a batch, which takes its
 * floor from the loudest value of the whole batch (as dasheng's front end does).
 */
export const batchWideFloor = (): Uint8Array => logMelGraph(topDbFloor(undefined));

/** The same floor taken per clip, over its frames and bands. */
export const perClipFloor = (): Uint8Array => logMelGraph(topDbFloor([1, 2]));

/**
 * A frame-energy feature added to every band: the power spectrum summed over frequency, which by
 * Parseval is nFft x the frame's sum of squares. In float16 (as a model converted to half
 * precision computes it) it overflows above 65504, which full-scale input reaches and noise at
 * 0.3 does not.
 */
function frameEnergy(precision: 'float16' | 'float32') {
  return (g: GraphBuilder, waveform: string, features: string): string => {
    const { nFft, hop } = LOGMEL_BASELINE;
    const half = nFft / 2;
    const channel = g.op('Unsqueeze', [g.op('Mul', [waveform, waveform]), g.int64s([1])]);
    const padded = g.op('Pad', [channel, g.int64s([0, 0, half, 0, 0, half])], { mode: 'constant' });
    const ones = g.constant(new Float32Array(nFft).fill(nFft), [1, 1, nFft]);
    let energy = g.op('Conv', [padded, ones], { kernel_shape: [nFft], strides: [hop] });
    if (precision === 'float16') {
      energy = g.op('Cast', [g.op('Cast', [energy], { to: 10 })], { to: 1 });
    }
    const logEnergy = g.op('Log', [g.op('Add', [energy, g.scalar(1e-6)])]);
    return g.op('Add', [features, g.op('Transpose', [logEnergy], { perm: [0, 2, 1] })]);
  };
}

/** `full-scale`: the frame energy in float16. */
export const float16FrameEnergy = (): Uint8Array => logMelGraph(frameEnergy('float16'));

/** The frame energy in float32. */
export const float32FrameEnergy = (): Uint8Array => logMelGraph(frameEnergy('float32'));

const BLOCK = 400;

/**
 * Frames of 25 ms by reshaping the waveform into blocks of 400 samples and projecting each:
 * hop 25 ms. Pads to a multiple of 400 first when `pad` is set; otherwise only multiples of 400
 * run, which every probe of engine 4 was (0.1 s, 50000 samples, 10 s, 60 s, 600 s).
 */
function blockFraming(pad: boolean): Uint8Array {
  const g = new GraphBuilder('blocks');
  let waveform = g.input('waveform', 'float32', ['batch', 'samples']);
  if (pad) {
    const samples = g.op('Gather', [g.op('Shape', [waveform]), g.int64s([1])], { axis: 0 });
    const block = g.constant(new BigInt64Array([BigInt(BLOCK)]), [1]);
    const missing = g.op('Mod', [g.op('Sub', [block, g.op('Mod', [samples, block])]), block]);
    const pads = g.op('Concat', [g.int64s([0, 0, 0]), missing], { axis: 0 });
    waveform = g.op('Pad', [waveform, pads], { mode: 'constant' });
  }
  const blocks = g.op('Reshape', [waveform, g.int64s([0, -1, BLOCK])]);
  const rng = new SeededRandom(7, 'blocks');
  const weights = Float32Array.from({ length: BLOCK * MELS }, () => rng.normal() / 20);
  const projected = g.op('MatMul', [blocks, g.initializer('projection', weights, [BLOCK, MELS])]);
  g.output(projected, 'float32', ['batch', 'frames', MELS], 'embeddings');
  return g.toModel();
}

/** `chunking`: fails on every length that is not a multiple of 400 samples. */
export const blocksWithoutPadding = (): Uint8Array => blockFraming(false);

/** Pads to a multiple of 400 samples first. */
export const blocksWithPadding = (): Uint8Array => blockFraming(true);

const WHISPER_SAMPLES = 30 * 16000;

/**
 * Whisper's input handling: pad or crop every call to 30 s, so the output always has 3001
 * frames. With `trim`, the frames of the padding are cut off again (frames = samples / 160 + 1),
 * as the checker's advice says.
 */
function fixedLength(trim: boolean): Uint8Array {
  const g = new GraphBuilder('fixed-length');
  const waveform = g.input('waveform', 'float32', ['batch', 'samples']);
  const samples = g.op('Gather', [g.op('Shape', [waveform]), g.int64s([1])], { axis: 0 });
  const target = g.constant(new BigInt64Array([BigInt(WHISPER_SAMPLES)]), [1]);
  const missing = g.op('Max', [g.op('Sub', [target, samples]), g.int64s([0])]);
  const padded = g.op('Pad', [
    waveform,
    g.op('Concat', [g.int64s([0, 0, 0]), missing], { axis: 0 }),
  ]);
  const cropped = g.op('Slice', [padded, g.int64s([0]), target, g.int64s([1])]);
  let features = logMelFrontEnd(g, cropped, LOGMEL_BASELINE);
  if (trim) {
    const hop = g.constant(new BigInt64Array([BigInt(LOGMEL_BASELINE.hop)]), [1]);
    const frames = g.op('Add', [g.op('Div', [samples, hop]), g.int64s([1])]);
    features = g.op('Slice', [features, g.int64s([0]), frames, g.int64s([1])]);
  }
  g.output(features, 'float32', ['batch', 'frames', MELS], 'embeddings');
  return g.toModel();
}

/** `frame-rate`: 3001 frames whatever the input, as whisper's encoder. */
export const fixedThirtySeconds = (): Uint8Array => fixedLength(false);

/** Pads to 30 s and trims the frames of the padding off again. */
export const fixedThirtySecondsTrimmed = (): Uint8Array => fixedLength(true);

/**
 * Loses frames at both edges: the log-mel front end without its centre padding (2.5 frames) and
 * then a 5-frame temporal smoothing without padding (4 more), hop 10 ms.
 */
export const losesEdgeFrames = (): Uint8Array =>
  logMelGraph((g, _w, features) => {
    const inner = g.op('Slice', [features, g.int64s([2]), g.int64s([-2]), g.int64s([1])]);
    const channels = g.op('Transpose', [inner], { perm: [0, 2, 1] });
    const kernel = new Float32Array(MELS * 5);
    for (let m = 0; m < MELS; m++) {
      kernel.fill(1 / 5, m * 5, (m + 1) * 5);
    }
    const smoothed = g.op('Conv', [channels, g.constant(kernel, [MELS, 1, 5])], {
      kernel_shape: [5],
      group: MELS,
    });
    return g.op('Transpose', [smoothed], { perm: [0, 2, 1] });
  });

/**
 * Correct frames plus a branch that needs a full 25 ms window (an unpadded 400-sample
 * convolution): fails on any piece shorter than 400 samples, such as the 160-sample last chunk
 * that fixed 10 s chunks give a 10.01 s clip.
 */
export const needsFullWindow = (): Uint8Array =>
  logMelGraph((g, waveform, features) => {
    const kernel = g.constant(new Float32Array(BLOCK).fill(1 / BLOCK), [1, 1, BLOCK]);
    const window = g.op('Conv', [g.op('Unsqueeze', [waveform, g.int64s([1])]), kernel], {
      kernel_shape: [BLOCK],
      strides: [160],
    });
    const zero = g.op('Mul', [g.op('ReduceMean', [window], { keepdims: 1 }), g.scalar(0)]);
    return g.op('Add', [features, zero]);
  });

/**
 * An outer product of the waveform with itself, broadcast over 64 channels: memory grows with
 * the square of the length, and the X-ARES probe alone asks for 1.2 TB.
 */
export const quadraticMemory = (): Uint8Array => {
  const g = new GraphBuilder('quadratic');
  const waveform = g.input('waveform', 'float32', ['batch', 'samples']);
  const rows = g.op('Unsqueeze', [waveform, g.int64s([2, 3])]);
  const columns = g.op('Unsqueeze', [waveform, g.int64s([1, 3])]);
  const outer = g.op('Mul', [
    g.op('Mul', [rows, columns]),
    g.constant(new Float32Array(MELS).fill(1), [1, 1, 1, MELS]),
  ]);
  g.output(
    g.op('ReduceMean', [outer, g.int64s([2])], { keepdims: 0 }),
    'float32',
    ['batch', 'frames', MELS],
    'embeddings',
  );
  return g.toModel();
};

/** A node in a custom operator domain on the output path. */
export const customDomain = (): Uint8Array => {
  const model = decodeModel(validLogMel());
  const nodes = model.graph?.node ?? [];
  const last = nodes[nodes.length - 1];
  if (last) {
    last.domain = 'com.evil';
  }
  return encodeModel(model);
};

/** The filterbank initializer points at a file outside the model ("../../etc/passwd"). */
export const externalData = (): Uint8Array => {
  const model = decodeModel(validLogMel());
  const bank = (model.graph?.initializer ?? []).find((tensor) => tensor.name === 'mel_filterbank');
  if (bank) {
    delete bank.raw_data;
    bank.data_location = 1;
    bank.external_data = [
      { key: 'location', value: '../../etc/passwd' },
      { key: 'offset', value: '0' },
    ];
  }
  return encodeModel(model);
};

/** Stamped with ONNX opset 3. */
export const oldOpset = (): Uint8Array => {
  const model = decodeModel(validLogMel());
  model.opset_import = [{ domain: '', version: 3 }];
  return encodeModel(model);
};

/** Exported with a fixed input shape, as torch.onnx.export does without dynamic_axes. */
export const fixedInputShape = (): Uint8Array => {
  const model = decodeModel(validLogMel());
  const input = model.graph?.input?.[0];
  if (input?.type?.tensor_type) {
    input.type.tensor_type.shape = { dim: [{ dim_value: 1 }, { dim_value: 16000 }] };
  }
  return encodeModel(model);
};

export const LOGMEL_MANIFEST: Omit<SubmissionManifestInput, 'encoder'> = {
  team: 'Checker fixtures',
  affiliation: 'Tests',
  model: { name: 'Fixture', version: '1' },
  description: 'A log-mel encoder used to test the checker.',
  license: 'MIT',
  trainingData: { description: 'None.', availability: 'public', evaluationOverlap: 'none' },
  sampleRate: 16000,
  embeddingDim: MELS,
  hopMs: 10,
  // The checker feeds pieces from half of this length up to it and fits the frame rate up to it:
  // 60 s keeps every check, the timed one included (it times clips of 60 s), with a tenth of the
  // audio of the example encoders' 600 s.
  maxInputSeconds: 60,
};

/** Write `submissions/<slug>/` with `model.onnx` and a manifest pinning its exact bytes. */
export async function writeSubmission(
  root: string,
  slug: string,
  model: Uint8Array | string,
  overrides: Partial<SubmissionManifestInput> = {},
): Promise<string> {
  const dir = join(root, slug);
  await mkdir(dir, { recursive: true });
  const bytes = typeof model === 'string' ? new TextEncoder().encode(model) : model;
  await writeFile(join(dir, 'model.onnx'), bytes);
  const manifest: SubmissionManifestInput = {
    ...LOGMEL_MANIFEST,
    encoder: { file: 'model.onnx', sha256: sha256Bytes(bytes), sizeBytes: bytes.byteLength },
    ...overrides,
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

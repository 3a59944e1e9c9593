/**
 * Encoders that break the submission contract in exactly one way each, built from the log-mel
 * front end so everything else about them is right. Used to pin the checker's messages.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SubmissionManifestInput } from '../../schemas/manifest.ts';
import { LOGMEL_BASELINE, logMelFrontEnd } from '../../pipeline/encoders/logmel.ts';
import { GraphBuilder } from '../../pipeline/onnx/graph-builder.ts';
import { decodeModel, encodeModel } from '../../pipeline/onnx/proto.ts';
import { sha256Bytes } from '../../pipeline/util/hash.ts';

const MELS = LOGMEL_BASELINE.nMels;

function logMelGraph(
  extend?: (g: GraphBuilder, waveform: string, features: string) => string,
  outputDims?: readonly (number | string)[] | null,
): Uint8Array {
  const g = new GraphBuilder('broken');
  const waveform = g.input('waveform', 'float32', ['batch', 'samples']);
  const features = logMelFrontEnd(g, waveform, LOGMEL_BASELINE);
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
  maxInputSeconds: 600,
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

/**
 * Random-feature convolutional encoder: a bank of random, Hann-windowed 25 ms filters applied
 * to the waveform every 10 ms, log-compressed magnitudes, then two random convolutions with ReLU
 * downsampling to a 20 ms hop. Nothing is trained; it shows what random features of the raw
 * waveform keep, between the log-mel baseline and the transformer in cost.
 */
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { hannWindow } from './logmel.ts';
import { uniformTensor, weight, type WeightOptions } from './weights.ts';

export const RANDOM_CONV = {
  sampleRate: 16000,
  filters: 128,
  filterLength: 400,
  filterHop: 160,
  channels: 256,
  seed: 7,
} as const;

export function buildRandomConvEncoder(): Uint8Array {
  const { filters, filterLength, filterHop, channels, seed } = RANDOM_CONV;
  const options: WeightOptions = { seed, half: false };
  const g = new GraphBuilder('random_conv');
  const waveform = g.input('waveform', 'float32', ['batch', 'samples']);
  const padded = g.op(
    'Pad',
    [
      g.op('Unsqueeze', [waveform, g.int64s([1])]),
      g.int64s([0, 0, filterLength / 2, 0, 0, filterLength / 2]),
    ],
    { mode: 'constant' },
  );

  const window = hannWindow(filterLength);
  const bank = uniformTensor(seed, 'filterbank', [filters, 1, filterLength], filterLength).map(
    (value, i) => value * (window[i % filterLength] as number),
  );
  const responses = g.op(
    'Conv',
    [padded, weight(g, options, 'filterbank', [filters, 1, filterLength], bank)],
    { strides: [filterHop], kernel_shape: [filterLength] },
  );
  // log(1 + 100 |x|): a compressed magnitude, like a filterbank energy in dB.
  const energies = g.op('Log', [
    g.op('Add', [g.op('Mul', [g.op('Abs', [responses]), g.scalar(100)]), g.scalar(1)]),
  ]);

  const conv = (name: string, x: string, inChannels: number, stride: number) => {
    const w = weight(
      g,
      options,
      `${name}.weight`,
      [channels, inChannels, 3],
      uniformTensor(seed, `${name}.weight`, [channels, inChannels, 3], inChannels * 3),
    );
    return g.op('Relu', [
      g.op('Conv', [x, w], { strides: [stride], kernel_shape: [3], pads: [1, 1] }),
    ]);
  };
  const hidden = conv('conv1', energies, filters, 2);
  const features = conv('conv2', hidden, channels, 1);
  g.output(
    g.op('Transpose', [features], { perm: [0, 2, 1] }),
    'float32',
    ['batch', 'frames', channels],
    'embeddings',
  );
  return g.toModel({
    docString: 'Random-feature convolutional encoder (untrained), 20 ms hop, 256 dimensions.',
  });
}

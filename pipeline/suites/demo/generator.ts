/**
 * The shape every demo generator shares and the storage variation they all apply: a generator
 * yields clips per split or fold, and each clip is stored at a mixed sample rate, format and
 * channel count so the suite exercises the pipeline's decoding and resampling.
 */
import type { SeededRandom } from '../../util/random.ts';

export type StorageFormat = 'wav16' | 'wav24' | 'wavf32' | 'flac16';

export interface SynthesisedClip {
  readonly channels: readonly Float32Array[];
  readonly sampleRate: number;
  readonly format: StorageFormat;
}

export interface GeneratedSample {
  readonly audio: SynthesisedClip;
  /** The sample's JSON label entry, in the layout of the X-ARES task it twins. */
  readonly label: unknown;
}

export interface DemoGenerator {
  /** Number of samples per split name or fold id. */
  readonly clips: Readonly<Record<string, number>>;
  /** Sample `index` of `group`; `rng` is its own stream. */
  sample(rng: SeededRandom, index: number, group: string): GeneratedSample;
}

export interface Storage {
  readonly sampleRate: number;
  readonly format: StorageFormat;
  readonly stereo: boolean;
}

/** Storage of one clip: mixed rates (resampled on read), mostly FLAC to keep the suite small, some 16-bit WAV, a few 24-bit and float WAV, some stereo. */
export function storage(
  rng: SeededRandom,
  rates: readonly number[] = [8000, 11025, 16000],
): Storage {
  const roll = rng.float();
  const format: StorageFormat =
    roll < 0.7 ? 'flac16' : roll < 0.96 ? 'wav16' : roll < 0.98 ? 'wav24' : 'wavf32';
  return { sampleRate: rng.pick(rates), format, stereo: rng.float() < 0.12 };
}

export function finish(rng: SeededRandom, mono: Float32Array, where: Storage): SynthesisedClip {
  if (!where.stereo) {
    return { channels: [mono], sampleRate: where.sampleRate, format: where.format };
  }
  const balance = rng.uniform(0.7, 1);
  const other = Float32Array.from(mono, (value) => value * balance);
  return {
    channels: rng.float() < 0.5 ? [mono, other] : [other, mono],
    sampleRate: where.sampleRate,
    format: where.format,
  };
}

/** Balanced single-label samples: class = position in a shuffled, evenly filled order. */
export function singleLabel(
  clips: Readonly<Record<string, number>>,
  classes: number,
  orderRng: (group: string) => SeededRandom,
  make: (rng: SeededRandom, classIndex: number) => GeneratedSample,
): DemoGenerator {
  const orders = new Map<string, number[]>();
  return {
    clips,
    sample(rng, index, group) {
      let order = orders.get(group);
      if (!order) {
        order = orderRng(group).shuffle(
          Array.from({ length: clips[group] ?? 0 }, (_, i) => i % classes),
        );
        orders.set(group, order);
      }
      return make(rng, order[index] ?? 0);
    },
  };
}

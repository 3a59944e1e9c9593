/**
 * Generators of the demo suite's synthetic tasks. Each one is designed so that a log-mel front
 * end scores well above chance and well below 100%: the class is carried by a spectral cue that
 * overlaps between neighbouring classes, under nuisance variation (excitation type, pitch,
 * level, background noise, sample rate, channel count).
 */
import type { WavEncoding } from '../../audio/wav.ts';
import type { SeededRandom } from '../../util/random.ts';
import {
  addNoiseAtSnr,
  applyEnvelope,
  bandPass,
  chirp,
  harmonicTone,
  mixInto,
  normalisePeak,
  pinkNoise,
  whiteNoise,
} from './synth.ts';

export interface SynthesisedClip {
  readonly channels: readonly Float32Array[];
  readonly sampleRate: number;
  readonly encoding: WavEncoding;
}

export interface DemoGenerator {
  /** Number of clips per split name or fold id. */
  readonly clips: Readonly<Record<string, number>>;
  /** JSON label of a clip of class `classIndex`. */
  label(classIndex: number, classes: readonly string[]): Record<string, unknown>;
  synthesise(rng: SeededRandom, classIndex: number): SynthesisedClip;
}

/** Storage rates of the demo clips: every clip is resampled to the encoder's rate on read. */
const SAMPLE_RATES = [8000, 11025, 16000, 16000, 16000, 22050] as const;

function storage(rng: SeededRandom): {
  sampleRate: number;
  encoding: WavEncoding;
  stereo: boolean;
} {
  const sampleRate = rng.pick(SAMPLE_RATES);
  const roll = rng.float();
  const encoding: WavEncoding = roll < 0.9 ? 'pcm16' : roll < 0.95 ? 'pcm24' : 'float32';
  return { sampleRate, encoding, stereo: rng.float() < 0.15 };
}

/** Turn a mono signal into the stored channels, with a small inter-channel level difference for stereo. */
function toChannels(rng: SeededRandom, mono: Float32Array, stereo: boolean): Float32Array[] {
  if (!stereo) {
    return [mono];
  }
  const balance = rng.uniform(0.7, 1);
  const right = Float32Array.from(mono, (value) => value * balance);
  return rng.float() < 0.5 ? [mono, right] : [right, mono];
}

/** Centre frequencies of the sound-event classes, a factor 1.6 apart. */
const EVENT_CENTRES = [250, 400, 640, 1024, 1640, 2620] as const;

/**
 * Six classes of short events, each concentrated around one centre frequency. The centre of a
 * clip is jittered by up to ±0.3 in log-frequency, so neighbouring classes overlap, and the
 * excitation (tone, band of noise, sweep, harmonic stack) varies independently of the class.
 */
export const soundEvents: DemoGenerator = {
  clips: { train: 144, valid: 48, test: 60 },
  label: (classIndex, classes) => ({ label: classes[classIndex] }),
  synthesise(rng, classIndex) {
    const { sampleRate, encoding, stereo } = storage(rng);
    const length = Math.round(rng.uniform(0.5, 0.8) * sampleRate);
    const centre = (EVENT_CENTRES[classIndex] as number) * Math.exp(rng.uniform(-0.3, 0.3));
    const eventLength = Math.round(length * rng.uniform(0.4, 0.9));
    const nyquistGuard = sampleRate * 0.45;
    let event: Float32Array;
    switch (rng.int(0, 3)) {
      case 0:
        event = harmonicTone(eventLength, sampleRate, centre, [1], {
          maxFrequency: nyquistGuard,
          vibratoDepth: rng.uniform(0, 0.02),
        });
        break;
      case 1:
        event = bandPass(whiteNoise(rng, eventLength), sampleRate, centre, rng.uniform(2, 6));
        break;
      case 2:
        event = chirp(eventLength, sampleRate, centre / 1.25, centre * 1.25);
        break;
      default:
        event = harmonicTone(eventLength, sampleRate, centre / 2, [0.4, 1, 0.3], {
          maxFrequency: nyquistGuard,
        });
    }
    applyEnvelope(event, sampleRate, rng.uniform(0.005, 0.05), rng.uniform(0, 6));
    const clip = new Float32Array(length);
    mixInto(clip, event, 1, rng.int(0, length - eventLength));
    addNoiseAtSnr(clip, pinkNoise(rng, length), rng.uniform(0, 18));
    normalisePeak(clip, rng.uniform(0.05, 0.8));
    return { channels: toChannels(rng, clip, stereo), sampleRate, encoding };
  },
};

/**
 * Relative harmonic amplitudes of the instrument-like classes; the fundamental is drawn over
 * three octaves independently of the class, so only the harmonic profile identifies it.
 */
const TIMBRE_PROFILES: readonly ((harmonic: number) => number)[] = [
  (n) => (n === 1 ? 1 : n === 2 ? 0.2 : n === 3 ? 0.05 : 0), // flute-like: nearly sinusoidal
  (n) => (n % 2 === 1 ? 1 / n : 0.02 / n), // reed-like: odd harmonics
  (n) => 1 / n, // bowed-string-like: sawtooth
  (n) => (n <= 4 ? n / 4 : 4 / n ** 1.5), // brass-like: energy peaks at the 4th harmonic
  (n) => 1 / n ** 2.2, // plucked: steep roll-off and fast decay
];

export const timbre: DemoGenerator = {
  clips: { '0': 36, '1': 36, '2': 36, '3': 36, '4': 36 },
  label: (classIndex, classes) => ({ instrument: classes[classIndex] }),
  synthesise(rng, classIndex) {
    const { sampleRate, encoding, stereo } = storage(rng);
    const length = Math.round(rng.uniform(0.6, 2.2) * sampleRate);
    const f0 = 110 * 2 ** rng.uniform(0, 3);
    const profile = TIMBRE_PROFILES[classIndex] as (harmonic: number) => number;
    const tilt = rng.uniform(-0.3, 0.3);
    const amplitudes = Array.from({ length: 24 }, (_, i) => profile(i + 1) * (i + 1) ** tilt);
    const plucked = classIndex === 4;
    const note = harmonicTone(length, sampleRate, f0, amplitudes, {
      maxFrequency: Math.min(sampleRate * 0.45, 6000),
      vibratoDepth: classIndex === 2 ? rng.uniform(0.003, 0.012) : rng.uniform(0, 0.003),
      vibratoRate: rng.uniform(4, 7),
      phase: rng.uniform(0, 2 * Math.PI),
    });
    applyEnvelope(
      note,
      sampleRate,
      plucked ? 0.004 : rng.uniform(0.02, 0.15),
      plucked ? rng.uniform(3, 8) : rng.uniform(0, 1.5),
    );
    addNoiseAtSnr(note, pinkNoise(rng, length), rng.uniform(6, 30));
    normalisePeak(note, rng.uniform(0.1, 0.9));
    return { channels: toChannels(rng, note, stereo), sampleRate, encoding };
  },
};

/** Generators by the name a task's `source.generator` uses. */
export const DEMO_GENERATORS: Readonly<Record<string, DemoGenerator>> = {
  'demo/sound-events@1': soundEvents,
  'demo/timbre@1': timbre,
};

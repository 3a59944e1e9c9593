/**
 * Clip-level demo generators: single-label events (ESC-50, CREMA-D), k-fold timbre (GTZAN) and
 * multi-label tags (FSD50K). Each target is carried by spectral cues that overlap between classes,
 * under level, noise and storage variation, so a log-mel front end scores above chance but not perfectly.
 */
import type { SeededRandom } from '../../util/random.ts';
import { type DemoGenerator, finish, singleLabel, storage } from './generator.ts';
import {
  addNoiseAtSnr,
  applyEnvelope,
  bandPass,
  chirp,
  eventTrain,
  harmonicTone,
  mixInto,
  normalisePeak,
  pinkNoise,
  whiteNoise,
} from './synth.ts';

// --- clip, single label (ESC-50, CREMA-D, ...) ---------------------------------------------

const EVENT_CLASSES = ['rumble', 'hum', 'horn', 'bell', 'whistle', 'hiss'] as const;
/** Centre frequencies of the sound-event classes, a factor 1.6 apart. */
const EVENT_CENTRES = [250, 400, 640, 1024, 1640, 2620] as const;

/** A short event concentrated around `centre`, with a random excitation. */
function event(
  rng: SeededRandom,
  length: number,
  sampleRate: number,
  centre: number,
): Float32Array {
  const guard = sampleRate * 0.45;
  switch (rng.int(0, 3)) {
    case 0:
      return harmonicTone(length, sampleRate, centre, [1], {
        maxFrequency: guard,
        vibratoDepth: rng.uniform(0, 0.02),
      });
    case 1:
      return bandPass(whiteNoise(rng, length), sampleRate, centre, rng.uniform(2, 6));
    case 2:
      return chirp(length, sampleRate, centre / 1.25, centre * 1.25);
    default:
      return harmonicTone(length, sampleRate, centre / 2, [0.4, 1, 0.3], { maxFrequency: guard });
  }
}

/**
 * Six classes of short events, each concentrated around one centre frequency jittered by up to
 * ±0.3 in log-frequency, so neighbouring classes overlap; the excitation varies independently.
 */
export function soundEvents(seed: (label: string) => SeededRandom): DemoGenerator {
  return singleLabel(
    { train: 102, valid: 36, test: 60 },
    EVENT_CLASSES.length,
    (group) => seed(`order/${group}`),
    (rng, classIndex) => {
      const where = storage(rng);
      const length = Math.round(rng.uniform(0.45, 0.75) * where.sampleRate);
      const centre = (EVENT_CENTRES[classIndex] as number) * Math.exp(rng.uniform(-0.3, 0.3));
      const eventLength = Math.round(length * rng.uniform(0.4, 0.9));
      const sound = applyEnvelope(
        event(rng, eventLength, where.sampleRate, centre),
        where.sampleRate,
        rng.uniform(0.005, 0.05),
        rng.uniform(0, 6),
      );
      const clip = mixInto(new Float32Array(length), sound, 1, rng.int(0, length - eventLength));
      addNoiseAtSnr(clip, pinkNoise(rng, length), rng.uniform(0, 18));
      normalisePeak(clip, rng.uniform(0.05, 0.5));
      return { audio: finish(rng, clip, where), label: { label: EVENT_CLASSES[classIndex] } };
    },
  );
}

// --- clip, k-fold (GTZAN, ESC-50 folds, ...) -----------------------------------------------

const TIMBRES = ['flute', 'reed', 'string', 'brass', 'plucked'] as const;
/** Relative harmonic amplitudes; the fundamental varies over three octaves independently of the class. */
const TIMBRE_PROFILES: readonly ((harmonic: number) => number)[] = [
  (n) => (n === 1 ? 1 : n === 2 ? 0.2 : n === 3 ? 0.05 : 0),
  (n) => (n % 2 === 1 ? 1 / n : 0.02 / n),
  (n) => 1 / n,
  (n) => (n <= 4 ? n / 4 : 4 / n ** 1.5),
  (n) => 1 / n ** 2.2,
];

export function timbre(seed: (label: string) => SeededRandom): DemoGenerator {
  const clips = { '0': 25, '1': 25, '2': 25, '3': 25, '4': 25 };
  return singleLabel(
    clips,
    TIMBRES.length,
    (group) => seed(`order/${group}`),
    (rng, classIndex) => {
      const where = storage(rng);
      const length = Math.round(rng.uniform(0.6, 1.4) * where.sampleRate);
      const f0 = 110 * 2 ** rng.uniform(0, 3);
      const profile = TIMBRE_PROFILES[classIndex] as (harmonic: number) => number;
      const tilt = rng.uniform(-0.3, 0.3);
      const plucked = classIndex === 4;
      const note = harmonicTone(
        length,
        where.sampleRate,
        f0,
        Array.from({ length: 24 }, (_, i) => profile(i + 1) * (i + 1) ** tilt),
        {
          maxFrequency: Math.min(where.sampleRate * 0.45, 6000),
          vibratoDepth: classIndex === 2 ? rng.uniform(0.003, 0.012) : rng.uniform(0, 0.003),
          vibratoRate: rng.uniform(4, 7),
          phase: rng.uniform(0, 2 * Math.PI),
        },
      );
      applyEnvelope(
        note,
        where.sampleRate,
        plucked ? 0.004 : rng.uniform(0.02, 0.15),
        plucked ? rng.uniform(3, 8) : rng.uniform(0, 1.5),
      );
      addNoiseAtSnr(note, pinkNoise(rng, length), rng.uniform(6, 30));
      normalisePeak(note, rng.uniform(0.1, 0.5));
      return { audio: finish(rng, note, where), label: { instrument: TIMBRES[classIndex] } };
    },
  );
}

// --- clip, multi-label (FSD50K) --------------------------------------------------------------

export const TAG_CLASSES = ['beep', 'buzz', 'hiss', 'knock', 'chirp', 'rumble'] as const;

/** A sound of tag `tag` lasting `length` samples. */
function taggedSound(
  rng: SeededRandom,
  tag: number,
  length: number,
  sampleRate: number,
): Float32Array {
  const guard = sampleRate * 0.45;
  switch (tag) {
    case 0: {
      // Beeps: short tone pulses near 1.5 kHz.
      const tone = harmonicTone(length, sampleRate, rng.uniform(1200, 1900), [1], {
        maxFrequency: guard,
      });
      const period = Math.round(rng.uniform(0.08, 0.2) * sampleRate);
      return tone.map((value, i) => (i % period < period / 2 ? value : 0));
    }
    case 1:
      return harmonicTone(
        length,
        sampleRate,
        rng.uniform(90, 160),
        Array.from({ length: 20 }, (_, i) => 1 / (i + 1)),
        { maxFrequency: guard },
      );
    case 2:
      return bandPass(
        whiteNoise(rng, length),
        sampleRate,
        Math.min(guard * 0.9, rng.uniform(2800, 3600)),
        1.2,
      );
    case 3: {
      const thump = applyEnvelope(
        bandPass(
          whiteNoise(rng, Math.round(0.06 * sampleRate)),
          sampleRate,
          rng.uniform(150, 300),
          3,
        ),
        sampleRate,
        0.002,
        60,
      );
      const firstKnock = rng.int(0, Math.round(0.1 * sampleRate));
      return eventTrain(length, thump, 4, firstKnock, rng, [0.15, 0.3], sampleRate);
    }
    case 4:
      return chirp(
        length,
        sampleRate,
        rng.uniform(400, 600),
        Math.min(guard, rng.uniform(1400, 2000)),
      );
    default:
      return bandPass(whiteNoise(rng, length), sampleRate, rng.uniform(60, 120), 0.8);
  }
}

/** One to three tags per 0.8 s clip, at random times and levels; scored with macro mAP. */
export function tags(): DemoGenerator {
  return {
    clips: { train: 80, valid: 25, test: 40 },
    sample(rng) {
      const where = storage(rng);
      const length = Math.round(0.8 * where.sampleRate);
      const count = rng.int(1, 3);
      const chosen = rng
        .shuffle(TAG_CLASSES.map((_, i) => i))
        .slice(0, count)
        .sort((a, b) => a - b);
      const clip = new Float32Array(length);
      for (const tag of chosen) {
        const span = Math.round(length * rng.uniform(0.3, 0.8));
        const sound = applyEnvelope(
          taggedSound(rng, tag, span, where.sampleRate),
          where.sampleRate,
          0.01,
          rng.uniform(0, 2),
        );
        mixInto(clip, normalisePeak(sound, 1), rng.uniform(0.3, 1), rng.int(0, length - span));
      }
      addNoiseAtSnr(clip, pinkNoise(rng, length), rng.uniform(8, 25));
      normalisePeak(clip, rng.uniform(0.05, 0.5));
      return {
        audio: finish(rng, clip, where),
        label: { tags: chosen.map((tag) => TAG_CLASSES[tag]).join(';') },
      };
    },
  };
}

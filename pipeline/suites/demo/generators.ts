/**
 * Generators of the demo suite: one synthetic twin for every task type and metric of X-ARES.
 * Each is designed so that a log-mel front end scores well above chance and well below perfect:
 * the target is carried by spectral cues that overlap or interact, under nuisance variation
 * (level, background noise, sample rate, channel count, WAV or FLAC storage).
 */
import type { SeededRandom } from '../../util/random.ts';
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

interface Storage {
  readonly sampleRate: number;
  readonly format: StorageFormat;
  readonly stereo: boolean;
}

/** Storage of one clip: mixed rates (resampled on read), mostly FLAC to keep the suite small, some 16-bit WAV, a few 24-bit and float WAV, some stereo. */
function storage(rng: SeededRandom, rates: readonly number[] = [8000, 11025, 16000]): Storage {
  const roll = rng.float();
  const format: StorageFormat =
    roll < 0.7 ? 'flac16' : roll < 0.96 ? 'wav16' : roll < 0.98 ? 'wav24' : 'wavf32';
  return { sampleRate: rng.pick(rates), format, stereo: rng.float() < 0.12 };
}

function finish(rng: SeededRandom, mono: Float32Array, where: Storage): SynthesisedClip {
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
function singleLabel(
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

// --- frame, segment F1 macro (DESED) ---------------------------------------------------------

export const SCENE_EVENTS = ['alarm', 'barking', 'water', 'talking'] as const;
const SCENE_SECONDS = 2;

function sceneEvent(
  rng: SeededRandom,
  kind: number,
  length: number,
  sampleRate: number,
): Float32Array {
  const guard = sampleRate * 0.45;
  switch (kind) {
    case 0: {
      // Two-tone alarm alternating every 150-250 ms.
      const period = Math.round(rng.uniform(0.15, 0.25) * sampleRate);
      const low = harmonicTone(length, sampleRate, rng.uniform(650, 750), [1, 0.3], {
        maxFrequency: guard,
      });
      const high = harmonicTone(length, sampleRate, rng.uniform(900, 1000), [1, 0.3], {
        maxFrequency: guard,
      });
      return low.map((value, i) =>
        Math.floor(i / period) % 2 === 0 ? value : (high[i] as number),
      );
    }
    case 1: {
      const bark = applyEnvelope(
        harmonicTone(
          Math.round(0.12 * sampleRate),
          sampleRate,
          rng.uniform(350, 500),
          [1, 0.8, 0.5, 0.3],
          { maxFrequency: guard },
        ),
        sampleRate,
        0.005,
        25,
      );
      return eventTrain(length, bark, 1, 0, rng, [0.25, 0.4], sampleRate);
    }
    case 2:
      return bandPass(
        whiteNoise(rng, length),
        sampleRate,
        Math.min(guard * 0.9, rng.uniform(1500, 2500)),
        0.9,
      );
    default: {
      // Talking: a voiced tone with a slowly moving formant, amplitude-modulated at syllable rate.
      const voice = harmonicTone(
        length,
        sampleRate,
        rng.uniform(110, 200),
        Array.from({ length: 25 }, () => 1),
        { maxFrequency: guard, vibratoDepth: 0.03, vibratoRate: 3 },
      );
      bandPass(voice, sampleRate, rng.uniform(500, 900), 1.5);
      const rate = rng.uniform(3, 5);
      return voice.map(
        (value, i) => value * (0.55 + 0.45 * Math.sin((2 * Math.PI * rate * i) / sampleRate)),
      );
    }
  }
}

/** Scenes of 2 s with one to three events at random times; labels are onset/offset lists. */
export function scenes(): DemoGenerator {
  return {
    clips: { train: 45, valid: 15, test: 24 },
    sample(rng) {
      const where = storage(rng, [8000, 11025]);
      const length = Math.round(SCENE_SECONDS * where.sampleRate);
      const clip = new Float32Array(length);
      const events: { onset: number; offset: number; label: string }[] = [];
      for (let count = rng.int(1, 3); count > 0; count--) {
        const kind = rng.int(0, SCENE_EVENTS.length - 1);
        const duration = rng.uniform(0.3, 1.2);
        const onset = rng.uniform(0, SCENE_SECONDS - duration);
        const span = Math.round(duration * where.sampleRate);
        const sound = applyEnvelope(
          sceneEvent(rng, kind, span, where.sampleRate),
          where.sampleRate,
          0.01,
          0,
        );
        mixInto(
          clip,
          normalisePeak(sound, 1),
          rng.uniform(0.4, 1),
          Math.round(onset * where.sampleRate),
        );
        events.push({
          onset: Number(onset.toFixed(3)),
          offset: Number((onset + duration).toFixed(3)),
          label: SCENE_EVENTS[kind] as string,
        });
      }
      addNoiseAtSnr(clip, pinkNoise(rng, length), rng.uniform(5, 20));
      normalisePeak(clip, rng.uniform(0.1, 0.5));
      return { audio: finish(rng, clip, where), label: events.sort((a, b) => a.onset - b.onset) };
    },
  };
}

// --- frame, segment F1 micro (MAESTRO) -------------------------------------------------------

/** C major scale from C5 to C6, as MIDI numbers. */
export const NOTE_NUMBERS = [72, 74, 76, 77, 79, 81, 83, 84] as const;

/** Pieces of 3 s: notes of one octave, up to two at a time, with a plucked envelope. */
export function notes(): DemoGenerator {
  return {
    clips: { train: 24, valid: 6, test: 10 },
    sample(rng) {
      const where = storage(rng, [8000, 11025]);
      const seconds = 3;
      const length = Math.round(seconds * where.sampleRate);
      const piece = new Float32Array(length);
      const played: { start: number; end: number; note: number }[] = [];
      for (const voice of [0, 1]) {
        let time = rng.uniform(0, 0.3) + voice * rng.uniform(0.1, 0.6);
        while (time < seconds - 0.2) {
          const duration = Math.min(seconds - time, rng.uniform(0.2, 0.7));
          if (voice === 0 || rng.float() < 0.5) {
            const note = rng.pick(NOTE_NUMBERS);
            const f0 = 440 * 2 ** ((note - 69) / 12);
            const span = Math.round(duration * where.sampleRate);
            const tone = harmonicTone(span, where.sampleRate, f0, [1, 0.5, 0.3, 0.15], {
              maxFrequency: where.sampleRate * 0.45,
              phase: rng.uniform(0, 6),
            });
            mixInto(
              piece,
              applyEnvelope(tone, where.sampleRate, 0.005, rng.uniform(1, 4)),
              rng.uniform(0.4, 1),
              Math.round(time * where.sampleRate),
            );
            played.push({
              start: Number(time.toFixed(3)),
              end: Number((time + duration).toFixed(3)),
              note,
            });
          }
          time += duration + rng.uniform(0, 0.15);
        }
      }
      addNoiseAtSnr(piece, pinkNoise(rng, length), rng.uniform(15, 30));
      normalisePeak(piece, rng.uniform(0.1, 0.5));
      return {
        audio: finish(rng, piece, where),
        label: played.sort((a, b) => a.start - b.start || a.note - b.note),
      };
    },
  };
}

// --- retrieval, Recall@1 (Clotho) ------------------------------------------------------------

export const CAPTION_SOUNDS = ['bell', 'buzzer', 'whistle', 'drum', 'siren'] as const;
const CAPTION_NOUNS: Record<(typeof CAPTION_SOUNDS)[number], readonly string[]> = {
  bell: ['a bell', 'a small bell', 'a ringing bell'],
  buzzer: ['a buzzer', 'a loud buzzer', 'a buzzing alarm'],
  whistle: ['a whistle', 'a sharp whistle', 'someone whistling'],
  drum: ['a drum', 'drumming', 'a bass drum'],
  siren: ['a siren', 'a wailing siren', 'an emergency siren'],
};
const CAPTION_TEMPLATES = [
  (a: string, b: string) => `${a} and then ${b}`,
  (a: string, b: string) => `first ${a}, followed by ${b}`,
  (a: string, b: string) => `${a} is heard before ${b}`,
  (a: string, b: string) => `${a} while ${b} starts later`,
  (a: string, b: string) => `the sound of ${a} then ${b}`,
] as const;

function captionSound(
  rng: SeededRandom,
  kind: number,
  length: number,
  sampleRate: number,
): Float32Array {
  const guard = sampleRate * 0.45;
  switch (kind) {
    case 0:
      return applyEnvelope(
        harmonicTone(length, sampleRate, rng.uniform(800, 1000), [1, 0, 0.6, 0, 0.3], {
          maxFrequency: guard,
        }),
        sampleRate,
        0.002,
        4,
      );
    case 1:
      return harmonicTone(
        length,
        sampleRate,
        rng.uniform(180, 240),
        Array.from({ length: 15 }, (_, i) => (i % 2 === 0 ? 1 / (i + 1) : 0)),
        { maxFrequency: guard },
      );
    case 2:
      return harmonicTone(length, sampleRate, rng.uniform(1800, 2400), [1], {
        maxFrequency: guard,
        vibratoDepth: 0.02,
        vibratoRate: 6,
      });
    case 3: {
      const hit = applyEnvelope(
        harmonicTone(Math.round(0.15 * sampleRate), sampleRate, rng.uniform(60, 90), [1, 0.5], {
          maxFrequency: guard,
        }),
        sampleRate,
        0.002,
        20,
      );
      return eventTrain(length, hit, 1, 0, rng, [0.2, 0.35], sampleRate);
    }
    default: {
      const sweepRate = rng.uniform(0.8, 1.5);
      const siren = new Float32Array(length);
      let phase = 0;
      for (let i = 0; i < length; i++) {
        const frequency = 750 + 350 * Math.sin((2 * Math.PI * sweepRate * i) / sampleRate);
        phase += (2 * Math.PI * frequency) / sampleRate;
        siren[i] = Math.sin(phase);
      }
      return siren;
    }
  }
}

/** Clips of 1.5 s: two different sounds in sequence, each clip with five captions. */
export function captions(): DemoGenerator {
  return {
    clips: { train: 65, valid: 20, test: 25 },
    sample(rng) {
      const where = storage(rng, [8000, 11025]);
      const seconds = 1.5;
      const length = Math.round(seconds * where.sampleRate);
      const first = rng.int(0, CAPTION_SOUNDS.length - 1);
      const second = (first + rng.int(1, CAPTION_SOUNDS.length - 1)) % CAPTION_SOUNDS.length;
      const clip = new Float32Array(length);
      const half = Math.round(length * rng.uniform(0.4, 0.6));
      mixInto(
        clip,
        normalisePeak(captionSound(rng, first, half, where.sampleRate), 1),
        rng.uniform(0.5, 1),
        0,
      );
      mixInto(
        clip,
        normalisePeak(captionSound(rng, second, length - half, where.sampleRate), 1),
        rng.uniform(0.5, 1),
        half,
      );
      addNoiseAtSnr(clip, pinkNoise(rng, length), rng.uniform(10, 25));
      normalisePeak(clip, rng.uniform(0.1, 0.5));
      const a = CAPTION_SOUNDS[first] as (typeof CAPTION_SOUNDS)[number];
      const b = CAPTION_SOUNDS[second] as (typeof CAPTION_SOUNDS)[number];
      const label = Object.fromEntries(
        CAPTION_TEMPLATES.map((template, i) => [
          `caption_${i + 1}`,
          template(rng.pick(CAPTION_NOUNS[a]), rng.pick(CAPTION_NOUNS[b])),
        ]),
      );
      return { audio: finish(rng, clip, where), label };
    },
  };
}

/** Every word the caption generator can write, for the demo tokenizer's vocabulary. */
export function captionWords(): string[] {
  const words = new Set<string>();
  for (const sound of CAPTION_SOUNDS) {
    for (const noun of CAPTION_NOUNS[sound]) {
      for (const template of CAPTION_TEMPLATES) {
        for (const word of template(noun, noun).replaceAll(',', ' , ').split(/\s+/)) {
          if (word) {
            words.add(word);
          }
        }
      }
    }
  }
  return [...words].sort();
}

// --- asr, iWER (LibriSpeech) -----------------------------------------------------------------

/**
 * The "letters" of the demo speech: three vowels far apart in formant space (first two
 * formants, Hz), a nasal hum and a hiss, so each letter has its own spectral shape even to a
 * linear read-out of a log-mel frame.
 */
const LETTERS = {
  A: { kind: 'vowel', formants: [850, 1350] },
  I: { kind: 'vowel', formants: [280, 2600] },
  U: { kind: 'vowel', formants: [300, 700] },
  M: { kind: 'nasal', formants: [250, 250] },
  S: { kind: 'hiss', formants: [2800, 3600] },
} as const;
export const DEMO_WORDS = [
  'MA',
  'MI',
  'SU',
  'SIM',
  'AMI',
  'USA',
  'MUS',
  'SAMI',
  'IMU',
  'ASU',
] as const;

/** One letter: a glottal pulse train through two resonances, a low-passed hum, or band noise. */
function letterSound(
  rng: SeededRandom,
  letter: keyof typeof LETTERS,
  length: number,
  sampleRate: number,
  f0: number,
): Float32Array {
  const { kind, formants } = LETTERS[letter];
  const [f1, f2] = formants;
  if (kind === 'hiss') {
    return bandPass(
      whiteNoise(rng, length),
      sampleRate,
      Math.min((f1 + f2) / 2, sampleRate * 0.42),
      2,
    );
  }
  const source = harmonicTone(
    length,
    sampleRate,
    f0 * rng.uniform(0.97, 1.03),
    Array.from({ length: 30 }, (_, i) => 1 / (i + 1)),
    { maxFrequency: sampleRate * 0.45 },
  );
  if (kind === 'nasal') {
    return bandPass(source, sampleRate, f1, 1);
  }
  const low = bandPass(Float32Array.from(source), sampleRate, f1, 4);
  const high = bandPass(Float32Array.from(source), sampleRate, Math.min(f2, sampleRate * 0.4), 5);
  return mixInto(low, high, 0.7);
}

/** Utterances of two or three words; the transcript is upper case, like LibriSpeech's. */
export function speech(): DemoGenerator {
  return {
    clips: { train: 100, valid: 20, test: 30 },
    sample(rng) {
      const where = storage(rng, [8000]);
      const f0 = rng.uniform(100, 200);
      const words = Array.from({ length: rng.int(2, 3) }, () => rng.pick(DEMO_WORDS));
      const parts: Float32Array[] = [
        new Float32Array(Math.round(rng.uniform(0.05, 0.15) * where.sampleRate)),
      ];
      for (const word of words) {
        for (const letter of word) {
          const span = Math.round(rng.uniform(0.12, 0.16) * where.sampleRate);
          parts.push(
            applyEnvelope(
              letterSound(rng, letter as keyof typeof LETTERS, span, where.sampleRate, f0),
              where.sampleRate,
              0.01,
              3,
            ),
          );
        }
        parts.push(new Float32Array(Math.round(rng.uniform(0.12, 0.2) * where.sampleRate)));
      }
      const length = parts.reduce((sum, part) => sum + part.length, 0);
      const utterance = new Float32Array(length);
      let offset = 0;
      for (const part of parts) {
        utterance.set(part, offset);
        offset += part.length;
      }
      addNoiseAtSnr(utterance, pinkNoise(rng, length), rng.uniform(15, 30));
      normalisePeak(utterance, rng.uniform(0.1, 0.5));
      return {
        audio: finish(rng, utterance, where),
        label: { trans: words.join(' '), speaker: 0 },
      };
    },
  };
}

/** Generators by the name a task's `source.generator` uses. */
export const DEMO_GENERATORS: Readonly<
  Record<string, (seed: (label: string) => SeededRandom) => DemoGenerator>
> = {
  'demo/sound-events@2': soundEvents,
  'demo/timbre@2': timbre,
  'demo/tags@1': tags,
  'demo/scenes@1': scenes,
  'demo/notes@1': notes,
  'demo/captions@1': captions,
  'demo/speech@2': speech,
};

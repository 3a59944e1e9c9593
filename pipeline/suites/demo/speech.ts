/**
 * The ASR demo generator (LibriSpeech): words spelled in five synthetic "letters" that each have
 * their own spectral shape, with upper-case transcripts.
 */
import type { SeededRandom } from '../../util/random.ts';
import { type DemoGenerator, finish, storage } from './generator.ts';
import {
  addNoiseAtSnr,
  applyEnvelope,
  bandPass,
  harmonicTone,
  mixInto,
  normalisePeak,
  pinkNoise,
  whiteNoise,
} from './synth.ts';

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

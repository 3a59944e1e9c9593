/**
 * The retrieval demo generator (Clotho): two sounds in sequence, each clip with five captions
 * built from templates, and the caption vocabulary the demo tokenizer is built from.
 */
import type { SeededRandom } from '../../util/random.ts';
import { type DemoGenerator, finish, storage } from './generator.ts';
import {
  addNoiseAtSnr,
  applyEnvelope,
  eventTrain,
  harmonicTone,
  mixInto,
  normalisePeak,
  pinkNoise,
} from './synth.ts';

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

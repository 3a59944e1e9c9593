/**
 * Frame-level demo generators: sound-event scenes with onset/offset labels (DESED) and polyphonic
 * notes (MAESTRO), both scored per segment, so the labels are times rounded to the millisecond.
 */
import type { SeededRandom } from '../../util/random.ts';
import { type DemoGenerator, finish, storage } from './generator.ts';
import {
  addNoiseAtSnr,
  applyEnvelope,
  bandPass,
  eventTrain,
  harmonicTone,
  mixInto,
  normalisePeak,
  pinkNoise,
  whiteNoise,
} from './synth.ts';

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

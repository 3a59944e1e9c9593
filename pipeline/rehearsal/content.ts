/**
 * Learnable synthetic audio for the rehearsal: what a clip sounds like is a function of its
 * labels, so a log-mel front end with a linear head scores clearly above chance on every
 * classification task, while audio paired with another clip's labels scores at chance.
 *
 * Classes are told apart by tones placed at the centres of the 64 HTK mel bands (0-8 kHz) of
 * the log-mel baseline: one, two or three tones from disjoint band ranges, so even 1,251 classes
 * get distinct patterns. Nuisance: level, pink noise, a small detuning and slow tremolo.
 */
import { SeededRandom } from '../util/random.ts';
import {
  applyEnvelope,
  bandPass,
  mixInto,
  normalisePeak,
  pinkNoise,
  rms,
  whiteNoise,
} from '../suites/demo/synth.ts';

const MEL_BANDS = 64;
const MEL_TOP = 2595 * Math.log10(1 + 8000 / 700);
/** Bands whose centres the tones use: above 100 Hz and below 7 kHz. */
const FIRST_BAND = 3;
const LAST_BAND = 60;

function bandCentreHz(band: number): number {
  const mel = ((band + 1) * MEL_TOP) / (MEL_BANDS + 1);
  return 700 * (10 ** (mel / 2595) - 1);
}

/** Tone frequencies (Hz) of class `index` of `count` classes. */
export function classTones(index: number, count: number): number[] {
  const components = count <= 12 ? 1 : count <= 300 ? 2 : 3;
  const digits = Math.ceil(count ** (1 / components) - 1e-9);
  const span = Math.floor((LAST_BAND - FIRST_BAND + 1) / components);
  const tones: number[] = [];
  let rest = index;
  for (let component = 0; component < components; component++) {
    const digit = rest % digits;
    rest = Math.floor(rest / digits);
    const band = FIRST_BAND + component * span + Math.floor(((digit + 0.5) * span) / digits);
    tones.push(bandCentreHz(band));
  }
  return tones;
}

/**
 * Adds `amplitude * sin(phase + step * i)` for i in [0, length) to `out` from `offset`, by
 * rotating a phasor (two multiply-adds a sample instead of a sine): synthesis of hours of audio
 * is dominated by this loop. Renormalised every 4,096 samples so rounding cannot grow.
 */
function addSine(
  out: Float32Array,
  offset: number,
  length: number,
  step: number,
  phase: number,
  amplitude: number,
): void {
  const cosStep = Math.cos(step);
  const sinStep = Math.sin(step);
  let re = Math.cos(phase);
  let im = Math.sin(phase);
  const end = Math.min(out.length, offset + length);
  for (let i = Math.max(0, offset); i < end; i++) {
    out[i] = (out[i] as number) + amplitude * im;
    const nextRe = re * cosStep - im * sinStep;
    im = re * sinStep + im * cosStep;
    re = nextRe;
    if ((i & 4095) === 0) {
      const norm = 1 / Math.hypot(re, im);
      re *= norm;
      im *= norm;
    }
  }
}

/** Tones at `frequencies` with a slow tremolo, `length` samples: two rotating phasors a tone. */
function tones(
  rng: SeededRandom,
  frequencies: readonly number[],
  length: number,
  sampleRate: number,
): Float32Array {
  const out = new Float32Array(length);
  for (const frequency of frequencies) {
    const detuned = frequency * rng.uniform(0.99, 1.01);
    if (detuned >= sampleRate * 0.45) {
      continue;
    }
    const step = (2 * Math.PI * detuned) / sampleRate;
    const tremoloStep = (2 * Math.PI * rng.uniform(0.5, 3)) / sampleRate;
    const [cosStep, sinStep] = [Math.cos(step), Math.sin(step)];
    const [cosTremolo, sinTremolo] = [Math.cos(tremoloStep), Math.sin(tremoloStep)];
    const phase = rng.uniform(0, 2 * Math.PI);
    const tremoloPhase = rng.uniform(0, 2 * Math.PI);
    let [re, im] = [Math.cos(phase), Math.sin(phase)];
    let [tre, tim] = [Math.cos(tremoloPhase), Math.sin(tremoloPhase)];
    for (let i = 0; i < length; i++) {
      out[i] = (out[i] as number) + im * (0.75 + 0.25 * tim);
      const nextRe = re * cosStep - im * sinStep;
      im = re * sinStep + im * cosStep;
      re = nextRe;
      const nextTre = tre * cosTremolo - tim * sinTremolo;
      tim = tre * sinTremolo + tim * cosTremolo;
      tre = nextTre;
      if ((i & 4095) === 0) {
        const norm = 1 / Math.hypot(re, im);
        re *= norm;
        im *= norm;
      }
    }
  }
  return out;
}

/** Samples in the noise bank: a power of two, about 47 s at 44.1 kHz. */
const NOISE_BANK_SIZE = 2 ** 21;
let noiseBank: { readonly samples: Float32Array; readonly rms: number } | undefined;

/**
 * One long stretch of pink noise, made once per process, that every clip takes its background
 * from at a random offset: drawing fresh noise for each of hours of clips was a third of the
 * generator's time, and the background needs no more variety than this.
 */
function pinkNoiseBank(): { readonly samples: Float32Array; readonly rms: number } {
  if (noiseBank === undefined) {
    const samples = pinkNoise(new SeededRandom(1, 'rehearsal noise bank'), NOISE_BANK_SIZE);
    noiseBank = { samples, rms: rms(samples) };
  }
  return noiseBank;
}

/** Background noise at a random SNR and a random level, the same for every kind of clip. */
function finishMono(rng: SeededRandom, signal: Float32Array): Float32Array {
  const bank = pinkNoiseBank();
  const signalRms = rms(signal);
  if (signalRms > 0) {
    const gain = signalRms / (bank.rms * 10 ** (rng.uniform(6, 20) / 20));
    const offset = rng.int(0, NOISE_BANK_SIZE - 1);
    for (let i = 0; i < signal.length; i++) {
      signal[i] =
        (signal[i] as number) +
        gain * (bank.samples[(offset + i) & (NOISE_BANK_SIZE - 1)] as number);
    }
  }
  return normalisePeak(signal, rng.uniform(0.1, 0.7));
}

/** A clip of one class (or several, summed: multi-label clips). */
export function classClip(
  rng: SeededRandom,
  classes: readonly number[],
  classCount: number,
  length: number,
  sampleRate: number,
): Float32Array {
  return toneClip(
    rng,
    classes.map((index) => classTones(index, classCount)),
    length,
    sampleRate,
  );
}

/** Each set of tones sounding through the clip, together, with the nuisance. */
export function toneClip(
  rng: SeededRandom,
  toneSets: readonly (readonly number[])[],
  length: number,
  sampleRate: number,
): Float32Array {
  const signal = new Float32Array(length);
  for (const set of toneSets) {
    mixInto(signal, tones(rng, set, length, sampleRate), 1);
  }
  return finishMono(rng, signal);
}

/** Bands the tones can use. */
const TONE_BANDS = LAST_BAND - FIRST_BAND + 1;

/**
 * Tone frequencies of a multi-label clip's class `index`, one of the classes in use (`present`,
 * a small scale's subset). A mix is learnt by a linear head only if every class has a band of its
 * own: with two-tone codes, classes (a, b) and (c, d) sounding together also sound like (a, d)
 * and (c, b), which no linear readout of log-mel can tell apart (FSD50K at scale 0.002, 40 classes
 * in use: log-mel's mAP was 0.050 against a chance of 0.024 and a best of 0.2). So while the
 * classes in use fit the bands, each gets one tone of its own; beyond, the codes of classTones.
 */
export function multiLabelTones(
  index: number,
  present: readonly number[],
  count: number,
): number[] {
  const position = present.indexOf(index);
  if (position < 0 || present.length > TONE_BANDS) {
    return classTones(index, count);
  }
  return [bandCentreHz(FIRST_BAND + Math.floor(((position + 0.5) * TONE_BANDS) / present.length))];
}

export interface TimedEvent {
  readonly start: number;
  readonly end: number;
  /** Class indices sounding together in this event. */
  readonly classes: readonly number[];
}

/** Sound events (DESED): each event's classes sound from its start to its end, with soft edges. */
export function eventClip(
  rng: SeededRandom,
  events: readonly TimedEvent[],
  classCount: number,
  length: number,
  sampleRate: number,
): Float32Array {
  const signal = new Float32Array(length);
  for (const event of events) {
    const from = Math.round(event.start * sampleRate);
    const span = Math.max(1, Math.min(length, Math.round(event.end * sampleRate)) - from);
    for (const index of event.classes) {
      const sound = tones(rng, classTones(index, classCount), span, sampleRate);
      const edge = Math.min(span >> 1, Math.round(0.01 * sampleRate));
      for (let i = 0; i < edge; i++) {
        sound[i] = (sound[i] as number) * (i / edge);
        sound[span - 1 - i] = (sound[span - 1 - i] as number) * (i / edge);
      }
      mixInto(signal, sound, 1, from);
    }
  }
  return finishMono(rng, signal);
}

export interface TimedNote {
  readonly start: number;
  readonly end: number;
  /** MIDI note number. */
  readonly note: number;
}

/** A piano-like performance (MAESTRO): decaying harmonic tones at each note's pitch. */
export function pianoClip(
  rng: SeededRandom,
  notes: readonly TimedNote[],
  length: number,
  sampleRate: number,
): Float32Array {
  const signal = new Float32Array(length);
  const harmonics = [1, 0.5, 0.33, 0.25, 0.2, 0.16];
  for (const { start, end, note } of notes) {
    const from = Math.round(start * sampleRate);
    const span = Math.max(1, Math.min(length, Math.round(end * sampleRate)) - from);
    const f0 = 440 * 2 ** ((note - 69) / 12);
    const tone = new Float32Array(span);
    harmonics.forEach((amplitude, index) => {
      const frequency = f0 * (index + 1);
      if (frequency < sampleRate * 0.45) {
        addSine(tone, 0, span, (2 * Math.PI * frequency) / sampleRate, 0, amplitude);
      }
    });
    mixInto(signal, applyEnvelope(tone, sampleRate, 0.005, 2.5), rng.uniform(0.4, 1), from);
  }
  return finishMono(rng, signal);
}

/**
 * The letters of the rehearsal's speech, each a pair of formants over a voiced source, so a
 * transcript can be read from the audio. The source's pitch carries the speaker's gender.
 */
const LETTER_FORMANTS: Readonly<Record<string, readonly [number, number]>> = {
  A: [800, 1300],
  E: [450, 2100],
  I: [300, 2500],
  O: [500, 900],
  U: [320, 750],
  N: [250, 1800],
  S: [3400, 5200],
  T: [2400, 4200],
  R: [600, 1600],
  L: [380, 1000],
};
const VOICE_HARMONICS = [1, 0.6, 0.45, 0.35, 0.3, 0.25, 0.2, 0.18, 0.16, 0.14, 0.12, 0.1];

/** Words of the rehearsal's speech, spelled with those letters. */
export const SPEECH_WORDS = [
  'AN',
  'AS',
  'AT',
  'IN',
  'IS',
  'IT',
  'ON',
  'NO',
  'SO',
  'TO',
  'TEN',
  'SIT',
  'NET',
  'RAT',
  'LOT',
  'TOLL',
  'REST',
  'LINT',
  'NOTE',
  'STONE',
] as const;

/** An utterance of `words` in a clip of `length` samples: each letter 90-130 ms, words 80-160 ms apart. */
export function speechClip(
  rng: SeededRandom,
  words: readonly string[],
  f0: number,
  length: number,
  sampleRate: number,
): Float32Array {
  const signal = new Float32Array(length);
  let at = Math.round(rng.uniform(0.05, 0.2) * sampleRate);
  for (const word of words) {
    for (const letter of word) {
      const span = Math.round(rng.uniform(0.09, 0.13) * sampleRate);
      if (at + span > length) {
        break;
      }
      const formants = LETTER_FORMANTS[letter] ?? [500, 1500];
      if (formants[0] > 2000) {
        // Fricatives: band noise, which a voiced source has no energy for up there.
        const hiss = bandPass(
          whiteNoise(rng, span),
          sampleRate,
          Math.min(formants[0], sampleRate * 0.4),
          2,
        );
        mixInto(signal, applyEnvelope(hiss, sampleRate, 0.01, 4), 0.5, at);
        at += span;
        continue;
      }
      const source = new Float32Array(span);
      const pitch = f0 * rng.uniform(0.97, 1.03);
      VOICE_HARMONICS.forEach((amplitude, index) => {
        const frequency = pitch * (index + 1);
        if (frequency < sampleRate * 0.45) {
          addSine(source, 0, span, (2 * Math.PI * frequency) / sampleRate, 0, amplitude);
        }
      });
      const low = bandPass(Float32Array.from(source), sampleRate, formants[0], 3);
      const high = bandPass(source, sampleRate, Math.min(formants[1], sampleRate * 0.4), 4);
      mixInto(signal, applyEnvelope(mixInto(low, high, 0.8), sampleRate, 0.01, 4), 1, at);
      at += span;
    }
    at += Math.round(rng.uniform(0.08, 0.16) * sampleRate);
  }
  return finishMono(rng, signal);
}

/** How many words of `SPEECH_WORDS` fit in `seconds` (about 0.5 s a word with its gap). */
export function wordsFor(seconds: number): number {
  return Math.max(1, Math.floor((seconds - 0.3) / 0.5));
}

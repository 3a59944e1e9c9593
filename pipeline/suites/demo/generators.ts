/**
 * Generators of the demo suite: one synthetic twin for every task type and metric of X-ARES.
 * Each is designed so that a log-mel front end scores well above chance and well below perfect:
 * the target is carried by spectral cues that overlap or interact, under nuisance variation
 * (level, background noise, sample rate, channel count, WAV or FLAC storage).
 */
import type { SeededRandom } from '../../util/random.ts';
import { captions } from './captions.ts';
import { soundEvents, tags, timbre } from './clip-tasks.ts';
import { notes, scenes } from './frame-tasks.ts';
import type { DemoGenerator } from './generator.ts';
import { speech } from './speech.ts';

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

/**
 * Writes a rehearsal of the public X-ARES suite: for every task, the WebDataset shards of its
 * Zenodo record as X-ARES reads them (file names, JSON keys and label formats from the task
 * declarations, audio formats and clip lengths from datasets.ts), at `scale` times the real clip
 * counts, into `<root>/<record>/<file>`. The local Zenodo (zenodo-server.ts) serves that folder.
 *
 * With `control`, every clip carries the labels of the next clip of its split: a reader that
 * paired audio and labels wrongly would see exactly this, and every head must score at chance.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskDefinition } from '../../schemas/task.ts';
import { encodeFlac } from '../audio/flac.ts';
import { encodeWav } from '../audio/wav.ts';
import { packTar, type ShardEntry } from '../data/webdataset.ts';
import type { Logger } from '../log.ts';
import { SeededRandom } from '../util/random.ts';
import {
  classClip,
  eventClip,
  pianoClip,
  multiLabelTones,
  SPEECH_WORDS,
  speechClip,
  toneClip,
  wordsFor,
  type TimedEvent,
  type TimedNote,
} from './content.ts';
import { type ClipLength, type RehearsalDataset, rehearsalDataset } from './datasets.ts';

export interface RehearsalGenerateOptions {
  /** Where records are written: `<root>/<record>/<file>`. */
  readonly root: string;
  /** Share of the real clip counts (1 = the real suite); each split keeps at least a few clips. */
  readonly scale: number;
  readonly seed: number;
  /** Pair each clip's audio with the next clip's labels. */
  readonly control?: boolean;
  /** What a small scale keeps at least (default LEARNABLE_FLOORS). */
  readonly floors?: RehearsalFloors | undefined;
  /** Clips longer than this are cut (only to keep a test run short; off by default). */
  readonly maxClipSeconds?: number | undefined;
  readonly logger: Logger;
}

/** What was written for one task, and the score a head without information would get. */
export interface GeneratedTaskFacts {
  readonly task: string;
  readonly record: string;
  readonly clips: Readonly<Record<string, number>>;
  readonly audioSeconds: number;
  readonly files: readonly string[];
  readonly decoys: readonly string[];
  /** Classes that occur in the data (a small scale uses a spread-out subset). */
  readonly classesPresent: number | undefined;
  /** Expected score of a head that learned nothing; see `chanceScore`. */
  readonly chance: number;
  /**
   * Score of a perfect head on the test labels written: below 1 where the metric averages over
   * classes that a small test set lacks (FSD50K's mAP over all 200 classes); see `ceilingScore`.
   */
  readonly ceiling: number;
}

/** Fewest clips a split or fold gets at any scale, so that every split exists. */
const MIN_CLIPS = 4;
/** A frame task's evaluation floor counts clips of this length (see `scaledClips`). */
const FRAME_EVAL_CLIP_SECONDS = 10;
/**
 * What a small scale keeps at least, so heads can learn and scores can be told from chance. A
 * split of a few clips is one batch an epoch: a head gets a handful of optimiser steps, where the
 * real suite gives it hundreds or thousands (ESC-50: 500; LibriSpeech: 71,000). So the train split
 * keeps enough clips for `trainSteps` steps over the task's epochs at its batch size (and at
 * least `trainClips`), and valid and test `evalClips` clips each.
 */
export interface RehearsalFloors {
  readonly trainSteps: number;
  readonly trainClips: number;
  readonly evalClips: number;
}

/** Enough for a linear probe on clean features to leave chance (about 100 Adam steps). */
export const LEARNABLE_FLOORS: RehearsalFloors = Object.freeze({
  trainSteps: 100,
  trainClips: 12,
  evalClips: 40,
});
/**
 * The fewest clips that still exercise every split: the plumbing, not learning. Small enough
 * that the cost bench's scales grow the data in proportion (MAESTRO's pieces last 9 minutes).
 */
export const PLUMBING_FLOORS: RehearsalFloors = Object.freeze({
  trainSteps: 1,
  trainClips: MIN_CLIPS,
  evalClips: MIN_CLIPS,
});
/**
 * A CTC head needs this many times the steps of a probe: it emits only blanks for its first
 * thousand or so steps. Measured on the rehearsal's LibriSpeech at scale 0.002: random-transformer
 * scored iWER 0 after 140 steps and 0.545 after 3,000 (log-mel: 0 after either).
 */
export const CTC_STEP_FACTOR = 30;
/**
 * A frame head (BCE on every frame, events sparse) needs this many times the steps of a probe
 * before it marks any segment active. Measured on the rehearsal's DESED at scale 0.002, log-mel:
 * segment F1 0.229 after 100 steps (chance 0.170), 0.590 after 500. MAESTRO's posWeight of 10
 * made 100 enough there; its floor is its 12 pieces either way.
 */
export const FRAME_STEP_FACTOR = 5;

/**
 * Train clips per class below which a small scale uses fewer classes. A multi-label class is
 * learnt from fewer, noisier examples (its clips also carry other classes, and BCE's gradient
 * for a rare positive is small): FSD50K at scale 0.002, log-mel's mAP against chance (and the
 * best possible): 4 clips a class (173 classes), 0.049 against 0.030; 16 (40 classes), 0.037
 * against 0.024 (0.200); 32 (20 classes), 0.041 against 0.015 (0.100), clearly above chance.
 */
const CLIPS_PER_CLASS = 4;
const MULTI_LABEL_CLIPS_PER_CLASS = 32;

const CAPTION_SOUNDS = [
  'bell',
  'whistle',
  'drum',
  'siren',
  'bird',
  'engine',
  'horn',
  'chime',
  'buzzer',
  'rain',
  'violin',
  'alarm',
] as const;

/** The words of every caption the rehearsal writes. */
const CAPTION_WORDS = [
  'a',
  'can',
  'be',
  'heard',
  'the',
  'sound',
  'of',
  'and',
  'then',
  'someone',
  'records',
  'outside',
  'first',
  'nothing',
  'else',
  'in',
  'quiet',
  'room',
];

/**
 * The rehearsal's WordPiece vocabulary: BERT's special tokens, every caption word, and the
 * punctuation the captions use. It stands in for bert-base-uncased's, which is fetched from a
 * model hub (the retrieval head's text tower is trained from scratch, so any vocabulary that
 * covers the captions serves).
 */
export function rehearsalVocabulary(): string {
  const tokens = [
    '[PAD]',
    '[UNK]',
    '[CLS]',
    '[SEP]',
    '[MASK]',
    ',',
    ...CAPTION_WORDS,
    ...CAPTION_SOUNDS,
  ];
  return `${[...new Set(tokens)].join('\n')}\n`;
}

function drawSeconds(rng: SeededRandom, length: ClipLength): number {
  switch (length.kind) {
    case 'fixed':
      return length.seconds;
    case 'uniform':
      return rng.uniform(length.min, length.max);
    case 'lognormal':
      return Math.min(
        length.max,
        Math.max(length.min, length.median * Math.exp(length.sigma * rng.normal())),
      );
    case 'mostly':
      return rng.float() < length.shorter
        ? rng.uniform(length.min, length.seconds)
        : length.seconds;
  }
}

function isTrainGroup(task: TaskDefinition, group: string): boolean {
  return task.splits.kind === 'folds' || group === 'train';
}

/** Clips per group at `scale`, with the floors above. */
export function scaledClips(
  dataset: RehearsalDataset,
  task: TaskDefinition,
  scale: number,
  floors: RehearsalFloors = LEARNABLE_FLOORS,
): Record<string, number> {
  const groups = Object.keys(dataset.clips).length;
  const steps =
    floors.trainSteps *
    (task.trackA.loss === 'ctc' ? CTC_STEP_FACTOR : task.type === 'frame' ? FRAME_STEP_FACTOR : 1);
  const batchesPerEpoch = Math.ceil(steps / task.trackA.epochs);
  // A clip cut into crops is several training items (FMA's 30 s tracks: three 10 s crops), and
  // a captioned clip one (clip, caption) pair per caption (Clotho: five).
  const cropsPerClip =
    task.cropSeconds === undefined
      ? 1
      : Math.max(1, Math.floor(dataset.meanSeconds / task.cropSeconds));
  const itemsPerClip =
    cropsPerClip * (task.labels.kind === 'captions' ? task.labels.captionsPerClip : 1);
  const trainFloor = Math.max(
    floors.trainClips,
    Math.ceil((batchesPerEpoch * task.trackA.batchSize) / itemsPerClip),
  );
  // A frame task scores every segment of a clip: its floor counts audio, `evalClips` clips of
  // 10 s, so that DESED's 10 s soundscapes keep 40 (every class occurs) while MAESTRO's
  // 9-minute pieces keep a few, each thousands of scored frames.
  const evalFloor = Math.max(
    MIN_CLIPS,
    task.type === 'frame'
      ? Math.ceil((floors.evalClips * FRAME_EVAL_CLIP_SECONDS) / dataset.meanSeconds)
      : floors.evalClips,
  );
  const floor = (group: string) =>
    task.splits.kind === 'folds'
      ? // Every fold is held out once; the others together make the training set.
        Math.max(evalFloor, Math.ceil(trainFloor / Math.max(1, groups - 1)))
      : group === 'train'
        ? trainFloor
        : evalFloor;
  return Object.fromEntries(
    Object.entries(dataset.clips).map(([group, real]) => [
      group,
      Math.min(real, Math.max(floor(group), Math.round(real * scale))),
    ]),
  );
}

/** Shard file names of a series holding `clips` of its `realClips` clips. */
function seriesNames(
  pattern: string,
  realCount: number,
  clips: number,
  realClips: number,
): string[] {
  const perShard = Math.max(1, realClips / realCount);
  const count = Math.min(
    realCount,
    Math.max(Math.min(2, realCount, clips), Math.ceil(clips / perShard)),
  );
  return Array.from({ length: count }, (_, index) =>
    pattern.replace(/#+/, (run) => String(index).padStart(run.length, '0')),
  );
}

function rawValues(task: TaskDefinition): readonly (string | number)[] {
  const labels = task.labels;
  if (!('classes' in labels)) {
    return [];
  }
  return labels.values ?? labels.classes;
}

interface Sample {
  readonly audio: Float32Array;
  readonly label: unknown;
  /** For the chance level: the sample's class indices. */
  readonly classes: readonly number[];
  /** Frame tasks, for the chance level: scored segments, and those each class is active in. */
  readonly activity?: SegmentActivity;
  /** For the chance level: the items the clip is scored as (its crops; 1 without cropping). */
  readonly items?: number;
}

interface SegmentActivity {
  readonly segments: number;
  readonly active: ReadonlyMap<number, number>;
}

/** Segments of `segmentSeconds` over `seconds`, and how many each class's events touch. */
function segmentActivity(
  spans: readonly { start: number; end: number; classes: readonly number[] }[],
  seconds: number,
  segmentSeconds: number,
): SegmentActivity {
  const segments = Math.max(1, Math.ceil(seconds / segmentSeconds));
  const touched = new Map<number, Set<number>>();
  for (const span of spans) {
    const first = Math.floor(span.start / segmentSeconds);
    const last = Math.min(segments, Math.ceil(span.end / segmentSeconds));
    for (const c of span.classes) {
      const set = touched.get(c) ?? new Set<number>();
      for (let segment = first; segment < last; segment++) {
        set.add(segment);
      }
      touched.set(c, set);
    }
  }
  return { segments, active: new Map([...touched].map(([c, set]) => [c, set.size])) };
}

/** Evenly spread class indices: a small scale keeps the first, the last and those between. */
function presentClasses(count: number, trainClips: number, clipsPerClass: number): number[] {
  const present = Math.min(count, Math.max(2, Math.floor(trainClips / clipsPerClass)));
  return Array.from({ length: present }, (_, i) => Math.floor((i * count) / present));
}

/** Builds the samples of one task; `index` runs over a group, `order` is its balanced class order. */
function sampleMaker(task: TaskDefinition, present: readonly number[]) {
  const labels = task.labels;
  const raws = rawValues(task);
  const classCount = raws.length;
  return (rng: SeededRandom, classIndex: number, length: number, rate: number): Sample => {
    switch (labels.kind) {
      case 'single': {
        const raw = raws[classIndex] as string | number;
        return {
          audio: classClip(rng, [classIndex], classCount, length, rate),
          label: { [labels.key]: raw },
          classes: [classIndex],
        };
      }
      case 'multi': {
        const picked = new Set<number>([classIndex]);
        const extra = rng.float() < 0.4 ? (rng.float() < 0.25 ? 2 : 1) : 0;
        for (let i = 0; i < extra; i++) {
          picked.add(rng.pick(present));
        }
        const classes = [...picked].sort((a, b) => a - b);
        return {
          audio: toneClip(
            rng,
            classes.map((c) => multiLabelTones(c, present, classCount)),
            length,
            rate,
          ),
          label: { [labels.key]: classes.map((c) => String(raws[c])).join(labels.separator) },
          classes,
        };
      }
      case 'events': {
        const seconds = length / rate;
        if (task.type === 'frame' && typeof raws[0] === 'number') {
          // Notes (MAESTRO): about three a second, up to four at once, over the whole piece.
          const notes: TimedNote[] = [];
          for (
            let start = rng.uniform(0, 0.5);
            start < seconds - 0.15;
            start += rng.uniform(0.1, 0.6)
          ) {
            const end = Math.min(seconds, start + rng.uniform(0.15, 1.5));
            notes.push({ start: round3(start), end: round3(end), note: Number(rng.pick(raws)) });
          }
          return {
            audio: pianoClip(rng, notes, length, rate),
            label: notes.map((note) => ({
              [labels.startKey]: note.start,
              [labels.endKey]: note.end,
              [labels.classKey]: note.note,
            })),
            classes: notes.map((note) => raws.indexOf(note.note)),
            activity: segmentActivity(
              notes.map((note) => ({ ...note, classes: [raws.indexOf(note.note)] })),
              Math.max(0, ...notes.map((note) => note.end)),
              task.segmentSeconds ?? 1,
            ),
          };
        }
        // Sound events (DESED): one to four, 0.3-4 s, sometimes two classes in one event.
        const events: TimedEvent[] = [];
        const count = rng.int(1, 4);
        for (let i = 0; i < count; i++) {
          const span = rng.uniform(0.3, Math.min(4, seconds));
          const start = rng.uniform(0, Math.max(0, seconds - span));
          const first = i === 0 ? classIndex : rng.int(0, classCount - 1);
          const classes =
            rng.float() < 0.1
              ? [first, (first + rng.int(1, classCount - 1)) % classCount]
              : [first];
          events.push({ start: round3(start), end: round3(start + span), classes });
        }
        const separator = labels.classSeparator ?? ',';
        return {
          audio: eventClip(rng, events, classCount, length, rate),
          label: events.map((event) => ({
            [labels.startKey]: event.start,
            [labels.endKey]: event.end,
            [labels.classKey]: event.classes.map((c) => String(raws[c])).join(separator),
          })),
          classes: events.flatMap((event) => event.classes),
          activity: segmentActivity(
            events,
            labels.durationSeconds ?? seconds,
            task.segmentSeconds ?? 1,
          ),
        };
      }
      case 'captions': {
        // One to three sounds in turn; five captions that name them in different words.
        const sounds = Array.from({ length: rng.int(1, 3) }, () =>
          rng.int(0, CAPTION_SOUNDS.length - 1),
        );
        const audio = new Float32Array(length);
        const part = Math.floor(length / sounds.length);
        sounds.forEach((sound, i) => {
          audio.set(classClip(rng, [sound], CAPTION_SOUNDS.length, part, rate), i * part);
        });
        const names = sounds.map((sound) => CAPTION_SOUNDS[sound] as string);
        const list =
          names.length === 1
            ? (names[0] as string)
            : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
        const then = names.join(' then ');
        const captions = [
          `a ${then} can be heard`,
          `the sound of ${list}`,
          `someone records ${list} outside`,
          `first ${then}, nothing else`,
          `${list} in a quiet room`,
        ];
        return {
          audio,
          label: Object.fromEntries(
            captions
              .slice(0, labels.captionsPerClip)
              .map((caption, i) => [`caption_${i + 1}`, caption]),
          ),
          classes: sounds,
        };
      }
      case 'transcript': {
        // LibriSpeech: the record serves both tasks, so each sample has trans, speaker and gender.
        const gender = classIndex % 2 === 0 ? 'M' : 'F';
        const f0 = gender === 'M' ? rng.uniform(90, 140) : rng.uniform(180, 260);
        const words = Array.from({ length: wordsFor(length / rate) }, () => rng.pick(SPEECH_WORDS));
        return {
          audio: speechClip(rng, words, f0, length, rate),
          label: { speaker: 19 + rng.int(0, 250), gender, [labels.key]: words.join(' ') },
          classes: [gender === 'M' ? 0 : 1],
        };
      }
    }
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

async function encodeAudio(
  mono: Float32Array,
  rate: number,
  stereo: boolean,
  format: 'wav' | 'flac',
  rng: SeededRandom,
): Promise<{ extension: string; bytes: Uint8Array }> {
  const channels = [mono];
  if (stereo) {
    // The second channel: the same signal at a lower level, one balance per clip.
    const balance = rng.uniform(0.6, 1);
    const other = new Float32Array(mono.length);
    for (let i = 0; i < mono.length; i++) {
      other[i] = (mono[i] as number) * balance;
    }
    channels.push(other);
  }
  return format === 'flac'
    ? { extension: 'flac', bytes: await encodeFlac(channels, rate, 16) }
    : { extension: 'wav', bytes: encodeWav(channels, rate, 'pcm16') };
}

/** Items a clip of `seconds` is scored as: its crops (pipeline/audio/crop.ts), at least one. */
function cropsOf(task: TaskDefinition, seconds: number): number {
  return task.cropSeconds === undefined ? 1 : Math.max(1, Math.floor(seconds / task.cropSeconds));
}

function itemsOf(samples: readonly Sample[]): number {
  return samples.reduce((sum, sample) => sum + (sample.items ?? 1), 0);
}

/**
 * Expected average precision of a uniformly random ranking of `items` of which `positives` are
 * relevant. AP = (1/m) sum_k rel_k prec@k; with E[rel_k] = m/n and E[rel_j rel_k] =
 * m(m-1)/(n(n-1)) for j != k, it is H_n / n + (m-1)(n - H_n) / (n(n-1)), H_n the n-th harmonic
 * number: 1/n (the positive rate) only for large m. With one positive among 40 it is 0.107, not
 * 0.025, which is what FSD50K's many one-clip classes score at a small scale.
 */
export function expectedRandomAveragePrecision(positives: number, items: number): number {
  if (positives <= 0 || items <= 0) {
    return 0;
  }
  if (items === 1) {
    return 1;
  }
  let harmonic = 0;
  for (let k = 1; k <= items; k++) {
    harmonic += 1 / k;
  }
  return harmonic / items + ((positives - 1) * (items - harmonic)) / (items * (items - 1));
}

/** Chance level of the task's metric from the test labels written (see GeneratedTaskFacts). */
function chanceScore(task: TaskDefinition, tests: readonly (readonly Sample[])[]): number {
  const perGroup = tests.map((samples) => {
    switch (task.labels.kind) {
      case 'single': {
        // The majority class's share of the scored items: a clip cut into crops (LibriSpeech
        // gender's 5 s) counts once per crop, as the metric counts it.
        const counts = new Map<number, number>();
        for (const sample of samples) {
          const c = sample.classes[0] ?? 0;
          counts.set(c, (counts.get(c) ?? 0) + (sample.items ?? 1));
        }
        return Math.max(...counts.values()) / Math.max(1, itemsOf(samples));
      }
      case 'multi': {
        // The expected average precision of a random ranking of the scored items, per class.
        const positives = new Map<number, number>();
        for (const sample of samples) {
          for (const c of sample.classes) {
            positives.set(c, (positives.get(c) ?? 0) + (sample.items ?? 1));
          }
        }
        // The metric averages over every class, and a class without positives scores 0 (as
        // sklearn's): at a small scale most of FSD50K's 200 classes have none.
        const items = itemsOf(samples);
        const perClass = [...positives.values()].map((m) =>
          expectedRandomAveragePrecision(m, items),
        );
        return perClass.reduce((sum, value) => sum + value, 0) / rawValues(task).length;
      }
      case 'events':
        return eventChance(task, samples);
      case 'captions':
        return 1 / Math.max(1, samples.length);
      case 'transcript':
        return 0;
    }
  });
  return perGroup.reduce((sum, value) => sum + value, 0) / Math.max(1, perGroup.length);
}

/**
 * The best score the test labels allow (see GeneratedTaskFacts): 1, except for a macro average
 * over every class of the label map, where a class without positives scores 0 even for a
 * perfect head (sklearn's zero_division), so the ceiling is the share of classes present.
 */
function ceilingScore(task: TaskDefinition, tests: readonly (readonly Sample[])[]): number {
  const perGroup = tests.map((samples) => {
    const classes = rawValues(task).length;
    if (task.labels.kind === 'multi') {
      return new Set(samples.flatMap((sample) => sample.classes)).size / classes;
    }
    if (task.labels.kind === 'events' && task.metric !== 'segment_f1_micro') {
      const active = new Set(
        samples.flatMap((sample) => [...(sample.activity?.active.keys() ?? [])]),
      );
      return active.size / classes;
    }
    return 1;
  });
  return perGroup.reduce((sum, value) => sum + value, 0) / Math.max(1, perGroup.length);
}

/**
 * Segment F1 of a head that marks every segment active (the best score without information when
 * events are sparse): 2p / (1 + p), p the active share; per class then averaged (macro), or over
 * all cells (micro).
 */
function eventChance(task: TaskDefinition, samples: readonly Sample[]): number {
  let segments = 0;
  const active = new Map<number, number>();
  for (const sample of samples) {
    segments += sample.activity?.segments ?? 0;
    for (const [c, n] of sample.activity?.active ?? []) {
      active.set(c, (active.get(c) ?? 0) + n);
    }
  }
  const f1 = (p: number) => (2 * p) / (1 + p);
  if (task.metric === 'segment_f1_micro') {
    const cells = segments * rawValues(task).length;
    return f1([...active.values()].reduce((a, b) => a + b, 0) / Math.max(1, cells));
  }
  // Macro F1 averages over every class; one that never occurs scores 0 (sklearn's zero_division).
  const perClass = [...active.values()].map((n) => f1(n / Math.max(1, segments)));
  return perClass.reduce((a, b) => a + b, 0) / rawValues(task).length;
}

/**
 * Writes the record of `task` (unless another task's record holds its shards: then `writer` is
 * that task, whose samples are drawn again, unwritten, for this task's facts).
 */
export async function generateRehearsalTask(
  task: TaskDefinition,
  options: RehearsalGenerateOptions,
  writer: TaskDefinition = task,
): Promise<GeneratedTaskFacts> {
  const dataset = rehearsalDataset(task.id);
  const source = task.source;
  if (source.kind !== 'zenodo') {
    throw new Error(`${task.id} is not a Zenodo task`);
  }
  if ((dataset.sameRecordAs ?? task.id) !== writer.id) {
    throw new Error(
      `${task.id}: its record is written by ${dataset.sameRecordAs ?? task.id}, not ${writer.id}`,
    );
  }
  const owner = rehearsalDataset(writer.id);
  const clips = scaledClips(owner, writer, options.scale, options.floors);
  const trainClips = Object.entries(clips)
    .filter(([group]) => isTrainGroup(writer, group))
    .reduce((sum, [, n]) => sum + n, 0);
  const classCount = rawValues(writer).length;
  const present =
    writer.labels.kind === 'single' || writer.labels.kind === 'multi'
      ? presentClasses(
          classCount,
          trainClips,
          writer.labels.kind === 'multi' ? MULTI_LABEL_CLIPS_PER_CLASS : CLIPS_PER_CLASS,
        )
      : Array.from({ length: Math.max(2, classCount) }, (_, i) => i);
  const make = sampleMaker(writer, present);
  const folder = join(options.root, source.record);
  await mkdir(folder, { recursive: true });
  const files: string[] = [];
  const decoys: string[] = [];
  const tests: Sample[][] = [];
  let audioSeconds = 0;
  for (const [group, count] of Object.entries(clips)) {
    const groupRng = new SeededRandom(options.seed, `${writer.id}/${group}/order`);
    const order = groupRng.shuffle(
      Array.from({ length: count }, (_, i) => present[i % present.length] as number),
    );
    // Every clip is a pure function of (seed, writer, group, index), so it can be drawn again:
    // a shard is written as soon as its clips exist, and only labels and facts are kept.
    const draw = (index: number) => {
      const rng = new SeededRandom(options.seed, `${writer.id}/${group}/${index}`);
      const rate = rng.pick(owner.audio.sampleRates);
      const seconds = Math.min(options.maxClipSeconds ?? Infinity, drawSeconds(rng, owner.length));
      const length = Math.max(1, Math.round(seconds * rate));
      return { rng, rate, length, sample: make(rng, order[index] as number, length, rate) };
    };
    const written = writer === task ? owner.shards[group] : undefined;
    const isTest = task.splits.kind === 'folds' || group === 'test';
    const facts: Sample[] = [];
    const keep = (sample: Sample, seconds: number) => {
      if (isTest) {
        facts.push({ ...sample, audio: new Float32Array(0), items: cropsOf(task, seconds) });
      }
    };
    if (!written) {
      // Another task's record holds these shards (the second LibriSpeech task): facts only.
      for (let index = 0; index < count; index++) {
        const { length, rate, sample } = draw(index);
        audioSeconds += length / rate;
        keep(sample, length / rate);
      }
      tests.push(...(isTest ? [facts] : []));
      continue;
    }
    /** The entries of clips [from, to); with the control, each carries the next clip's label. */
    const entries = async (from: number, to: number, collect: boolean): Promise<ShardEntry[]> => {
      const drawn: { extension: string; bytes: Uint8Array; label: unknown }[] = [];
      for (let index = from; index < to; index++) {
        const { rng, rate, length, sample } = draw(index);
        if (collect) {
          audioSeconds += length / rate;
          keep(sample, length / rate);
        }
        const audio = await encodeAudio(
          sample.audio,
          rate,
          rng.float() < owner.audio.stereo,
          owner.audio.format,
          rng,
        );
        drawn.push({ ...audio, label: sample.label });
      }
      const labelOf = (index: number): unknown => {
        const wrapped = index % count;
        return wrapped >= from && wrapped < to
          ? drawn[wrapped - from]?.label
          : draw(wrapped).sample.label;
      };
      return drawn.flatMap((entry, offset) => {
        const index = from + offset;
        const key = `${group}_${String(index).padStart(7, '0')}`;
        const label = options.control ? labelOf(index + 1) : entry.label;
        return [
          { name: `${key}.${entry.extension}`, bytes: entry.bytes },
          { name: `${key}.json`, bytes: new TextEncoder().encode(JSON.stringify(label)) },
        ];
      });
    };
    const names = seriesNames(written.pattern, written.count, count, owner.clips[group] ?? count);
    for (const [shard, name] of names.entries()) {
      const from = Math.floor((shard * count) / names.length);
      const to = Math.floor(((shard + 1) * count) / names.length);
      await writeFile(join(folder, name), await packTar(await entries(from, to, true)));
      files.push(name);
    }
    if (isTest) {
      tests.push(facts);
    }
    for (const decoy of (owner.decoys ?? []).filter((entry) => entry.group === group)) {
      const size = Math.max(1, Math.min(count, Math.round(decoy.clips * options.scale)));
      await writeFile(join(folder, decoy.name), await packTar(await entries(0, size, false)));
      decoys.push(decoy.name);
    }
  }
  options.logger.info(
    `${task.id}: ${Object.values(clips).reduce((a, b) => a + b, 0)} clips, ${(audioSeconds / 3600).toFixed(2)} h of audio, ${files.length} shards${decoys.length > 0 ? ` and ${decoys.length} mini-set files` : ''} in record ${source.record}`,
  );
  return {
    task: task.id,
    record: source.record,
    clips,
    audioSeconds,
    files,
    decoys,
    classesPresent:
      task.labels.kind === 'single' || task.labels.kind === 'multi' ? present.length : undefined,
    chance: chanceScore(task, tests),
    ceiling: ceilingScore(task, tests),
  };
}

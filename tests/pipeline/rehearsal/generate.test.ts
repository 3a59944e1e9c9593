import { createReadStream } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../../pipeline/audio/decode.ts';
import { parseTarget } from '../../../pipeline/data/labels.ts';
import { readWebDataset } from '../../../pipeline/data/webdataset.ts';
import { createMemoryLogger } from '../../../pipeline/log.ts';
import { rehearsalDataset } from '../../../pipeline/rehearsal/datasets.ts';
import {
  expectedRandomAveragePrecision,
  generateRehearsalTask,
  LEARNABLE_FLOORS,
  PLUMBING_FLOORS,
  scaledClips,
  type GeneratedTaskFacts,
} from '../../../pipeline/rehearsal/generate.ts';
import { getTask } from '../../../pipeline/tasks/registry.ts';
import { multiLabelTones } from '../../../pipeline/rehearsal/content.ts';
import { EVERY_FORMAT } from '../../support/rehearsal-run.ts';

interface ReadSample {
  readonly key: string;
  readonly extension: string;
  readonly json: unknown;
  readonly sampleRate: number;
  readonly channels: number;
  readonly seconds: number;
}

async function readShard(path: string): Promise<ReadSample[]> {
  const samples: ReadSample[] = [];
  for await (const sample of readWebDataset(createReadStream(path), path)) {
    const [extension, audio] = [...sample.files].find(([name]) => name !== 'json') ?? [
      '',
      Buffer.alloc(0),
    ];
    const decoded = await decodeAudio(audio, path);
    samples.push({
      key: sample.key,
      extension,
      json: JSON.parse(sample.files.get('json')?.toString('utf8') ?? 'null') as unknown,
      sampleRate: decoded.sampleRate,
      channels: decoded.channels.length,
      seconds: (decoded.channels[0]?.length ?? 0) / decoded.sampleRate,
    });
  }
  return samples;
}

/** The tasks of every label format that write their own record (rehearsal-run.ts). */
const TASKS = EVERY_FORMAT.filter((id) => rehearsalDataset(id).sameRecordAs === undefined);
const options = (root: string, control = false) => ({
  root,
  scale: 1e-6,
  seed: 7,
  control,
  floors: PLUMBING_FLOORS,
  maxClipSeconds: 2,
  logger: createMemoryLogger(),
});

let root: string;
const facts = new Map<string, GeneratedTaskFacts>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rehearsal-'));
  for (const id of TASKS) {
    facts.set(id, await generateRehearsalTask(getTask(id), options(root)));
  }
}, 120_000);

async function samplesOf(id: string): Promise<ReadSample[]> {
  const task = getTask(id);
  const record = task.source.kind === 'zenodo' ? task.source.record : '';
  const fact = facts.get(id);
  const all: ReadSample[] = [];
  for (const file of fact?.files ?? []) {
    all.push(...(await readShard(join(root, record, file))));
  }
  return all;
}

describe('the rehearsal generator', () => {
  it("writes each task's record with its X-ARES shard names, mini-set files included", async () => {
    const nsynth = await readdir(join(root, '14725174'));
    expect(nsynth.sort()).toEqual(
      expect.arrayContaining([
        'nsynth_train_0000000.tar',
        'nsynth_train_sub55k_0000000.tar',
        'nsynth_valid_0000000.tar',
        'nsynth_test_0000000.tar',
      ]),
    );
    expect(facts.get('nsynthinstument')?.decoys).toEqual(['nsynth_train_sub55k_0000000.tar']);
    expect(await readdir(join(root, '14614287'))).toEqual(
      expect.arrayContaining(['wds-audio-fold-1-000000.tar', 'wds-audio-fold-5-000000.tar']),
    );
    expect(await readdir(join(root, '14716252'))).toEqual(
      expect.arrayContaining([
        'train-clean-100-000000.tar',
        'dev-clean-000000.tar',
        'test-clean-000000.tar',
      ]),
    );
  });

  it('writes every label in the format of the X-ARES task, which the pipeline parses', async () => {
    for (const id of TASKS) {
      const task = getTask(id);
      const samples = await samplesOf(id);
      const clips = Object.values(facts.get(id)?.clips ?? {}).reduce((a, b) => a + b, 0);
      expect(samples.length, id).toBe(clips);
      for (const sample of samples) {
        expect(
          () => parseTarget(task.labels, sample.json, `${id}: ${sample.key}`),
          id,
        ).not.toThrow();
      }
    }
    const [esc] = await samplesOf('esc50');
    expect(typeof (esc?.json as { label: unknown }).label).toBe('number');
    const fsd = (await samplesOf('fsd50k')).map(
      (sample) => (sample.json as { soundevent: string }).soundevent,
    );
    expect(fsd.some((labels) => labels.includes(';'))).toBe(true);
    const [desed] = await samplesOf('desed');
    expect(Object.keys((desed?.json as object[])[0] ?? {}).sort()).toEqual([
      'label',
      'offset',
      'onset',
    ]);
    const [maestro] = await samplesOf('maestro');
    expect(Object.keys((maestro?.json as object[])[0] ?? {}).sort()).toEqual([
      'end',
      'note',
      'start',
    ]);
    const [clotho] = await samplesOf('clotho');
    expect(Object.keys(clotho?.json as object)).toHaveLength(5);
    const [speech] = await samplesOf('librispeech');
    expect(Object.keys(speech?.json as object).sort()).toEqual(['gender', 'speaker', 'trans']);
    const voxceleb = await samplesOf('voxceleb1');
    expect(
      voxceleb.every((sample) =>
        /^id1\d{4}$/.test((sample.json as { speakerid: string }).speakerid),
      ),
    ).toBe(true);
  });

  it('gives the chance level of each metric as it averages: mAP over all 200 FSD50K classes', async () => {
    const fsd = facts.get('fsd50k');
    // Averaged over every class: at most the share of classes in the test split, which is also
    // the best score a perfect head gets there (a class without positives scores 0).
    const test = (await samplesOf('fsd50k')).filter((sample) => sample.key.startsWith('test'));
    const classes = new Set(
      test.flatMap((sample) => (sample.json as { soundevent: string }).soundevent.split(';')),
    );
    expect(fsd?.ceiling).toBeCloseTo(classes.size / 200, 12);
    expect(fsd?.chance).toBeGreaterThan(0);
    expect(fsd?.chance).toBeLessThan(fsd?.ceiling ?? 0);
    expect(facts.get('esc50')?.ceiling).toBe(1);
    const esc = facts.get('esc50');
    expect(esc?.chance).toBeGreaterThanOrEqual(1 / (esc?.classesPresent ?? 1));
    expect(facts.get('librispeech')?.chance).toBe(0);
  });

  it('stores the audio as the dataset distributes it', async () => {
    for (const id of ['esc50', 'librispeech', 'maestro']) {
      const audio = rehearsalDataset(id).audio;
      for (const sample of await samplesOf(id)) {
        expect(sample.extension, id).toBe(audio.format);
        expect(audio.sampleRates, id).toContain(sample.sampleRate);
        expect(sample.channels, id).toBe(audio.stereo === 1 ? 2 : 1);
      }
    }
  });

  it("the control pairs every clip with the next clip's labels, and nothing else changes", async () => {
    const controlRoot = await mkdtemp(join(tmpdir(), 'rehearsal-control-'));
    await generateRehearsalTask(getTask('esc50'), options(controlRoot, true));
    // Fold 1 is two shards; the labels move along the fold as one sequence.
    const fold = async (folder: string) => [
      ...(await readShard(join(folder, '14614287', 'wds-audio-fold-1-000000.tar'))),
      ...(await readShard(join(folder, '14614287', 'wds-audio-fold-1-000001.tar'))),
    ];
    const real = await fold(root);
    const control = await fold(controlRoot);
    expect(control.map((sample) => sample.key)).toEqual(real.map((sample) => sample.key));
    expect(control.map((sample) => sample.json)).toEqual(
      [...real.slice(1), ...real.slice(0, 1)].map((sample) => sample.json),
    );
  });

  it('keeps just enough train clips for the floor of optimiser steps, counting what a clip yields', () => {
    const trainFloor = (id: string, floors = LEARNABLE_FLOORS) => {
      const task = getTask(id);
      return scaledClips(rehearsalDataset(id), task, 1e-6, floors)['train'];
    };
    // 100 steps over 20 epochs at batch 128: 5 batches of 640 items.
    expect(getTask('clotho').trackA).toMatchObject({ epochs: 20, batchSize: 128 });
    // Five (clip, caption) pairs per Clotho clip: 128 clips, not 640.
    expect(trainFloor('clotho')).toBe(128);
    expect(trainFloor('clotho', PLUMBING_FLOORS)).toBe(Math.ceil(128 / 5));
    // One item per NSynth clip: the batches of 100 steps over its epochs, each full.
    const nsynth = getTask('nsynthinstument').trackA;
    expect(trainFloor('nsynthinstument')).toBe(Math.ceil(100 / nsynth.epochs) * nsynth.batchSize);
    // A CTC head gets 30 times the steps: 3,000 over LibriSpeech's epochs at batch 4.
    const speech = getTask('librispeech').trackA;
    expect(speech).toMatchObject({ loss: 'ctc', batchSize: 4 });
    expect(trainFloor('librispeech')).toBe(Math.ceil(3000 / speech.epochs) * 4);
    // A frame head 5 times: DESED's 500 steps over 10 epochs at batch 32 (at 100, log-mel's
    // segment F1 was 0.229 against a chance of 0.170; at 500, 0.590).
    expect(getTask('desed').trackA).toMatchObject({ epochs: 10, batchSize: 32 });
    expect(trainFloor('desed')).toBe(Math.ceil(500 / 10) * 32);
  });

  it('keeps no more train clips than the floors ask, so the plumbing floors grow with the scale', () => {
    // MAESTRO: 353 pieces of about 9 minutes in train. At 0.02 of them (7 pieces) the plumbing
    // floors must not add more: the bench fits seconds against hours across its scales.
    const maestro = (scale: number) =>
      scaledClips(rehearsalDataset('maestro'), getTask('maestro'), scale, PLUMBING_FLOORS)[
        'train'
      ] ?? 0;
    expect(maestro(0.02)).toBe(
      Math.round((rehearsalDataset('maestro').clips['train'] ?? 0) * 0.02),
    );
    expect(maestro(0.04)).toBeGreaterThan(maestro(0.02));
    expect(PLUMBING_FLOORS.trainClips).toBeLessThan(LEARNABLE_FLOORS.trainClips);
  });

  it("counts a frame task's evaluation floor in 10 s of audio per clip", () => {
    const test = (id: string) =>
      scaledClips(rehearsalDataset(id), getTask(id), 0.002, LEARNABLE_FLOORS)['test'];
    // DESED's 10 s soundscapes: 40 of them, so that every one of its 10 classes occurs (with 4,
    // segment F1 was noise); MAESTRO's 9-minute pieces: the fewest, each thousands of frames.
    expect(test('desed')).toBeGreaterThanOrEqual(LEARNABLE_FLOORS.evalClips);
    expect(test('maestro')).toBe(4);
  });
});

describe('chance levels', () => {
  /** Average precision of one ranking (1 = relevant), as the metric computes it. */
  const averagePrecision = (ranking: readonly number[]) => {
    let hits = 0;
    let sum = 0;
    ranking.forEach((relevant, index) => {
      if (relevant) {
        hits += 1;
        sum += hits / (index + 1);
      }
    });
    return sum / hits;
  };

  /** Every placement of `m` relevant items among `n`, each equally likely under a random ranking. */
  const placements = (n: number, m: number): number[][] =>
    m === 0
      ? [Array<number>(n).fill(0)]
      : n === m
        ? [Array<number>(n).fill(1)]
        : [
            ...placements(n - 1, m - 1).map((rest) => [1, ...rest]),
            ...placements(n - 1, m).map((rest) => [0, ...rest]),
          ];

  it.each([
    [1, 1],
    [7, 1],
    [7, 2],
    [7, 5],
    [7, 7],
    [9, 3],
  ])(
    'the expected AP of a random ranking of %i items, %i relevant, is the mean over placements',
    (n, m) => {
      const all = placements(n, m);
      const mean = all.reduce((sum, ranking) => sum + averagePrecision(ranking), 0) / all.length;
      expect(expectedRandomAveragePrecision(m, n)).toBeCloseTo(mean, 12);
    },
  );

  it("counts a cropped clip once per crop, as the metric does (LibriSpeech gender's 5 s crops)", async () => {
    const folder = await mkdtemp(join(tmpdir(), 'rehearsal-gender-'));
    const settings = {
      ...options(folder),
      // Real lengths (1.3 to 35 s): from one crop to seven.
      maxClipSeconds: undefined,
      floors: { ...PLUMBING_FLOORS, evalClips: 16 },
    };
    const speech = await generateRehearsalTask(getTask('librispeech'), settings);
    const gender = await generateRehearsalTask(
      getTask('librispeechmalefemale'),
      settings,
      getTask('librispeech'),
    );
    const test = (
      await Promise.all(
        speech.files
          .filter((name) => name.startsWith('test'))
          .map((name) => readShard(join(folder, speech.record, name))),
      )
    ).flat();
    expect(test).toHaveLength(16);
    const crops = new Map<string, number>();
    for (const sample of test) {
      const label = (sample.json as { gender: string }).gender;
      crops.set(label, (crops.get(label) ?? 0) + Math.max(1, Math.floor(sample.seconds / 5)));
    }
    const total = [...crops.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(test.length);
    expect(gender.chance).toBeCloseTo(Math.max(...crops.values()) / total, 12);
    // On these clips counting clips gives another level, so the test tells the two apart.
    const clips = new Map<string, number>();
    for (const sample of test) {
      const label = (sample.json as { gender: string }).gender;
      clips.set(label, (clips.get(label) ?? 0) + 1);
    }
    expect(Math.max(...clips.values()) / test.length).not.toBeCloseTo(gender.chance, 3);
  });
});

describe('multi-label content', () => {
  it('gives every class in use a tone of its own while they fit the bands, so mixes stay linear', () => {
    const present = Array.from({ length: 40 }, (_, i) => i * 5);
    const tones = present.map((index) => multiLabelTones(index, present, 200));
    expect(tones.every((set) => set.length === 1)).toBe(true);
    expect(new Set(tones.map((set) => set[0])).size).toBe(40);
    // Two-tone codes share tones between classes: classes (a, b) and (c, d) also sound like (a, d).
    const all = Array.from({ length: 200 }, (_, i) => i);
    expect(multiLabelTones(7, all, 200)).toHaveLength(2);
  });
});

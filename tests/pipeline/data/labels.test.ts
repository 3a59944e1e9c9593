import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TaskLabels } from '../../../schemas/task.ts';
import { encodeWav } from '../../../pipeline/audio/wav.ts';
import { parseTarget } from '../../../pipeline/data/labels.ts';
import { readLabelledAudio } from '../../../pipeline/data/samples.ts';
import { packTar } from '../../../pipeline/data/webdataset.ts';
import { getTask } from '../../../pipeline/tasks/registry.ts';

const labelsOf = (id: string): TaskLabels => getTask(id).labels;

describe('parseTarget for the X-ARES label maps', () => {
  it('maps CREMA-D letters to the six emotions', () => {
    expect(parseTarget(labelsOf('cremad'), { label: 'S' }, 'x')).toEqual({
      kind: 'class',
      index: 1,
    });
    expect(() => parseTarget(labelsOf('cremad'), { label: 'X' }, 'shard.tar: k1')).toThrow(
      'shard.tar: k1: label field "label" is "X", which is not a class of this task',
    );
  });

  it('sends every value but "M" to female on LibriSpeech-MF', () => {
    expect(parseTarget(labelsOf('librispeechmalefemale'), { gender: 'M' }, 'x')).toEqual({
      kind: 'class',
      index: 0,
    });
    expect(parseTarget(labelsOf('librispeechmalefemale'), { gender: 'unknown' }, 'x')).toEqual({
      kind: 'class',
      index: 1,
    });
  });

  it('uses integer labels as they are (ESC-50, LibriCount) and parses integer strings where X-ARES calls int()', () => {
    expect(parseTarget(labelsOf('esc50'), { label: 49 }, 'x')).toEqual({
      kind: 'class',
      index: 49,
    });
    expect(parseTarget(labelsOf('libricount'), { num_speakers: 0 }, 'x')).toEqual({
      kind: 'class',
      index: 0,
    });
    expect(parseTarget(labelsOf('subway_broadcast'), { broadcasting: '1' }, 'x')).toEqual({
      kind: 'class',
      index: 1,
    });
    expect(() => parseTarget(labelsOf('esc50'), { label: '49' }, 'x')).toThrow(
      'label field "label" is "49"',
    );
  });

  it('keeps the raw LiveEnv value with its trailing space', () => {
    expect(parseTarget(labelsOf('liveenv'), { soundevent: 'BabySound ' }, 'x')).toEqual({
      kind: 'class',
      index: 5,
    });
  });

  it('keeps the typographic apostrophes of the Fluent Speech Commands phrases', () => {
    const labels = labelsOf('fluentspeechcommands');
    const phrase =
      'classes' in labels ? labels.classes.find((name) => name.includes('\u2019')) : undefined;
    expect(phrase).toBeDefined();
    expect(parseTarget(labels, { transcription: phrase }, 'x').kind).toBe('class');
  });

  it('splits FSD50K labels on ";" into sorted, distinct class indices', () => {
    const target = parseTarget(
      labelsOf('fsd50k'),
      { soundevent: 'Accordion;Accelerating_and_revving_and_vroom;Accordion' },
      'x',
    );
    expect(target).toEqual({ kind: 'multi', indices: [0, 1] });
  });

  it('reads DESED events with comma-joined classes', () => {
    const target = parseTarget(
      labelsOf('desed'),
      [
        { onset: 0.5, offset: 2, label: 'Speech,Dog' },
        { onset: 3, offset: 4.25, label: 'Cat' },
      ],
      'x',
    );
    expect(target).toEqual({
      kind: 'events',
      events: [
        { start: 0.5, end: 2, classes: [1, 8] },
        { start: 3, end: 4.25, classes: [0] },
      ],
    });
  });

  it('reads MAESTRO notes by MIDI number', () => {
    expect(parseTarget(labelsOf('maestro'), [{ start: 1, end: 1.5, note: 60 }], 'x')).toEqual({
      kind: 'events',
      events: [{ start: 1, end: 1.5, classes: [39] }],
    });
    expect(() => parseTarget(labelsOf('maestro'), [{ start: 1, end: 1.5, note: 20 }], 'x')).toThrow(
      'label field "note" is 20',
    );
    expect(() =>
      parseTarget(labelsOf('maestro'), [{ start: -1, end: 1.5, note: 60 }], 'x'),
    ).toThrow('event field "start" is -1');
  });

  it('takes every value of a Clotho object as a caption and needs all five', () => {
    const captions = {
      caption_1: 'a',
      caption_2: 'b',
      caption_3: 'c',
      caption_4: 'd',
      caption_5: 'e',
    };
    expect(parseTarget(labelsOf('clotho'), captions, 'x')).toEqual({
      kind: 'captions',
      captions: ['a', 'b', 'c', 'd', 'e'],
    });
    expect(() => parseTarget(labelsOf('clotho'), { caption_1: 'a' }, 'x')).toThrow(
      'expected 5 non-empty caption strings, found 1 values',
    );
  });

  it('reads LibriSpeech transcripts', () => {
    expect(parseTarget(labelsOf('librispeech'), { trans: 'HELLO WORLD', speaker: 3 }, 'x')).toEqual(
      { kind: 'transcript', text: 'HELLO WORLD' },
    );
  });

  it('refuses a list where an object is expected, and the reverse', () => {
    expect(() => parseTarget(labelsOf('cremad'), [], 'x')).toThrow(
      'the label JSON must be an object (got a list)',
    );
    expect(() => parseTarget(labelsOf('desed'), {}, 'x')).toThrow('must be a list of events');
  });
});

describe('readLabelledAudio', () => {
  it('decodes audio and targets of every sample, in order, and skips a sample without audio or label as X-ARES does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'samples-'));
    const clip = (value: number) => encodeWav([new Float32Array(160).fill(value)], 8000, 'pcm16');
    const labels: TaskLabels = { kind: 'single', key: 'label', classes: ['happy', 'sad', 'angry'] };
    await writeFile(
      join(dir, 'good.tar'),
      await packTar([
        { name: 'k1.wav', bytes: clip(0.5) },
        { name: 'k1.json', bytes: new TextEncoder().encode('{"label":"angry"}') },
        { name: 'k2.json', bytes: new TextEncoder().encode('{"label":"happy"}') },
        { name: 'k2.wav', bytes: clip(-0.25) },
      ]),
    );
    const samples = [];
    for await (const sample of readLabelledAudio(dir, ['good.tar'], labels)) {
      samples.push(sample);
    }
    expect(
      samples.map((sample) => [
        sample.key,
        sample.target,
        sample.sampleRate,
        sample.channels[0]?.length,
      ]),
    ).toEqual([
      ['k1', { kind: 'class', index: 2 }, 8000, 160],
      ['k2', { kind: 'class', index: 0 }, 8000, 160],
    ]);
    expect(samples[1]?.channels[0]?.[0]).toBe(-0.25);

    // X-ARES skips a sample without an audio or a JSON entry (webdataset's
    // warn-and-continue handler), and so does this reader: k3 and k4 are not read.
    await writeFile(
      join(dir, 'partial.tar'),
      await packTar([
        { name: 'k3.wav', bytes: clip(0) },
        { name: 'k4.json', bytes: new TextEncoder().encode('{"label":"happy"}') },
        { name: 'k5.json', bytes: new TextEncoder().encode('{"label":"happy"}') },
        { name: 'k5.wav', bytes: clip(0.5) },
      ]),
    );
    const read = [];
    for await (const sample of readLabelledAudio(dir, ['partial.tar'], labels)) {
      read.push(sample.key);
    }
    expect(read).toEqual(['k5']);
    // A JSON entry that is not JSON is corrupt data, not a missing entry: an error.
    await writeFile(
      join(dir, 'bad.tar'),
      await packTar([
        { name: 'k6.json', bytes: new TextEncoder().encode('{"label":') },
        { name: 'k6.wav', bytes: clip(0) },
      ]),
    );
    const drain = async () => {
      for await (const _ of readLabelledAudio(dir, ['bad.tar'], labels)) {
        // nothing
      }
    };
    await expect(drain()).rejects.toThrow('bad.tar: k6.json is not valid JSON');
  });
});

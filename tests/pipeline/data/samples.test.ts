import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TaskLabels } from '../../../schemas/task.ts';
import { encodeWav } from '../../../pipeline/audio/wav.ts';
import { classIndexOf, readLabelledAudio } from '../../../pipeline/data/samples.ts';
import { packTar } from '../../../pipeline/data/webdataset.ts';

const emotions: TaskLabels = { kind: 'single', key: 'label', classes: ['happy', 'sad', 'angry'] };

describe('classIndexOf', () => {
  it('maps a value to the index of its class', () => {
    expect(classIndexOf(emotions, { label: 'sad' }, 'x')).toBe(1);
  });

  it('uses the raw values when they differ from the class names', () => {
    const cremad: TaskLabels = {
      kind: 'single',
      key: 'label',
      classes: ['happy', 'sad'],
      values: ['H', 'S'],
    };
    expect(classIndexOf(cremad, { label: 'S' }, 'x')).toBe(1);
    const counts: TaskLabels = {
      kind: 'single',
      key: 'num_speakers',
      classes: ['0', '1', '2'],
      values: [0, 1, 2],
    };
    expect(classIndexOf(counts, { num_speakers: 2 }, 'x')).toBe(2);
  });

  it('sends every other value to `otherwise` (LibriSpeech-MF: "M" is 0, anything else 1)', () => {
    const gender: TaskLabels = {
      kind: 'single',
      key: 'gender',
      classes: ['male', 'female'],
      values: ['M', 'F'],
      otherwise: 1,
    };
    expect(classIndexOf(gender, { gender: 'M' }, 'x')).toBe(0);
    expect(classIndexOf(gender, { gender: 'unknown' }, 'x')).toBe(1);
  });

  it('names the sample, the field and the value when the label is unknown', () => {
    expect(() => classIndexOf(emotions, { label: 'bored' }, 'shard.tar: key_7')).toThrow(
      'shard.tar: key_7: label field "label" is "bored", which is not a class of this task',
    );
    expect(() => classIndexOf(emotions, {}, 'shard.tar: key_8')).toThrow(
      'label field "label" is undefined',
    );
  });
});

describe('readLabelledAudio', () => {
  it('decodes audio and labels of every sample, in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'samples-'));
    const clip = (value: number) => encodeWav([new Float32Array(160).fill(value)], 8000, 'pcm16');
    await writeFile(
      join(dir, 'a.tar'),
      await packTar([
        { name: 'k1.wav', bytes: clip(0.5) },
        { name: 'k1.json', bytes: new TextEncoder().encode('{"label":"angry"}') },
        { name: 'k2.flac.json', bytes: new TextEncoder().encode('{}') },
      ]),
    );
    const read = async () => {
      const out = [];
      for await (const sample of readLabelledAudio(dir, ['a.tar'], emotions)) {
        out.push(sample);
      }
      return out;
    };
    // k2 has a label entry under an unusual extension but no audio and no "json": an error names it.
    await expect(read()).rejects.toThrow('a.tar: sample "k2" has no k2.json label entry');

    await writeFile(
      join(dir, 'b.tar'),
      await packTar([
        { name: 'k1.wav', bytes: clip(0.5) },
        { name: 'k1.json', bytes: new TextEncoder().encode('{"label":"angry"}') },
        { name: 'k2.json', bytes: new TextEncoder().encode('{"label":"happy"}') },
        { name: 'k2.wav', bytes: clip(-0.25) },
      ]),
    );
    const samples = [];
    for await (const sample of readLabelledAudio(dir, ['b.tar'], emotions)) {
      samples.push(sample);
    }
    expect(
      samples.map((sample) => [
        sample.key,
        sample.label,
        sample.sampleRate,
        sample.channels[0]?.length,
      ]),
    ).toEqual([
      ['k1', 2, 8000, 160],
      ['k2', 0, 8000, 160],
    ]);
    expect(samples[1]?.channels[0]?.[0]).toBeCloseTo(-0.25, 4);
  });
});

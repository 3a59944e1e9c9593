import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHARD_LIMITS } from '../../../pipeline/data/webdataset.ts';
import { REHEARSAL_DATASETS } from '../../../pipeline/rehearsal/datasets.ts';
import {
  DATASETS_END,
  DATASETS_START,
  REHEARSAL_DOC,
  renderDatasetTable,
} from '../../../pipeline/rehearsal/docs.ts';
import { getSuite, suiteTasks } from '../../../pipeline/suites/index.ts';
import { between, normalizeTables } from '../../../pipeline/util/markdown.ts';

describe("the rehearsal's table of the real suite", () => {
  it('docs/rehearsal.md shows the table datasets.ts generates', () => {
    const table = between(readFileSync(REHEARSAL_DOC, 'utf8'), DATASETS_START, DATASETS_END);
    expect(table, 'docs/rehearsal.md lost the markers around the dataset table').toBeDefined();
    expect(
      normalizeTables(table ?? ''),
      'docs/rehearsal.md differs from pipeline/rehearsal/datasets.ts: run `node pipeline/rehearsal/docs.ts --write`',
    ).toBe(normalizeTables(renderDatasetTable()));
  });

  it('covers every public X-ARES task once, with its splits or folds and a source', () => {
    const tasks = suiteTasks(getSuite('xares')).filter((task) => task.source.kind === 'zenodo');
    expect(REHEARSAL_DATASETS.map((entry) => entry.task).sort()).toEqual(
      tasks.map((task) => task.id).sort(),
    );
    for (const task of tasks) {
      const dataset = REHEARSAL_DATASETS.find((entry) => entry.task === task.id);
      const groups =
        task.splits.kind === 'folds'
          ? task.splits.folds.map((fold) => fold.id)
          : task.source.kind === 'zenodo' &&
              task.source.xaresPatterns.valid === task.source.xaresPatterns.test
            ? ['train', 'test']
            : ['train', 'valid', 'test'];
      expect(Object.keys(dataset?.clips ?? {}).sort(), task.id).toEqual([...groups].sort());
      expect(dataset?.source.length, task.id).toBeGreaterThan(10);
    }
  });
});

describe('the shard reader and the real suite', () => {
  it('accepts the longest clip of the real suite as one entry (a MAESTRO piece as 16-bit WAV)', () => {
    const longest = Math.max(
      ...REHEARSAL_DATASETS.map((dataset) => {
        const seconds =
          dataset.length.kind === 'fixed'
            ? dataset.length.seconds
            : dataset.length.kind === 'mostly'
              ? dataset.length.seconds
              : dataset.length.max;
        const rate = Math.max(...dataset.audio.sampleRates);
        return seconds * rate * (dataset.audio.stereo > 0 ? 2 : 1) * 2 + 44;
      }),
    );
    expect(longest).toBeGreaterThan(500e6);
    expect(DEFAULT_SHARD_LIMITS.maxEntryBytes).toBeGreaterThanOrEqual(longest);
  });
});

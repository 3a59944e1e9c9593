import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArchiveEdition } from '../../schemas/archive.ts';
import { archiveTracks } from '../../src/lib/archive-view.ts';

const edition = ArchiveEdition.parse(
  JSON.parse(
    readFileSync(
      join(import.meta.dirname, '..', '..', 'results', 'archive', 'icme2025.json'),
      'utf8',
    ),
  ),
);

describe('archiveTracks', () => {
  const [trackA, trackB] = archiveTracks(edition);

  it('lists the seven teams by official rank, then the baselines by printed average', () => {
    expect(trackA?.rows.map((row) => row.entry.name).slice(0, 7)).toEqual([
      'audiocodec',
      'GAEBT',
      'AudioX',
      'CMU',
      'Aluminumbox',
      'Probin',
      'SAMoVA',
    ]);
    expect(trackB?.rows.map((row) => row.officialRank).slice(0, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const baselines = trackA?.rows.slice(7) ?? [];
    expect(baselines.every((row) => row.entry.kind === 'baseline')).toBe(true);
    const printed = baselines.map((row) => row.printed ?? 0);
    expect(printed).toEqual([...printed].sort((a, b) => b - a));
  });

  it('shows the printed average and flags the four Track A rows the printed scores do not give', () => {
    const audiocodec = trackA?.rows[0];
    expect(audiocodec?.printed).toBe(0.865);
    // Recomputed independently (a Python one-liner over the printed task scores and weights): 0.8677.
    expect(audiocodec?.recomputed?.recomputed).toBeCloseTo(0.868, 3);
    const teamsThatDiffer = trackA?.rows
      .filter(
        (row) => row.entry.kind === 'team' && row.recomputed?.consistentWithRounding === false,
      )
      .map((row) => row.entry.name);
    expect(teamsThatDiffer).toEqual(['audiocodec', 'GAEBT', 'CMU', 'Aluminumbox']);
    expect(
      trackB?.rows
        .filter((row) => row.entry.kind === 'team')
        .every((row) => row.recomputed?.consistentWithRounding),
    ).toBe(true);
  });
});

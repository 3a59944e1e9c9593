import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { trackTable } from '../../src/lib/leaderboard-view.ts';
import { formatScore } from '../../src/lib/format.ts';

const fixture = Leaderboard.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'leaderboard.json'), 'utf8')),
);

describe('trackTable', () => {
  const table = trackTable(fixture, 'A');

  it('has rank, team, model, average, domain, coverage and one column per task', () => {
    expect(table.columns.map((column) => column.id)).toEqual([
      'rank',
      'team',
      'model',
      'average',
      'domain-sound',
      'domain-music',
      'coverage',
      ...fixture.tracks.A.tasks.map((id) => `task-${id}`),
    ]);
    const task = fixture.tasks[0];
    expect(table.columns.find((column) => column.id === `task-${task?.id ?? ''}`)?.title).toMatch(
      /^Accuracy: /,
    );
  });

  it('keeps the server order (best average first) and marks the best value of each score column', () => {
    expect(table.rows.map((tableRow) => tableRow.submission.slug)).toEqual(
      fixture.tracks.A.rows.map((fixtureRow) => fixtureRow.submission),
    );
    const averageIndex = table.columns.findIndex((column) => column.id === 'average');
    expect(table.rows.map((tableRow) => tableRow.cells[averageIndex]?.best)).toEqual([
      true,
      false,
      false,
    ]);
    table.columns.forEach((column, index) => {
      if (!column.id.startsWith('task-')) {
        return;
      }
      const values = table.rows.map((tableRow) => Number(tableRow.cells[index]?.sortValue));
      const best = table.rows
        .filter((tableRow) => tableRow.cells[index]?.best)
        .map((tableRow) => Number(tableRow.cells[index]?.sortValue));
      expect(best).toEqual([Math.max(...values)]);
    });
  });

  it('shows missing scores as a dash that sorts last', () => {
    const sparse = structuredClone(fixture);
    const first = sparse.tracks.A.rows[0];
    const taskId = sparse.tracks.A.tasks[0] ?? '';
    if (first) {
      first.scores[taskId] = null;
    }
    const cells = trackTable(sparse, 'A').rows[0]?.cells ?? [];
    const index = trackTable(sparse, 'A').columns.findIndex(
      (column) => column.id === `task-${taskId}`,
    );
    expect(cells[index]).toEqual({ text: '–', sortValue: '', best: false });
  });
});

describe('formatScore', () => {
  it('prints three decimals like the challenge page, and a dash for missing', () => {
    expect([formatScore(1), formatScore(0.86), formatScore(0), formatScore(null)]).toEqual([
      '1.000',
      '0.860',
      '0.000',
      '–',
    ]);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Leaderboard, type Efficiency, type LeaderboardRow } from '../../schemas/leaderboard.ts';
import { displayRanks, trackTable, type TrackTable } from '../../src/lib/leaderboard-view.ts';

const fixture = Leaderboard.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'leaderboard.json'), 'utf8')),
);

function cellOf(table: TrackTable, rowIndex: number, columnId: string) {
  const index = table.columns.findIndex((column) => column.id === columnId);
  expect(index, `column ${columnId}`).toBeGreaterThanOrEqual(0);
  return table.rows[rowIndex]?.cells[index];
}

describe('trackTable', () => {
  const table = trackTable(fixture, 'A');

  it('has identity, averages, coverage, size and speed columns, then one column per task', () => {
    expect(table.columns.map((column) => column.id)).toEqual([
      'rank',
      'team',
      'affiliation',
      'model',
      'average',
      'domain-sound',
      'domain-music',
      'coverage',
      'parameters',
      'rtf',
      ...fixture.tracks.A.tasks.map((id) => `task-${id}`),
    ]);
    expect(table.columns.filter((column) => column.sticky).map((column) => column.id)).toEqual([
      'rank',
      'team',
    ]);
    const task = fixture.tasks[0];
    const taskColumn = table.columns.find((column) => column.id === `task-${task?.id ?? ''}`);
    expect(taskColumn?.title).toMatch(/^Accuracy: .* Weight 60\.$/);
    expect(taskColumn?.domain).toBe('sound');
    expect(taskColumn?.taskId).toBe(task?.id);
  });

  it('sorts names A to Z and numbers best first on the first click', () => {
    const first = Object.fromEntries(table.columns.map((column) => [column.id, column.firstOrder]));
    expect(first['rank']).toBe('ascending');
    expect(first['team']).toBe('ascending');
    expect(first['average']).toBe('descending');
    expect(first['rtf']).toBe('descending');
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

  it('prints each score with its 95% interval below it', () => {
    const row = fixture.tracks.A.rows[0];
    expect(cellOf(table, 0, 'average')).toEqual({
      text: '0.718',
      detail: '0.668–0.768',
      title: '95% interval 0.668–0.768',
      sortValue: String(row?.average),
      best: true,
    });
    expect(cellOf(table, 0, 'task-demo_sound_events')?.detail).toBe('0.733–0.833');
  });

  it('shows the rank with its bootstrap interval and marks shared ranks', () => {
    // Fixture intervals: 0.668–0.768, then two rows whose intervals overlap the first.
    const ranks = table.rows.map((_, index) => cellOf(table, index, 'rank'));
    expect(ranks.map((cell) => cell?.text)).toEqual(
      displayRanks(fixture.tracks.A.rows).map((rank, _index, all) =>
        all.filter((other) => other === rank).length > 1 ? `=${rank}` : `${rank}`,
      ),
    );
    expect(ranks[0]?.detail).toBe('1–2');
    expect(ranks[0]?.title).toContain('95% interval of the rank over the bootstrap resamples: 1–2');
  });

  it('shows parameters from the model and the real-time factor from efficiency.json', () => {
    const efficiency: Efficiency = {
      schemaVersion: 2,
      submissions: [
        {
          submission: 'random-transformer',
          tasksMeasured: 2,
          encodeSeconds: 2,
          encodedSeconds: 237,
          realTimeFactor: 118.5,
          peakRssBytes: 1,
          executionProviders: ['cpu'],
          hosts: ['test host, 2 cores'],
        },
      ],
    };
    const withSpeed = trackTable(fixture, 'A', efficiency);
    const slugs = withSpeed.rows.map((row) => row.submission.slug);
    const transformer = slugs.indexOf('random-transformer');
    expect(cellOf(withSpeed, transformer, 'parameters')).toEqual({
      text: '24.0M',
      title: '24,013,318 values',
      sortValue: '24013318',
      best: false,
    });
    expect(cellOf(withSpeed, transformer, 'rtf')).toEqual({
      text: '119×',
      title: 'Measured on test host, 2 cores',
      sortValue: '118.5',
      best: false,
    });
    // Submissions without a measurement show a dash that sorts last.
    expect(cellOf(withSpeed, slugs.indexOf('logmel-baseline'), 'rtf')).toEqual({
      text: '–',
      sortValue: '',
      best: false,
    });
  });

  it('shows missing scores as a dash that sorts last, without an interval', () => {
    const sparse = structuredClone(fixture);
    const first = sparse.tracks.A.rows[0];
    const taskId = sparse.tracks.A.tasks[0] ?? '';
    if (first) {
      first.scores[taskId] = null;
    }
    expect(cellOf(trackTable(sparse, 'A'), 0, `task-${taskId}`)).toEqual({
      text: '–',
      sortValue: '',
      best: false,
    });
  });

  it('names the leaderboard row that refers to an unknown submission', () => {
    const broken = structuredClone(fixture);
    const first = broken.tracks.B.rows[0];
    if (first) {
      first.submission = 'nobody';
    }
    expect(() => trackTable(broken, 'B')).toThrow('row for unknown submission nobody');
  });
});

describe('displayRanks', () => {
  const row = (low: number, high: number, rank: number): LeaderboardRow => ({
    submission: `s${rank}`,
    rank,
    rankInterval: null,
    average: (low + high) / 2,
    averageInterval: { low, high },
    domainAverages: { speech: null, sound: null, music: null },
    coverage: { done: 1, total: 1 },
    scores: {},
    intervals: {},
  });

  it('ranks a row 1 + the number of rows whose whole interval lies above its own', () => {
    // A and B overlap; C and D both lie below A and B and overlap each other; E is below all.
    const rows = [
      row(0.8, 0.9, 1),
      row(0.75, 0.85, 2),
      row(0.55, 0.7, 3),
      row(0.5, 0.6, 4),
      row(0.1, 0.2, 5),
    ];
    expect(displayRanks(rows)).toEqual([1, 1, 3, 3, 5]);
  });

  it('keeps the competition rank when any row has no interval', () => {
    const rows = [row(0.8, 0.9, 1), { ...row(0.75, 0.85, 2), averageInterval: null }];
    expect(displayRanks(rows)).toEqual([1, 2]);
  });
});

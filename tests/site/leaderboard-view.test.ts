import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Leaderboard, type Efficiency } from '../../schemas/leaderboard.ts';
import { markersOf } from '../../src/lib/attestation.ts';
import {
  boardTable,
  unrankedCoverage,
  unrankedReason,
  type BoardTable,
} from '../../src/lib/leaderboard-view.ts';

const fixture = Leaderboard.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'leaderboard.json'), 'utf8')),
);

function cellOf(table: BoardTable, rowIndex: number, columnId: string) {
  const index = table.columns.findIndex((column) => column.id === columnId);
  expect(index, `column ${columnId}`).toBeGreaterThanOrEqual(0);
  return table.ranked[rowIndex]?.cells[index];
}

describe('boardTable', () => {
  const table = boardTable(fixture, 'A', 'all');

  it('has rank, model, averages, the tasks grouped by domain, then size and speed', () => {
    expect(table.columns.map((column) => column.id)).toEqual([
      'rank',
      'model',
      'average',
      'domain-sound',
      'domain-music',
      'task-demo_sound_events',
      'task-demo_timbre',
      'parameters',
      'rtf',
    ]);
    expect(table.columns.filter((column) => column.sticky).map((column) => column.id)).toEqual([
      'rank',
      'model',
    ]);
    expect(table.groups.map((group) => [group.label, group.span])).toEqual([
      ['', 2],
      ['Averages', 3],
      ['Sound', 1],
      ['Music', 1],
      ['', 2],
    ]);
    const task = table.columns.find((column) => column.id === 'task-demo_sound_events');
    expect(task?.title).toMatch(
      /^Demo sound events \(Sound, clip classification\): Accuracy, weight 60\. /,
    );
  });

  it('sorts names A to Z and numbers best first on the first click', () => {
    const first = Object.fromEntries(table.columns.map((column) => [column.id, column.firstOrder]));
    expect(first['rank']).toBe('ascending');
    expect(first['model']).toBe('ascending');
    expect(first['average']).toBe('descending');
    expect(first['rtf']).toBe('descending');
  });

  it('lists the ranked entries in the order and with the ranks of leaderboard.json', () => {
    const standings = fixture.tracks.A.overall.standings;
    expect(table.ranked.map((row) => row.submission.slug)).toEqual(
      standings.map((standing) => standing.submission),
    );
    expect(table.ranked.map((row) => row.cells[0]?.text)).toEqual(
      standings.map((standing) => String(standing.rank)),
    );
    expect(cellOf(table, 0, 'rank')?.detail).toBe('1');
    expect(cellOf(table, 0, 'model')).toMatchObject({
      text: 'Random transformer 1.0.0',
      detail: 'Leaderboard maintainers',
    });
  });

  it('marks as best what the pipeline marks, and nothing on a tie at the top', () => {
    expect(
      table.ranked.map((row) => cellOf(table, table.ranked.indexOf(row), 'average')?.best),
    ).toEqual([true, false, false]);
    const tied = structuredClone(fixture);
    tied.tracks.A.overall.best = [];
    expect(
      boardTable(tied, 'A', 'all').ranked.some(
        (_, index) => cellOf(boardTable(tied, 'A', 'all'), index, 'average')?.best,
      ),
    ).toBe(false);
  });

  it('shows shared ranks with "=", and entries without a rank apart, saying why', () => {
    const board = structuredClone(fixture);
    const [, second, third] = board.tracks.A.overall.standings;
    if (second && third) {
      third.rank = second.rank;
      second.status = 'ranked';
    }
    const shared = boardTable(board, 'A', 'all');
    expect(shared.ranked.map((row) => row.cells[0]?.text)).toEqual(['1', '=2', '=2']);
    if (third) {
      third.status = 'incomplete';
      third.rank = null;
      third.coverage = { done: 1, total: 2 };
    }
    const split = boardTable(board, 'A', 'all');
    expect(split.ranked.map((row) => row.submission.slug)).toEqual([
      'random-transformer',
      'logmel-baseline',
    ]);
    expect(split.unranked.map((row) => unrankedReason(row.standing))).toEqual([
      'incomplete: 1 of 2 tasks',
    ]);
    // The narrow status column's short form (the long one was cut to "incompl").
    expect(split.unranked.map((row) => unrankedCoverage(row.standing))).toEqual(['1/2']);
    expect(split.unranked[0]?.cells[2]?.text).toMatch(/^0\.\d{3}\*$/);
  });

  it('ranks a domain view over that domain only, with its tasks only', () => {
    const sound = boardTable(fixture, 'A', 'sound');
    expect(sound.columns.map((column) => column.id)).toEqual([
      'rank',
      'model',
      'average',
      'task-demo_sound_events',
      'parameters',
      'rtf',
    ]);
    expect(sound.ranking).toBe(fixture.tracks.A.byDomain.sound);
  });

  it('shows parameters from the model and the real-time factor from efficiency.json', () => {
    const efficiency: Efficiency = {
      schemaVersion: 3,
      submissions: [
        {
          submission: 'random-transformer',
          tasksMeasured: 2,
          encodeSeconds: 10,
          encodedSeconds: 1185.5,
          realTimeFactor: 118.55,
          peakRssBytes: 300 * 2 ** 20,
          executionProviders: ['cpu'],
          hosts: ['AMD EPYC, 2 cores'],
        },
      ],
      paretoSpeed: { A: [], B: [] },
    };
    const withSpeed = boardTable(fixture, 'A', 'all', efficiency);
    expect(cellOf(withSpeed, 0, 'rtf')).toMatchObject({
      text: '119×',
      title: 'Measured on AMD EPYC, 2 cores',
    });
    expect(cellOf(withSpeed, 1, 'rtf')?.text).toBe('–');
  });

  it('flags training data that is not attested public and free of evaluation data', () => {
    const submission = structuredClone(fixture.submissions[0]);
    if (!submission) {
      throw new Error('fixture without submissions');
    }
    expect(markersOf({ ...submission, baseline: false })).toEqual([]);
    expect(
      markersOf({ ...submission, baseline: false, trainingDataAvailability: 'unknown' }).map(
        (marker) => marker.id,
      ),
    ).toEqual(['data']);
  });

  it('names the leaderboard row that refers to an unknown submission', () => {
    const broken = structuredClone(fixture);
    const standing = broken.tracks.A.overall.standings[0];
    if (standing) {
      standing.submission = 'ghost';
    }
    expect(() => boardTable(broken, 'A', 'all')).toThrow('unknown submission ghost');
  });
});

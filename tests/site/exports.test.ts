import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { citationBibtex, csvLine, trackCsv } from '../../src/lib/exports.ts';
import { expectGolden } from '../support/golden.ts';

const fixture = Leaderboard.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'leaderboard.json'), 'utf8')),
);

/** A minimal RFC 4180 reader, written from the RFC's grammar, to check the writer round-trips. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      index += 1;
    } else {
      field += char;
    }
  }
  return records;
}

describe('csvLine', () => {
  it('quotes commas, quotes and line breaks, and leaves plain text and numbers alone', () => {
    expect(csvLine(['plain', 'a,b', 'say "hi"', 'two\nlines', 0.5, null])).toBe(
      'plain,"a,b","say ""hi""","two\nlines",0.5,',
    );
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvLine(['=HYPERLINK("x")', '+1', '-1', '@SUM(A1)', '\tx', 'a=b'])).toBe(
      `"'=HYPERLINK(""x"")",'+1,'-1,'@SUM(A1),'\tx,a=b`,
    );
  });
});

describe('trackCsv', () => {
  it('writes one row per leaderboard row with intervals, in leaderboard order', () => {
    const text = trackCsv(fixture, 'A');
    // A UTF-8 byte-order mark, so Excel reads non-ASCII names as UTF-8.
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const records = parseCsv(text.slice(1));
    const [header, ...rows] = records;
    const track = fixture.tracks.A;
    expect(header?.slice(0, 5)).toEqual([
      'rank',
      'rank_best',
      'rank_worst',
      'status',
      'submission',
    ]);
    expect(header?.slice(-3)).toEqual([
      track.tasks.at(-1),
      `${track.tasks.at(-1) ?? ''}_low`,
      `${track.tasks.at(-1) ?? ''}_high`,
    ]);
    expect(rows.map((row) => row[4])).toEqual(
      track.overall.standings.map((standing) => standing.submission),
    );
    // The ranks are the leaderboard's, the ones every page shows.
    expect(rows.map((row) => row[0])).toEqual(
      track.overall.standings.map((standing) => String(standing.rank ?? '')),
    );
    for (const row of rows) {
      expect(row).toHaveLength(header?.length ?? 0);
    }
    const first = Object.fromEntries(header?.map((name, index) => [name, rows[0]?.[index]]) ?? []);
    const source = track.overall.standings[0];
    expect(Number(first['weighted_average'])).toBe(source?.average);
    expect(Number(first['weighted_average_low'])).toBe(source?.averageInterval?.low);
    expect(first['speech_average']).toBeUndefined();
    expect(first['baseline']).toBe('yes');
  });

  it('round-trips hostile team names through a CSV reader', () => {
    const hostile = structuredClone(fixture);
    const submission = hostile.submissions[0];
    if (submission) {
      submission.team = '=cmd|" /C calc"!A0, "quoted"';
    }
    const records = parseCsv(trackCsv(hostile, 'A').slice(1));
    const teamColumn = records[0]?.indexOf('team') ?? -1;
    const row = records.find((record) => record[4] === submission?.slug);
    expect(row?.[teamColumn]).toBe(`'=cmd|" /C calc"!A0, "quoted"`);
  });

  it('keeps non-ASCII names intact', () => {
    const named = structuredClone(fixture);
    const submission = named.submissions[0];
    if (submission) {
      submission.team = 'Université Paris-Saclay / 清华大学';
    }
    const records = parseCsv(trackCsv(named, 'A').slice(1));
    const teamColumn = records[0]?.indexOf('team') ?? -1;
    expect(
      records.some((record) => record[teamColumn] === 'Université Paris-Saclay / 清华大学'),
    ).toBe(true);
  });
});

describe('citationBibtex', () => {
  it('cites the leaderboard, X-ARES and the ICME 2025 challenge with balanced braces', () => {
    const bibtex = citationBibtex({ siteUrl: 'https://example.org/leaderboard/', year: 2026 });
    const keys = [...bibtex.matchAll(/^@(\w+)\{(\w+),$/gm)].map((match) => match[2]);
    expect(keys).toEqual(['audio_encoder_leaderboard', 'zhang2025xares', 'zhang2025icmechallenge']);
    expect(bibtex).toContain('\\url{https://example.org/leaderboard/}');
    expect(bibtex).toContain('eprint        = {2505.16369}');
    expect(bibtex).toContain('eprint        = {2501.15302}');
    let depth = 0;
    for (const char of bibtex) {
      depth += char === '{' ? 1 : char === '}' ? -1 : 0;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
  });

  it('leaves out howpublished when the build has no site URL', () => {
    const bibtex = citationBibtex({ siteUrl: undefined, year: 2026 });
    expect(bibtex).not.toContain('howpublished');
    expect(bibtex).not.toContain('\\url{}');
    expect(bibtex).toMatch(/year {9}= \{2026\},\n {2}note {9}= /);
  });
});

describe('the downloads', () => {
  it('are the golden files for the fixture leaderboard: both tracks as CSV, and the BibTeX', async () => {
    await expectGolden('track-a.csv', trackCsv(fixture, 'A'));
    await expectGolden('track-b.csv', trackCsv(fixture, 'B'));
    await expectGolden(
      'citation.bib',
      citationBibtex({ siteUrl: 'https://example.org/leaderboard/', year: 2026 }),
    );
  });
});

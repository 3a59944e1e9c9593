import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSite } from '../helpers/build-site.ts';

describe('site build with a bad results file', () => {
  it('fails and names the file and the field', async () => {
    const work = await mkdtemp(join(tmpdir(), 'invalid-results-'));
    const resultsDir = join(work, 'results');
    await mkdir(resultsDir);
    const leaderboard = JSON.parse(
      await readFile(join(import.meta.dirname, '..', 'fixtures', 'leaderboard.json'), 'utf8'),
    ) as {
      tracks: { A: { rows: { average: unknown }[] } };
    };
    const firstRow = leaderboard.tracks.A.rows[0];
    if (firstRow) {
      firstRow.average = 1.7;
    }
    await writeFile(join(resultsDir, 'leaderboard.json'), JSON.stringify(leaderboard));
    const failure = await buildSite(resultsDir, join(work, 'dist')).then(
      () => undefined,
      (error: unknown) => error as Error & { stdout: string; stderr: string },
    );
    expect(failure).toBeDefined();
    const output = `${failure?.stdout ?? ''}${failure?.stderr ?? ''}`;
    expect(output).toContain(join(resultsDir, 'leaderboard.json'));
    expect(output).toContain('/tracks/A/rows/0/average: Too big: expected number to be <=1');
  });
});

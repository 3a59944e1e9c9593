import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crossCheckLeaderboard, type StoredRun } from '../../schemas/cross-check.ts';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { TaskResult } from '../../schemas/result.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const leaderboard = Leaderboard.parse(
  JSON.parse(readFileSync(join(fixtures, 'leaderboard.json'), 'utf8')),
);
const runs: StoredRun[] = readdirSync(join(fixtures, 'runs')).flatMap((slug) =>
  readdirSync(join(fixtures, 'runs', slug)).map((name) => ({
    file: `runs/${slug}/${name}`,
    result: TaskResult.parse(JSON.parse(readFileSync(join(fixtures, 'runs', slug, name), 'utf8'))),
  })),
);
const check = (board = leaderboard, stored = runs) =>
  crossCheckLeaderboard(board, 'leaderboard.json', stored);

describe('crossCheckLeaderboard', () => {
  it('accepts a leaderboard built from its results', () => {
    expect(check()).toEqual([]);
  });

  it('names a hand-edited score and the result that contradicts it', () => {
    const edited = structuredClone(leaderboard);
    const row = edited.tracks.B.rows[1];
    if (row) {
      row.scores['demo_timbre'] = 0.9;
    }
    expect(check(edited)).toEqual([
      `leaderboard.json: /tracks/B/rows/1/scores/demo_timbre: 0.9, but runs/${row?.submission ?? ''}/demo_timbre.json has ${runs.find((run) => run.file === `runs/${row?.submission ?? ''}/demo_timbre.json`)?.result.trackB?.score ?? ''}`,
      expect.stringMatching(
        /^leaderboard\.json: \/tracks\/B\/rows\/1\/average: 0\.\d+, but the weighted average of its task scores is 0\.\d{6}$/,
      ),
    ]);
  });

  it('names an average that does not follow from the scores', () => {
    const edited = structuredClone(leaderboard);
    const row = edited.tracks.A.rows[0];
    if (row) {
      row.average = 0.99;
    }
    expect(check(edited)).toEqual([
      expect.stringMatching(
        /^leaderboard\.json: \/tracks\/A\/rows\/0\/average: 0\.99, but the weighted average/,
      ),
    ]);
  });

  it('rejects a result of another model, and then the scores it was backing', () => {
    const stale = runs.map((run) =>
      run.file === 'runs/random-conv/demo_sound_events.json'
        ? {
            ...run,
            result: {
              ...run.result,
              provenance: { ...run.result.provenance, modelSha256: 'e'.repeat(64) },
            },
          }
        : run,
    );
    const problems = check(leaderboard, stale);
    expect(problems[0]).toBe(
      "runs/random-conv/demo_sound_events.json: /provenance/modelSha256 is eeeeeeeeeeee…, not the sha256 of random-conv's model (" +
        `${leaderboard.submissions.find((entry) => entry.slug === 'random-conv')?.modelSha256.slice(0, 12) ?? ''}…): the result is stale or edited; re-run \`npm run evaluate\``,
    );
    expect(problems.slice(1)).toEqual([
      expect.stringMatching(
        /\/tracks\/A\/rows\/2\/scores\/demo_sound_events: 0\.666667 is not backed/,
      ),
      expect.stringMatching(
        /\/tracks\/B\/rows\/2\/scores\/demo_sound_events: 0\.166667 is not backed/,
      ),
    ]);
  });

  it('rejects scores with no result file at all', () => {
    expect(check(leaderboard, [])).toHaveLength(12);
  });
});

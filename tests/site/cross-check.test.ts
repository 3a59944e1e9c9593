import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crossCheckLeaderboard, type StoredRun } from '../../schemas/cross-check.ts';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { withDigest } from '../../schemas/result-digest.ts';
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
const contentOf = ({ digest: _digest, ...content }: TaskResult) => content;
const check = (board = leaderboard, stored = runs) =>
  crossCheckLeaderboard(board, 'leaderboard.json', stored);

describe('crossCheckLeaderboard', () => {
  it('accepts a leaderboard built from its results', async () => {
    expect(await check()).toEqual([]);
  });

  it('names a hand-edited score, pointing at the field, with what the results give', async () => {
    const edited = structuredClone(leaderboard);
    const entry = edited.tracks.B.entries[1];
    if (entry) {
      entry.scores['demo_timbre'] = 0.9;
    }
    const stored = runs.find(
      (run) => run.file === `runs/${entry?.submission ?? ''}/demo_timbre.json`,
    )?.result.trackB?.score;
    expect(await check(edited)).toEqual([
      `leaderboard.json: /tracks/B/entries/1/scores/demo_timbre: the file has 0.9, the stored results give ${stored ?? ''}`,
    ]);
  });

  it('names an average, a rank and a status that do not follow from the results', async () => {
    const edited = structuredClone(leaderboard);
    const first = edited.tracks.A.overall.standings[0];
    const second = edited.tracks.A.overall.standings[1];
    if (first && second) {
      first.average = 0.99;
      second.rank = 1;
      second.status = 'incomplete';
    }
    expect(await check(edited)).toEqual([
      expect.stringMatching(
        /^leaderboard\.json: \/tracks\/A\/overall\/standings\/0\/average: the file has 0\.99, the stored results give 0\.\d+$/,
      ),
      'leaderboard.json: /tracks/A/overall/standings/1/status: the file has "incomplete", the stored results give "ranked"',
      'leaderboard.json: /tracks/A/overall/standings/1/rank: the file has 1, the stored results give 2',
    ]);
  });

  it('finds a result the leaderboard leaves out (a stale or half-written leaderboard)', async () => {
    const stale = structuredClone(leaderboard);
    const entry = stale.tracks.A.entries[0];
    if (entry) {
      entry.scores['demo_timbre'] = null;
    }
    expect((await check(stale))[0]).toMatch(
      /^leaderboard\.json: \/tracks\/A\/entries\/0\/scores\/demo_timbre: the file has null, the stored results give 0\.\d+$/,
    );
    const unknown = structuredClone(leaderboard);
    unknown.submissions = unknown.submissions.filter((item) => item.slug !== 'random-conv');
    expect((await check(unknown))[0]).toBe(
      'runs/random-conv/demo_sound_events.json: a result of "random-conv", which leaderboard.json does not list: the leaderboard is stale; rebuild it with `npm run pipeline -- score`',
    );
  });

  it('rejects a result of another model, and the leaderboard that shows it', async () => {
    const stale = await Promise.all(
      runs.map(async (run) =>
        run.file === 'runs/random-conv/demo_sound_events.json'
          ? {
              ...run,
              // A result of an earlier model carries a valid digest of its own.
              result: await withDigest({
                ...contentOf(run.result),
                provenance: { ...run.result.provenance, modelSha256: 'e'.repeat(64) },
              }),
            }
          : run,
      ),
    );
    const problems = await check(leaderboard, stale);
    expect(problems[0]).toBe(
      "runs/random-conv/demo_sound_events.json: /provenance/modelSha256 is eeeeeeeeeeee…, not the sha256 of random-conv's model (" +
        `${leaderboard.submissions.find((entry) => entry.slug === 'random-conv')?.modelSha256.slice(0, 12) ?? ''}…): the result is stale or edited; re-run \`npm run evaluate\``,
    );
    expect(problems.some((problem) => problem.includes('/scores/demo_sound_events'))).toBe(true);
  });

  it('rejects a leaderboard with no result files at all behind it', async () => {
    expect((await check(leaderboard, [])).length).toBeGreaterThan(10);
  });
});

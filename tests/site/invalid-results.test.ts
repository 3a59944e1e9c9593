import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSite, REPOSITORY_ROOT } from '../support/build-site.ts';
import { BUDGETS } from '../support/budgets.ts';
import { loaderRefusals, SITE_LOADERS } from '../support/site-loaders.ts';
import { rewriteResult } from '../support/results.ts';

const fixture = (...path: string[]) => readFile(join(import.meta.dirname, ...path), 'utf8');

async function failedBuild(
  resultsDir: string,
  work: string,
  environment: Record<string, string> = {},
): Promise<string> {
  const failure = await buildSite(resultsDir, join(work, 'dist'), environment).then(
    () => undefined,
    (error: unknown) => error as Error & { stdout: string; stderr: string },
  );
  expect(failure, 'the build should fail').toBeDefined();
  return `${failure?.stdout ?? ''}${failure?.stderr ?? ''}`;
}

describe("the site's loaders run in process", () => {
  it('are the loaders of src/content.config.ts', async () => {
    const config = await readFile(join(REPOSITORY_ROOT, 'src', 'content.config.ts'), 'utf8');
    const used = [...config.matchAll(/loader: (\w+)\(\)/g)].map((match) => match[1]);
    expect(used.sort()).toEqual(Object.keys(SITE_LOADERS).sort());
  });

  it('load the fixture results without a refusal', async () => {
    const { resultsDir } = await fixtureResults('valid-results-');
    expect(await loaderRefusals(resultsDir)).toBe('');
  });
});

/** A results folder holding the fixture leaderboard and the runs that back it. */
async function fixtureResults(prefix: string): Promise<{ work: string; resultsDir: string }> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  const resultsDir = join(work, 'results');
  await cp(join(import.meta.dirname, '..', 'fixtures', 'runs'), join(resultsDir, 'runs'), {
    recursive: true,
  });
  await writeFile(
    join(resultsDir, 'leaderboard.json'),
    await fixture('..', 'fixtures', 'leaderboard.json'),
  );
  return { work, resultsDir };
}

describe('site build with a bad results file', { timeout: BUDGETS.siteBuild }, () => {
  // The one real build of this file: the loaders' refusal fails `astro build` with its message.
  // The other cases run the same loaders in process (tests/support/site-loaders.ts).
  it('fails and names the file and the field', async () => {
    const work = await mkdtemp(join(tmpdir(), 'invalid-results-'));
    const resultsDir = join(work, 'results');
    await mkdir(resultsDir);
    const leaderboard = JSON.parse(await fixture('..', 'fixtures', 'leaderboard.json')) as {
      tracks: { A: { overall: { standings: { average: unknown }[] } } };
    };
    const first = leaderboard.tracks.A.overall.standings[0];
    if (first) {
      first.average = 1.7;
    }
    await writeFile(join(resultsDir, 'leaderboard.json'), JSON.stringify(leaderboard));
    const output = await failedBuild(resultsDir, work);
    expect(output).toContain(join(resultsDir, 'leaderboard.json'));
    expect(output).toContain(
      '/tracks/A/overall/standings/0/average: Too big: expected number to be <=1',
    );
    // A refusal of the data is the whole message: no stack trace of the loader after it.
    expect(output).not.toContain('Stack trace');
    expect(output).not.toMatch(/^\s+at .*results-loader\.ts/mu);
  });

  it('refuses an archived edition with a non-https link, naming the file and the field', async () => {
    const { work, resultsDir } = await fixtureResults('invalid-archive-');
    const archiveDir = join(work, 'archive');
    await mkdir(archiveDir);
    const edition = JSON.parse(
      await fixture('..', '..', 'results', 'archive', 'icme2025.json'),
    ) as { entries: { report?: string }[] };
    const first = edition.entries[0];
    if (first) {
      first.report = 'javascript:alert(1)';
    }
    await writeFile(join(archiveDir, 'icme2025.json'), JSON.stringify(edition));
    const output = await loaderRefusals(resultsDir, { LEADERBOARD_ARCHIVE_DIR: archiveDir });
    expect(output).toContain(join(archiveDir, 'icme2025.json'));
    expect(output).toContain('/entries/0/report');
  });

  it('refuses a result of another model than the submission declares (stale or edited)', async () => {
    const { resultsDir } = await fixtureResults('stale-result-');
    const stale = join(resultsDir, 'runs', 'random-conv', 'demo_timbre.json');
    await rewriteResult(stale, (result) => {
      (result['provenance'] as { modelSha256: string }).modelSha256 = 'e'.repeat(64);
    });
    const output = await loaderRefusals(resultsDir);
    expect(output).toContain(`${stale}: /provenance/modelSha256 is eeeeeeeeeeee`);
    // Without the stale result, the leaderboard is not what the stored results give.
    expect(output).toMatch(
      /\/tracks\/A\/entries\/2\/scores\/demo_timbre: the file has 0\.\d+, the stored results give null/,
    );
  });

  it('refuses a hand-edited score in a result file, naming the file and the field (issue 19, finding 2)', async () => {
    const { resultsDir } = await fixtureResults('edited-result-');
    const edited = join(resultsDir, 'runs', 'random-conv', 'demo_timbre.json');
    const result = JSON.parse(await readFile(edited, 'utf8')) as { trackA: { score: number } };
    result.trackA.score = 0.915;
    await writeFile(edited, JSON.stringify(result, null, 2));
    const output = await loaderRefusals(resultsDir);
    expect(output).toContain(`${edited}: /trackA/score is 0.915, but the mean of /trackA/folds is`);
    expect(output).toContain('rerun `npm run evaluate`');
  });

  it('names a stray file directly under runs/ instead of failing with ENOTDIR (issue 19, finding 7)', async () => {
    const { resultsDir } = await fixtureResults('stray-file-');
    await writeFile(join(resultsDir, 'runs', 'notes.txt'), 'hello');
    const output = await loaderRefusals(resultsDir);
    expect(output).toContain(
      `${join(resultsDir, 'runs', 'notes.txt')}: only submission folders belong directly under`,
    );
    expect(output).not.toContain('ENOTDIR');
  });

  it('refuses a status.json that contradicts the results (a run killed between the two writes)', async () => {
    const { resultsDir } = await fixtureResults('stale-status-');
    await writeFile(
      join(resultsDir, 'status.json'),
      JSON.stringify({
        schemaVersion: 1,
        pairs: [
          {
            submission: 'random-conv',
            task: 'demo_timbre',
            state: 'pending',
            reason: null,
            date: null,
          },
        ],
      }),
    );
    const output = await loaderRefusals(resultsDir);
    expect(output).toContain(
      `${join(resultsDir, 'status.json')}: random-conv x demo_timbre has a result, but the file does not say "done"`,
    );
  });

  it('refuses a result file that breaks its schema, naming the file and the field', async () => {
    const { resultsDir } = await fixtureResults('invalid-run-');
    const broken = join(resultsDir, 'runs', 'logmel-baseline', 'demo_sound_events.json');
    const result = JSON.parse(await readFile(broken, 'utf8')) as { trackA: { score: number } };
    result.trackA.score = 1.7;
    await writeFile(broken, JSON.stringify(result));
    const output = await loaderRefusals(resultsDir);
    expect(output).toContain(broken);
    expect(output).toContain('/trackA/score: Too big: expected number to be <=1');
  });
});

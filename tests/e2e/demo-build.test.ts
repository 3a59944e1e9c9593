/**
 * The whole product on the demo suite, as `npm run build` runs it: the example encoders are
 * generated, evaluated on every demo task (real tar shards, real ONNX models), the leaderboard is
 * aggregated, the site is built, and the built page is loaded and sorted in Chromium.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { TaskResult } from '../../schemas/result.ts';
import { classCount, type TaskDefinition } from '../../schemas/task.ts';
import { leaderboardFile, resultFile } from '../../schemas/results-layout.ts';
import { evaluate } from '../../pipeline/run/loop.ts';
import { createMemoryLogger } from '../../pipeline/log.ts';
import { weightedAverage } from '../../pipeline/scoring/aggregate.ts';
import { getSuite, suiteTasks } from '../../pipeline/suites/index.ts';
import { EXAMPLE_ENCODERS } from '../../pipeline/example-encoders/examples.ts';
import { REPOSITORY_ROOT } from '../support/build-site.ts';
import { copyOfDemoWorld, demoWorld } from '../support/demo-world.ts';
import { commitFreeResult, demoScoresTable } from '../support/demo-scores.ts';
import { expectGolden } from '../support/golden.ts';
import { BUDGETS } from '../support/budgets.ts';
import { chromiumPath, launchChromium } from '../support/chromium.ts';
import {
  checkAxe,
  checkCompare,
  checkControlsAndUrl,
  checkCrawl,
  checkNoSidewaysScroll,
  checkSorting,
  checkWithoutScript,
  watchedPage,
} from '../support/board-checks.ts';
import { serveDirectory, type StaticServer } from '../support/static-server.ts';

const tasks = suiteTasks(getSuite('demo'));

/**
 * What an encoder that carries no information scores on each demo task's test split:
 * 1 / classes for accuracy; the mean class prevalence for mAP (0.358 for demo_tags, counted
 * from its test shard); the F1 of predicting every segment positive, 2p / (1 + p) with p the
 * share of positive segments (0.352 for demo_scenes, 0.331 for demo_notes); one in 25 clips for
 * Recall@1; and 0 for iWER.
 */
function chanceLevel(task: TaskDefinition): number {
  switch (task.metric) {
    case 'accuracy':
      return 1 / classCount(task);
    case 'mean_average_precision':
      return 0.358;
    case 'segment_f1_macro':
      return 0.352;
    case 'segment_f1_micro':
      return 0.331;
    case 'recall_at_1':
      return 1 / 25;
    default:
      return 0;
  }
}
const slugs = EXAMPLE_ENCODERS.map((example) => example.slug);

let resultsDir: string;
let distDir: string;

/** Every result and the leaderboard under a results folder, by name. */
async function resultFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const slug of slugs) {
    for (const name of await readdir(join(dir, 'runs', slug))) {
      if (!name.endsWith('.measurements.json')) {
        files.set(`${slug}/${name}`, await readFile(join(dir, 'runs', slug, name), 'utf8'));
      }
    }
  }
  files.set('leaderboard.json', await readFile(leaderboardFile(dir), 'utf8'));
  return files;
}

beforeAll(async () => {
  // `npm run build` on the demo suite (X-ARES as shipped on one task): this run's demo world.
  ({ resultsDir, distDir } = await demoWorld());
}, BUDGETS.demoWorld);

// Tests here evaluate again or read every result: room for a busy machine.
describe('pipeline on the demo suite', { timeout: BUDGETS.pipelineRun }, () => {
  it('writes a valid result for every (example, task), none of them trivial', async () => {
    for (const slug of slugs) {
      for (const task of tasks) {
        const result = TaskResult.parse(
          JSON.parse(await readFile(resultFile(resultsDir, slug, task.id), 'utf8')),
        );
        const where = `${slug} ${task.id}`;
        expect(result.trackA.score, where).toBeLessThan(0.99);
        expect(result.trackA.interval?.low, where).toBeLessThanOrEqual(result.trackA.score);
        expect(result.trackA.interval?.high, where).toBeGreaterThanOrEqual(result.trackA.score);
        expect(result.trackA.replicates, where).toHaveLength(1000);
        if (task.splits.kind === 'folds') {
          expect(result.trackA.folds).toHaveLength(task.splits.folds.length);
        }
        expect(result.trackB === null, where).toBe(!task.trackB);
      }
    }
  });

  it('lets every example learn the clip tasks, and the transformer every task, above chance', async () => {
    const score = async (slug: string, task: TaskDefinition) =>
      TaskResult.parse(JSON.parse(await readFile(resultFile(resultsDir, slug, task.id), 'utf8')));
    for (const task of tasks) {
      const chance = chanceLevel(task);
      const transformer = await score('random-transformer', task);
      expect(transformer.trackA.score, task.id).toBeGreaterThan(chance + 0.05);
      if (task.type !== 'clip') {
        continue;
      }
      for (const slug of slugs) {
        const result = await score(slug, task);
        expect(result.trackA.score, `${slug} ${task.id}`).toBeGreaterThan(chance + 0.1);
        if (task.trackB && slug !== 'random-conv') {
          expect(result.trackB?.score ?? 0, `${slug} ${task.id} kNN`).toBeGreaterThan(
            chance + 0.05,
          );
        }
      }
    }
  });

  it('aggregates the leaderboard from the stored results', async () => {
    const leaderboard = Leaderboard.parse(
      JSON.parse(await readFile(leaderboardFile(resultsDir), 'utf8')),
    );
    const standings = leaderboard.tracks.A.overall.standings;
    for (const standing of standings) {
      const expected = weightedAverage(
        await Promise.all(
          tasks.map(async (task) => ({
            score: TaskResult.parse(
              JSON.parse(
                await readFile(resultFile(resultsDir, standing.submission, task.id), 'utf8'),
              ),
            ).trackA.score,
            weight: task.weight,
          })),
        ),
      );
      expect(standing.status).toBe('ranked');
      expect(standing.average).toBeCloseTo(expected ?? -1, 6);
    }
    const averages = standings.map((standing) => standing.average ?? 0);
    expect(averages).toEqual([...averages].sort((a, b) => b - a));
  });

  it('scores every (example, task) under both protocols as the golden file says', async () => {
    await expectGolden(
      'demo-scores.tsv',
      await demoScoresTable(resultsDir, slugs, { 'xares-0.1.3': ['demo_sound_events'] }),
    );
  });

  describe('evaluated again on a copy of those results and caches', () => {
    let copy: { resultsDir: string; cacheDir: string };
    const options = () => ({
      suiteId: 'demo',
      resultsDir: copy.resultsDir,
      cacheDir: copy.cacheDir,
      submissionsDir: join(REPOSITORY_ROOT, 'submissions'),
    });

    beforeAll(async () => {
      copy = await copyOfDemoWorld('demo-build-');
    });

    it('reuses every stored result on a second run and leaves the files byte-identical', async () => {
      const before = await resultFiles(copy.resultsDir);
      const logger = createMemoryLogger();
      const summary = await evaluate({ ...options(), logger });
      expect(summary.evaluated).toEqual([]);
      expect(summary.reused).toHaveLength(slugs.length * tasks.length);
      expect(logger.lines.filter((line) => line.includes('reusing stored result'))).toHaveLength(
        slugs.length * tasks.length,
      );
      expect(await resultFiles(copy.resultsDir)).toEqual(before);
    });

    it('recomputes only what changed when a result is missing, with identical bytes', async () => {
      const path = resultFile(copy.resultsDir, 'logmel-baseline', 'demo_timbre');
      const before = await resultFiles(copy.resultsDir);
      const removed = await readFile(path, 'utf8');
      await rm(path);
      const summary = await evaluate({ ...options(), logger: createMemoryLogger() });
      expect(summary.evaluated).toEqual(['logmel-baseline x demo_timbre']);
      // The recomputed file names the pipeline's commit of now, the world's that of the run's
      // start: the same unless a commit was made meanwhile, so the rest is compared byte for byte.
      expect(commitFreeResult(await readFile(path, 'utf8'))).toBe(commitFreeResult(removed));
      const after = await resultFiles(copy.resultsDir);
      after.set('logmel-baseline/demo_timbre.json', removed);
      expect(after).toEqual(before);
    });
  });
});

describe('site built from those results', () => {
  let html: string;

  beforeAll(async () => {
    html = await readFile(join(distDir, 'index.html'), 'utf8');
  });

  it('shows the measured numbers in both tables, already sorted, without JavaScript', async () => {
    const leaderboard = Leaderboard.parse(
      JSON.parse(await readFile(leaderboardFile(resultsDir), 'utf8')),
    );
    for (const track of ['A', 'B'] as const) {
      const table = html.slice(html.indexOf(`data-track="${track}"`));
      const standings = leaderboard.tracks[track].overall.standings;
      const order = standings.map((standing) =>
        table.indexOf(`data-submission="${standing.submission}"`),
      );
      expect(order.every((position) => position > 0)).toBe(true);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      for (const standing of standings) {
        expect(table).toContain(`>${(standing.average ?? 0).toFixed(3)}<`);
      }
    }
    expect(html).toContain('http-equiv="content-security-policy"');
    expect(html).toMatch(/<svg[^>]*class="plot-/);
  });

  it('renders the board the golden file holds (one element a line, for a readable diff)', async () => {
    // Speed is measured, so it differs between runs and machines; everything else is computed.
    const computed = html.replace(
      /<td class="numeric col-rtf"[^>]*>[^<]*<\/td>/g,
      '<td class="numeric col-rtf">(measured)</td>',
    );
    await expectGolden('demo-board.html', `${computed.replaceAll('><', '>\n<')}\n`);
  });

  // Each test drives Chromium through several pages.
  describe.skipIf(chromiumPath() === undefined)(
    'in Chromium',
    { timeout: BUDGETS.browserPages },
    () => {
      let browser: Browser;
      let server: StaticServer;

      beforeAll(async () => {
        server = await serveDirectory(distDir);
        browser = await launchChromium();
      });

      afterAll(async () => {
        await browser.close();
        await server.close();
      });

      it('sorts a column by mouse and keyboard', async () => {
        await checkSorting(browser, `${server.url}/`, 'task-demo_timbre');
      });

      it('switches track, searches and filters, and restores the view from the URL', async () => {
        await checkControlsAndUrl(browser, `${server.url}/`, {
          query: 'log-mel',
          expected: ['logmel-baseline'],
        });
      });

      it('compares submissions with the significance of each difference', async () => {
        await checkCompare(browser, server.url, [
          'random-transformer',
          'random-conv',
          'logmel-baseline',
        ]);
      });

      it('shows no control without JavaScript, and both tracks', async () => {
        await checkWithoutScript(browser, server.url);
      });

      it('never scrolls the page sideways at 390 px', async () => {
        await checkNoSidewaysScroll(browser, server.url, [
          '/',
          '/views/sound/',
          '/tasks/demo_timbre/',
          `/submissions/${slugs[0] ?? ''}/`,
          '/compare/',
          '/cost/',
          '/status/',
        ]);
      });

      it('opens a task page and a submission page from the table', async () => {
        const { page, problems } = await watchedPage(browser);
        await page.goto(`${server.url}/`);
        const table = page.locator('table[data-track="A"]').first();
        await table.locator('thead th[data-column="task-demo_timbre"] a.column-link').click();
        await page.waitForURL(`${server.url}/tasks/demo_timbre/`);
        expect(await page.locator('h1').textContent()).toContain('Demo timbre');
        expect(await page.locator('.chart-wide svg[class^="plot-"]').count()).toBe(2);

        await page.goto(`${server.url}/`);
        const first = table.locator('tbody tr').first();
        const slug = await first.getAttribute('data-submission');
        await first.locator('th a.model-name').click();
        await page.waitForURL(`${server.url}/submissions/${slug ?? ''}/`);
        expect(await page.locator('h1').textContent()).toMatch(/\S/);
        expect(await page.getByRole('heading', { name: 'Provenance' }).count()).toBe(1);
        expect(problems).toEqual([]);
      });

      it('has no broken internal links and no console errors on any page', async () => {
        const { pages, seen } = await checkCrawl(browser, server.url);
        // Home, three domain views, methodology, downloads, compare, cost, status, tasks index,
        // archive index and edition, the X-ARES compatible edition, and one page per task and per
        // submission.
        expect(pages).toBe(13 + tasks.length + slugs.length);
        for (const path of ['/editions/xares-0.1.3/', '/views/speech/', '/compare/', '/status/']) {
          expect(seen.has(path), path).toBe(true);
        }
        for (const file of ['leaderboard.json', 'track-a.csv', 'track-b.csv', 'citation.bib']) {
          expect(seen.has(`/downloads/${file}`), file).toBe(true);
        }
      });

      it('passes axe-core with no serious or critical violations on every kind of page', async () => {
        await checkAxe(
          browser,
          server.url,
          [
            '/',
            '/?track=B',
            '/views/music/',
            '/tasks/',
            '/tasks/demo_sound_events/',
            `/submissions/${slugs[0] ?? ''}/`,
            '/compare/',
            '/cost/',
            '/status/',
            '/methodology/',
            '/archive/',
            '/archive/icme2025/',
            '/editions/xares-0.1.3/',
            '/downloads/',
          ],
          ['/', `/submissions/${slugs[0] ?? ''}/`, '/compare/', '/archive/icme2025/'],
        );
      });
    },
  );
});

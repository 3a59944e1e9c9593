/**
 * The whole product on the demo suite, as `npm run build` runs it: the example encoders are
 * generated, evaluated on every demo task (real tar shards, real ONNX models), the leaderboard is
 * aggregated, the site is built, and the built page is loaded and sorted in Chromium.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Leaderboard } from '../../schemas/leaderboard.ts';
import { TaskResult } from '../../schemas/result.ts';
import { classCount, type TaskDefinition } from '../../schemas/task.ts';
import { leaderboardFile, resultFile } from '../../schemas/results-layout.ts';
import { evaluate } from '../../pipeline/evaluate.ts';
import { createMemoryLogger } from '../../pipeline/log.ts';
import { weightedAverage } from '../../pipeline/scoring/aggregate.ts';
import { getSuite, suiteTasks } from '../../pipeline/suites/index.ts';
import { EXAMPLE_ENCODERS } from '../../pipeline/encoders/examples.ts';
import { buildSite, REPOSITORY_ROOT } from '../helpers/build-site.ts';
import { chromiumPath, launchChromium } from '../helpers/chromium.ts';
import { axeViolations, crawlSite, isSerious } from '../helpers/site-audit.ts';
import { serveDirectory, type StaticServer } from '../helpers/static-server.ts';

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

let work: string;
let resultsDir: string;
const options = () => ({
  suiteId: 'demo',
  resultsDir,
  cacheDir: join(work, 'cache'),
  submissionsDir: join(REPOSITORY_ROOT, 'submissions'),
});

async function resultFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const slug of slugs) {
    for (const name of await readdir(join(resultsDir, 'runs', slug))) {
      if (!name.endsWith('.measurements.json')) {
        files.set(`${slug}/${name}`, await readFile(join(resultsDir, 'runs', slug, name), 'utf8'));
      }
    }
  }
  files.set('leaderboard.json', await readFile(leaderboardFile(resultsDir), 'utf8'));
  return files;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'demo-build-'));
  resultsDir = join(work, 'results');
  await evaluate({ ...options(), logger: createMemoryLogger() });
  // The X-ARES compatible edition, on one task: enough for its page to be built and audited.
  await evaluate({
    ...options(),
    protocol: 'xares-0.1.3',
    task: 'demo_sound_events',
    logger: createMemoryLogger(),
  });
});

// Tests here evaluate again or read every result: room for a busy machine.
describe('pipeline on the demo suite', { timeout: 180_000 }, () => {
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
    for (const row of leaderboard.tracks.A.rows) {
      const expected = weightedAverage(
        await Promise.all(
          tasks.map(async (task) => ({
            score: TaskResult.parse(
              JSON.parse(await readFile(resultFile(resultsDir, row.submission, task.id), 'utf8')),
            ).trackA.score,
            weight: task.weight,
          })),
        ),
      );
      expect(row.average).toBeCloseTo(expected ?? -1, 6);
    }
    expect(leaderboard.tracks.A.rows.map((row) => row.average)).toEqual(
      [...leaderboard.tracks.A.rows.map((row) => row.average)].sort((a, b) => b - a),
    );
  });

  it('reuses every stored result on a second run and leaves the files byte-identical', async () => {
    const before = await resultFiles();
    const logger = createMemoryLogger();
    const summary = await evaluate({ ...options(), logger });
    expect(summary.evaluated).toEqual([]);
    expect(summary.reused).toHaveLength(slugs.length * tasks.length);
    expect(logger.lines.filter((line) => line.includes('reusing stored result'))).toHaveLength(
      slugs.length * tasks.length,
    );
    expect(await resultFiles()).toEqual(before);
  });

  it('recomputes only what changed when a result is missing, with identical bytes', async () => {
    const before = await resultFiles();
    const { rm } = await import('node:fs/promises');
    await rm(resultFile(resultsDir, 'logmel-baseline', 'demo_timbre'));
    const summary = await evaluate({ ...options(), logger: createMemoryLogger() });
    expect(summary.evaluated).toEqual(['logmel-baseline x demo_timbre']);
    expect(await resultFiles()).toEqual(before);
  });
});

describe('site built from those results', () => {
  let outDir: string;
  let html: string;

  beforeAll(async () => {
    outDir = join(work, 'dist');
    await buildSite(resultsDir, outDir);
    html = await readFile(join(outDir, 'index.html'), 'utf8');
  });

  it('shows the measured numbers in both tables, already sorted, without JavaScript', async () => {
    const leaderboard = Leaderboard.parse(
      JSON.parse(await readFile(leaderboardFile(resultsDir), 'utf8')),
    );
    for (const track of ['A', 'B'] as const) {
      const table = html.slice(html.indexOf(`data-track="${track}"`));
      const order = leaderboard.tracks[track].rows.map((row) =>
        table.indexOf(`data-submission="${row.submission}"`),
      );
      expect(order.every((position) => position > 0)).toBe(true);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      for (const row of leaderboard.tracks[track].rows) {
        expect(table).toContain(`>${row.average.toFixed(3)}<`);
      }
    }
    expect(html).toContain('http-equiv="content-security-policy"');
    expect(html).toMatch(/<svg[^>]*class="plot-/);
  });

  // Each test drives Chromium through several pages.
  describe.skipIf(chromiumPath() === undefined)('in Chromium', { timeout: 120_000 }, () => {
    let browser: Browser;
    let server: StaticServer;

    beforeAll(async () => {
      server = await serveDirectory(outDir);
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser.close();
      await server.close();
    });

    it('loads the index without errors and sorts a column by mouse and keyboard', async () => {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') {
          problems.push(message.text());
        }
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${server.url}/`);

      const table = page.locator('table[data-track="A"]');
      const column = await table
        .locator('thead th')
        .evaluateAll((cells) =>
          cells.findIndex((cell) => cell.getAttribute('data-column') === 'task-demo_timbre'),
        );
      expect(column).toBeGreaterThan(0);
      const header = table.locator('thead th').nth(column);
      const values = () =>
        table
          .locator('tbody tr')
          .evaluateAll(
            (rows, index) =>
              rows.map((row) => Number(row.children[index]?.getAttribute('data-sort-value'))),
            column,
          );
      const ariaSorted = () =>
        table
          .locator('thead th[aria-sort]')
          .evaluateAll((cells) =>
            cells.map((cell) => [cell.getAttribute('data-column'), cell.getAttribute('aria-sort')]),
          );

      expect(await ariaSorted()).toEqual([['average', 'descending']]);
      await header.locator('button').click();
      const descending = await values();
      expect(descending).toEqual([...descending].sort((a, b) => b - a));
      expect(await ariaSorted()).toEqual([['task-demo_timbre', 'descending']]);

      await header.locator('button').click();
      const ascending = await values();
      expect(ascending).toEqual([...descending].reverse());
      expect(await ariaSorted()).toEqual([['task-demo_timbre', 'ascending']]);

      await table.locator('thead th[data-column="team"] button').focus();
      await page.keyboard.press('Enter');
      expect(await ariaSorted()).toEqual([['team', 'ascending']]);
      const teams = await table
        .locator('tbody th')
        .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-sort-value') ?? ''));
      expect(teams).toEqual([...teams].sort((a, b) => a.localeCompare(b, 'en')));

      expect(problems).toEqual([]);
    });

    /** A page that records console errors and warnings and uncaught exceptions. */
    async function watchedPage(
      options: { bypassCSP?: boolean } = {},
    ): Promise<{ page: Page; problems: string[] }> {
      const page = await browser.newPage(options);
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') {
          problems.push(`${page.url()}: ${message.text()}`);
        }
      });
      page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
      return { page, problems };
    }

    it('switches track and domain, and restores track, domain and sort from the URL', async () => {
      const { page, problems } = await watchedPage();
      await page.goto(`${server.url}/`);
      const sectionA = page.locator('[data-track-section="A"]');
      const sectionB = page.locator('[data-track-section="B"]');
      expect(await sectionA.isVisible()).toBe(true);
      expect(await sectionB.isHidden()).toBe(true);

      await page.getByRole('tab', { name: /Track B/ }).click();
      expect(await sectionB.isVisible()).toBe(true);
      expect(await sectionA.isHidden()).toBe(true);
      expect(new URL(page.url()).searchParams.get('track')).toBe('B');
      expect(await page.getByRole('tab', { name: /Track B/ }).getAttribute('aria-selected')).toBe(
        'true',
      );

      const tableB = page.locator('table[data-track="B"]');
      await tableB.locator('thead th[data-column="task-demo_sound_events"] button').click();
      await page.locator('[data-domain-filter]').selectOption('music');
      const url = new URL(page.url());
      expect(Object.fromEntries(url.searchParams)).toEqual({
        track: 'B',
        sort: 'task-demo_sound_events',
        order: 'descending',
        domain: 'music',
      });
      const visibleColumns = () =>
        tableB
          .locator('thead th')
          .evaluateAll((cells) =>
            cells
              .filter((cell) => !(cell as HTMLElement).hidden)
              .map((cell) => cell.getAttribute('data-column')),
          );
      const musicOnly = await visibleColumns();
      expect(musicOnly).toContain('task-demo_timbre');
      expect(musicOnly).not.toContain('task-demo_sound_events');
      expect(musicOnly).toContain('average');

      // A shared link reproduces the view.
      const shared = await watchedPage();
      await shared.page.goto(url.toString());
      expect(await shared.page.locator('[data-track-section="B"]').isVisible()).toBe(true);
      expect(await shared.page.locator('[data-domain-filter]').inputValue()).toBe('music');
      expect(
        await shared.page
          .locator('table[data-track="B"] thead th[aria-sort]')
          .evaluateAll((cells) =>
            cells.map((cell) => [cell.getAttribute('data-column'), cell.getAttribute('aria-sort')]),
          ),
      ).toEqual([['task-demo_sound_events', 'descending']]);
      expect([...problems, ...shared.problems]).toEqual([]);
    });

    it('opens a task page and a submission page from the table', async () => {
      const { page, problems } = await watchedPage();
      await page.goto(`${server.url}/`);
      const table = page.locator('table[data-track="A"]');
      await table.locator('thead th[data-column="task-demo_timbre"] a.column-link').click();
      await page.waitForURL(`${server.url}/tasks/demo_timbre/`);
      expect(await page.locator('h1').textContent()).toContain('Demo timbre');
      expect(await page.locator('svg[class^="plot-"]').count()).toBe(1);

      await page.goto(`${server.url}/`);
      const first = table.locator('tbody tr').first();
      const slug = await first.getAttribute('data-submission');
      await first.locator('th a').click();
      await page.waitForURL(`${server.url}/submissions/${slug ?? ''}/`);
      expect(await page.locator('h1').textContent()).toMatch(/\S/);
      expect(await page.getByRole('heading', { name: 'Provenance' }).count()).toBe(1);
      expect(problems).toEqual([]);
    });

    it('has no broken internal links and no console errors on any page', async () => {
      const { page, problems } = await watchedPage();
      const { pages, seen, broken } = await crawlSite(page, server.url);
      expect(broken).toEqual([]);
      expect(problems).toEqual([]);
      // Home, methodology, downloads, tasks index, archive index and edition, the X-ARES
      // compatible edition, and one page per task and per submission.
      expect(pages).toBe(7 + tasks.length + slugs.length);
      expect(seen.has('/editions/xares-0.1.3/')).toBe(true);
      for (const file of ['leaderboard.json', 'track-a.csv', 'track-b.csv', 'citation.bib']) {
        expect(seen.has(`/downloads/${file}`), file).toBe(true);
      }
    });

    it('passes axe-core with no serious or critical violations on every kind of page', async () => {
      // axe is injected as an inline script, which the site's Content-Security-Policy forbids.
      const { page } = await watchedPage({ bypassCSP: true });
      const paths = [
        '/',
        '/?track=B',
        '/tasks/',
        '/tasks/demo_sound_events/',
        `/submissions/${slugs[0] ?? ''}/`,
        '/methodology/',
        '/archive/',
        '/archive/icme2025/',
        '/editions/xares-0.1.3/',
        '/downloads/',
      ];
      // Desktop width for every page, and a phone width (390 px) where layouts change most.
      const visits = [
        ...paths.map((path) => ({ path, width: 1280 })),
        ...['/', `/submissions/${slugs[0] ?? ''}/`, '/archive/icme2025/'].map((path) => ({
          path,
          width: 390,
        })),
      ];
      const violations: string[] = [];
      for (const { path, width } of visits) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${server.url}${path}`);
        for (const violation of (await axeViolations(page)).filter(isSerious)) {
          violations.push(
            `${path} at ${width} px: ${violation.id} (${violation.impact ?? ''}, ${violation.nodes} nodes)`,
          );
        }
      }
      expect(violations).toEqual([]);
    });
  });
});

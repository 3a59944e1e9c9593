/**
 * The site as a visitor sees it at a given number of submissions (synthetic results, every schema
 * valid): the same checks as the demo build (sorting, search and filters, URL state, compare,
 * every link, axe, no sideways scroll on a phone, nothing broken without JavaScript), on boards
 * with near ties, incomplete and pending entries, failed pairs, long and non-ASCII names. 30 in
 * `npm test` (tests/e2e/board-scale.test.ts), 500 in `npm run test:slow`.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leaderboard } from '../../schemas/leaderboard.ts';
import { writeSyntheticResults } from './synthetic-results.ts';
import {
  checkAxe,
  checkCompare,
  checkControlsAndUrl,
  checkCrawl,
  checkNoSidewaysScroll,
  checkSorting,
  checkWithoutScript,
} from './board-checks.ts';
import { buildSite } from './build-site.ts';
import { chromiumPath, launchChromium } from './chromium.ts';
import { serveDirectory, type StaticServer } from './static-server.ts';
import { BUDGETS } from './budgets.ts';

/**
 * The checks on a board of `size` synthetic submissions: the built HTML always; with `browser`,
 * the Chromium checks too (sorting, controls, compare, no script, 390 px, axe, every link).
 */
export function describeBoardAtScale(size: number, options: { browser: boolean }): void {
  describe(`a board of ${size} submissions`, () => {
    let leaderboard: Leaderboard;
    let outDir: string;

    beforeAll(async () => {
      const work = await mkdtemp(join(tmpdir(), `board-${size}-`));
      // 200 resamples instead of the pipeline's 1000: the same code paths, a fifth of the bytes.
      leaderboard = await writeSyntheticResults(join(work, 'results'), {
        submissions: size,
        replicates: 200,
      });
      outDir = join(work, 'dist');
      await buildSite(join(work, 'results'), outDir);
    });

    it('lists every submission once per track, ranked ones first in rank order, in the built HTML', async () => {
      const html = await readFile(join(outDir, 'index.html'), 'utf8');
      const standings = leaderboard.tracks.A.overall.standings;
      const section = html.slice(
        html.indexOf('data-track-section="A"'),
        html.indexOf('data-track-section="B"'),
      );
      const order = standings.map((standing) =>
        section.indexOf(`data-submission="${standing.submission}"`),
      );
      expect(order.every((position) => position > 0)).toBe(true);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(standings.some((standing) => standing.status === 'incomplete')).toBe(true);
      expect(standings.some((standing) => standing.status === 'pending')).toBe(true);
    });

    if (!options.browser) {
      return;
    }
    describe.skipIf(chromiumPath() === undefined)(
      'in Chromium',
      { timeout: BUDGETS.boardInBrowser },
      () => {
        let browser: Browser;
        let server: StaticServer;
        const ranked = () =>
          leaderboard.tracks.A.overall.standings.filter((standing) => standing.status === 'ranked');

        beforeAll(async () => {
          server = await serveDirectory(outDir);
          browser = await launchChromium();
        });

        afterAll(async () => {
          await browser.close();
          await server.close();
        });

        it('sorts by mouse and keyboard', async () => {
          await checkSorting(browser, `${server.url}/`, 'task-esc50');
        });

        it('switches track, searches, filters and restores the view from the URL', async () => {
          const target = leaderboard.submissions.find((submission) =>
            ranked().some((standing) => standing.submission === submission.slug),
          );
          const rankedB = leaderboard.tracks.B.overall.standings.filter(
            (standing) => standing.status === 'ranked',
          );
          const query = target?.modelName ?? '';
          await checkControlsAndUrl(browser, `${server.url}/`, {
            query,
            expected: rankedB
              .filter(
                (standing) =>
                  leaderboard.submissions
                    .find((submission) => submission.slug === standing.submission)
                    ?.modelName.toLocaleLowerCase('en')
                    .includes(query.toLocaleLowerCase('en')) ?? false,
              )
              .map((standing) => standing.submission),
          });
        });

        it('compares three submissions', async () => {
          const [first, second, third] = ranked();
          await checkCompare(
            browser,
            server.url,
            [first, third, second].map((standing) => standing?.submission ?? ''),
          );
        });

        it('shows no control without JavaScript, and both tracks', async () => {
          await checkWithoutScript(browser, server.url);
        });

        it('never scrolls the page sideways at 390 px', async () => {
          await checkNoSidewaysScroll(browser, server.url, [
            '/',
            '/views/sound/',
            '/tasks/esc50/',
            `/submissions/${ranked()[0]?.submission ?? ''}/`,
            '/compare/',
            '/cost/',
            '/status/',
          ]);
        });

        it('passes axe-core with no serious or critical violations', async () => {
          await checkAxe(
            browser,
            server.url,
            [
              '/',
              '/views/speech/',
              '/tasks/esc50/',
              `/submissions/${ranked()[0]?.submission ?? ''}/`,
              '/compare/',
              '/cost/',
              '/status/',
            ],
            ['/', '/compare/'],
          );
        });

        it.runIf(size <= 30)('has no broken internal link on any page', async () => {
          const { pages } = await checkCrawl(browser, server.url);
          expect(pages).toBeGreaterThan(size);
        });
      },
    );
  });
}

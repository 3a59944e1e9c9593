/**
 * What a visitor does on a built board, as browser checks shared by the demo build (3 entries)
 * and the synthetic boards (30 and 500): sort, switch track, search, filter, share the URL,
 * compare, follow every link, pass axe, and never scroll the page sideways on a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations, crawlSite, isSerious } from './site-audit.ts';

/** A page that records console errors and warnings and uncaught exceptions. */
export async function watchedPage(
  browser: Browser,
  options: { bypassCSP?: boolean; width?: number } = {},
): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({
    ...(options.bypassCSP ? { bypassCSP: true } : {}),
    viewport: { width: options.width ?? 1280, height: 900 },
  });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
  return { page, problems };
}

const ranked = (track: 'A' | 'B') => `table[data-track="${track}"]:not(.unranked)`;

/** The sort values of one column, every row of the table in its order (shown or not). */
async function columnValues(page: Page, table: string, column: string): Promise<string[]> {
  return page.locator(table).evaluate((element, id) => {
    const rows = (element as HTMLTableElement).tHead?.rows;
    const header = rows?.[rows.length - 1];
    const index = Array.from(header?.cells ?? []).findIndex(
      (cell) => cell.dataset['column'] === id,
    );
    return Array.from((element as HTMLTableElement).tBodies[0]?.rows ?? []).map(
      (row) => row.cells[index]?.dataset['sortValue'] ?? '',
    );
  }, column);
}

const sortedState = (page: Page, table: string) =>
  page
    .locator(`${table} thead th[aria-sort]`)
    .evaluateAll((cells) =>
      cells.map((cell) => [cell.getAttribute('data-column'), cell.getAttribute('aria-sort')]),
    );

/** Sorting by mouse and keyboard; `aria-sort` follows; missing values sort last. */
export async function checkSorting(browser: Browser, url: string, taskColumn: string) {
  const { page, problems } = await watchedPage(browser);
  await page.goto(url);
  const table = ranked('A');
  expect(await sortedState(page, table)).toEqual([['average', 'descending']]);
  // A long board shows its first 100 rows, and every row after "show all".
  const shownRows = () =>
    page
      .locator(`${table} tbody tr`)
      .evaluateAll((rows) => rows.filter((row) => !(row as HTMLElement).hidden).length);
  const rowCount = await page.locator(`${table} tbody tr`).count();
  expect(await shownRows()).toBe(Math.min(rowCount, 100));
  const showAll = page.locator('[data-track-section="A"] button.show-all').first();
  expect(await showAll.isVisible()).toBe(rowCount > 100);
  const header = page.locator(`${table} thead th[data-column="${taskColumn}"] button`);
  await header.click();
  const descending = (await columnValues(page, table, taskColumn)).filter((value) => value !== '');
  expect(descending.map(Number)).toEqual([...descending.map(Number)].sort((a, b) => b - a));
  expect(await sortedState(page, table)).toEqual([[taskColumn, 'descending']]);
  await header.click();
  expect(await sortedState(page, table)).toEqual([[taskColumn, 'ascending']]);
  const ascending = (await columnValues(page, table, taskColumn)).filter((value) => value !== '');
  expect(ascending.map(Number)).toEqual([...descending.map(Number)].reverse());

  await page.locator(`${table} thead th[data-column="model"] button`).focus();
  await page.keyboard.press('Enter');
  expect(await sortedState(page, table)).toEqual([['model', 'ascending']]);
  const models = await columnValues(page, table, 'model');
  expect(models).toEqual([...models].sort((a, b) => a.localeCompare(b, 'en')));
  // Back to rank order: the first click on Rank sorts 1 first.
  await page.locator(`${table} thead th[data-column="rank"] button`).click();
  const ranks = (await columnValues(page, table, 'rank')).map(Number);
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  if (rowCount > 100) {
    await showAll.click();
    expect(await shownRows()).toBe(rowCount);
    expect(new URL(page.url()).searchParams.get('all')).toBe('1');
  }
  expect(problems).toEqual([]);
}

/**
 * Track tabs, search, the task-type and baseline filters, and the URL that restores them; the
 * ranks shown are the board's and never change with a filter.
 */
export async function checkControlsAndUrl(
  browser: Browser,
  url: string,
  search: { readonly query: string; readonly expected: readonly string[] },
) {
  const { page, problems } = await watchedPage(browser);
  await page.goto(url);
  const sectionA = page.locator('[data-track-section="A"]');
  const sectionB = page.locator('[data-track-section="B"]');
  expect(await sectionA.isVisible()).toBe(true);
  expect(await sectionB.isHidden()).toBe(true);
  await page.getByRole('tab', { name: /Track B/ }).click();
  expect(await sectionB.isVisible()).toBe(true);
  expect(await sectionA.isHidden()).toBe(true);
  expect(new URL(page.url()).searchParams.get('track')).toBe('B');

  const rankOf = async (slug: string) =>
    page
      .locator(`${ranked('B')} tr[data-submission="${slug}"] td.rank`)
      .evaluate((cell) => cell.firstChild?.textContent ?? '');
  const firstSlug = await page
    .locator(`${ranked('B')} tbody tr`)
    .first()
    .getAttribute('data-submission');
  const rankBefore = await rankOf(firstSlug ?? '');

  await page.locator('[data-search]').fill(search.query);
  const visible = () =>
    page
      .locator(`${ranked('B')} tbody tr`)
      .evaluateAll((rows) =>
        rows
          .filter((row) => !(row as HTMLElement).hidden)
          .map((row) => row.getAttribute('data-submission')),
      );
  expect(await visible()).toEqual(search.expected);
  await page.locator('[data-search]').fill('');
  await page.locator('[data-hide-baselines]').check();
  const withoutBaselines = await visible();
  const baselineRows = await page
    .locator(`${ranked('B')} tbody tr[data-baseline="true"]`)
    .evaluateAll((rows) => rows.filter((row) => !(row as HTMLElement).hidden).length);
  expect(baselineRows).toBe(0);
  if ((await page.locator('[data-task-type-filter]').count()) > 0) {
    await page.locator('[data-task-type-filter]').selectOption('clip');
    const hiddenHeaders = await page
      .locator(`${ranked('B')} thead th[data-task-type]`)
      .evaluateAll((cells) =>
        cells
          .filter((cell) => !(cell as HTMLElement).hidden)
          .map((cell) => cell.getAttribute('data-task-type')),
      );
    expect(new Set(hiddenHeaders)).toEqual(new Set(['clip']));
  }
  // Filters hide rows; the ranks stay those of the whole board.
  if (firstSlug && !withoutBaselines.includes(firstSlug)) {
    await page.locator('[data-hide-baselines]').uncheck();
  }
  expect(await rankOf(firstSlug ?? '')).toBe(rankBefore);

  const shared = new URL(page.url());
  expect(shared.searchParams.get('track')).toBe('B');
  const again = await watchedPage(browser);
  await again.page.goto(shared.toString());
  expect(await again.page.locator('[data-track-section="B"]').isVisible()).toBe(true);
  expect(await again.page.locator('[data-hide-baselines]').isChecked()).toBe(
    shared.searchParams.get('baselines') === 'hide',
  );
  // The domain views keep the state: their links carry the same query.
  const viewLink = await again.page.locator('[data-view-link]').nth(1).getAttribute('href');
  expect(viewLink).toContain('track=B');
  expect([...problems, ...again.problems]).toEqual([]);
}

/** The compare page: a choice in the URL gives the table of that choice, significance marked. */
export async function checkCompare(browser: Browser, base: string, slugs: readonly string[]) {
  const { page, problems } = await watchedPage(browser);
  await page.goto(`${base}/compare/?s=${slugs.join(',')}`);
  const heads = await page
    .locator('[data-compare-table="A"] thead th a')
    .evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
  expect(heads.map((href) => href.split('/').filter(Boolean).at(-1))).toEqual([...slugs]);
  const verdicts = await page
    .locator('[data-compare-table="A"] tbody td')
    .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('class') ?? ''));
  expect(verdicts.length).toBeGreaterThan(0);
  expect(verdicts.every((name) => /verdict-/.test(name))).toBe(true);
  // Changing a choice re-renders the tables and updates the URL.
  const other = slugs[2];
  if (other !== undefined) {
    await page.locator('[data-compare-slot="1"]').selectOption(other);
    expect(new URL(page.url()).searchParams.get('s')?.split(',').slice(0, 2)).toEqual([
      slugs[0],
      other,
    ]);
  }
  expect(problems).toEqual([]);
}

/** Every page reachable from the home page loads, with no broken link or console error. */
export async function checkCrawl(browser: Browser, base: string) {
  const { page, problems } = await watchedPage(browser);
  const result = await crawlSite(page, base);
  expect(result.broken).toEqual([]);
  expect(problems).toEqual([]);
  return result;
}

/** axe-core on the given pages at 1280 px, and at 390 px where the layout changes most. */
export async function checkAxe(
  browser: Browser,
  base: string,
  paths: readonly string[],
  phonePaths: readonly string[],
) {
  // axe is injected as an inline script, which the site's Content-Security-Policy forbids.
  const { page } = await watchedPage(browser, { bypassCSP: true });
  const violations: string[] = [];
  for (const { path, width } of [
    ...paths.map((path) => ({ path, width: 1280 })),
    ...phonePaths.map((path) => ({ path, width: 390 })),
  ]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${base}${path}`);
    for (const violation of (await axeViolations(page)).filter(isSerious)) {
      violations.push(
        `${path} at ${width} px: ${violation.id} (${violation.impact ?? ''}, ${violation.nodes} nodes)`,
      );
    }
  }
  expect(violations).toEqual([]);
}

/** No page scrolls sideways at 390 px: wide tables and charts scroll inside their own boxes. */
export async function checkNoSidewaysScroll(
  browser: Browser,
  base: string,
  paths: readonly string[],
) {
  const { page } = await watchedPage(browser, { width: 390 });
  const wide: string[] = [];
  for (const path of paths) {
    await page.goto(`${base}${path}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) {
      wide.push(`${path}: ${width} px`);
    }
  }
  expect(wide).toEqual([]);
}

/** Without JavaScript no control is shown that would do nothing, and both tracks are shown. */
export async function checkWithoutScript(browser: Browser, base: string) {
  const page = await browser.newPage({ javaScriptEnabled: false });
  await page.goto(`${base}/`);
  expect(await page.locator('[data-controls]').isHidden()).toBe(true);
  expect(await page.locator('button:visible, input:visible, select:visible').count()).toBe(0);
  expect(await page.locator('[data-track-section="A"]').isVisible()).toBe(true);
  expect(await page.locator('[data-track-section="B"]').isVisible()).toBe(true);
  await page.goto(`${base}/compare/`);
  expect(await page.locator('[data-compare-controls]').isHidden()).toBe(true);
  expect(await page.locator('[data-compare-table="A"] table').count()).toBe(1);
  await page.close();
}

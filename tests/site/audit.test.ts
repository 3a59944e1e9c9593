/**
 * The site audits of the browser tests must fail on a broken site, or their passing on the real
 * one means nothing (threats §8, 30): a small site with a missing page, a missing anchor and an
 * accessibility error is crawled and checked.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium } from '../support/chromium.ts';
import { axeViolations, crawlSite, isSerious } from '../support/site-audit.ts';
import { serveDirectory, type StaticServer } from '../support/static-server.ts';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main>${body}</main></body></html>`;

describe.skipIf(chromiumPath() === undefined)('site audits on a broken site', () => {
  let browser: Browser;
  let server: StaticServer;

  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), 'broken-site-'));
    await mkdir(join(root, 'about'));
    await writeFile(
      join(root, 'index.html'),
      page(
        'Home',
        '<h1>Home</h1><a href="/about/">About</a> <a href="/missing/">Gone</a> <a href="#results">Results</a>',
      ),
    );
    await writeFile(
      join(root, 'about', 'index.html'),
      page('About', '<h1>About</h1><img src="/logo.png"><a href="/">Home</a>'),
    );
    server = await serveDirectory(root);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser.close();
    await server.close();
  });

  it('the crawl reports the missing page and the missing anchor', async () => {
    const crawl = await crawlSite(await browser.newPage(), server.url);
    expect(crawl.pages).toBe(2);
    expect([...crawl.broken].sort()).toEqual([
      '/ -> #results (no such id)',
      '/logo.png (404)',
      '/missing/ (404)',
    ]);
  });

  it('axe reports an image without a text alternative as serious or worse', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const tab = await context.newPage();
    await tab.goto(`${server.url}/about/`);
    const serious = (await axeViolations(tab)).filter(isSerious).map((violation) => violation.id);
    expect(serious).toContain('image-alt');
    await context.close();
  });
});

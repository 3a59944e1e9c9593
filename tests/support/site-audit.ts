/**
 * Audits of a served site in Chromium, shared by the demo-build test and the tests that prove
 * the audits catch what they look for: a crawl of every internal link and anchor, and axe-core.
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface Crawl {
  /** HTML pages visited. */
  readonly pages: number;
  /** Every internal path reached, pages and files. */
  readonly seen: ReadonlySet<string>;
  /** `path (status)` or `page -> #id (no such id)`. */
  readonly broken: readonly string[];
}

/** Follow every same-origin link, stylesheet, script and image from `start`. */
export async function crawlSite(page: Page, origin: string, start = '/'): Promise<Crawl> {
  const queue = [start];
  const seen = new Set(queue);
  const broken: string[] = [];
  let pages = 0;
  while (queue.length > 0) {
    const path = queue.shift() ?? '/';
    const response = await page.request.get(`${origin}${path}`);
    if (!response.ok()) {
      broken.push(`${path} (${response.status()})`);
      continue;
    }
    if (!(response.headers()['content-type'] ?? '').startsWith('text/html')) {
      continue;
    }
    await page.goto(`${origin}${path}`);
    pages += 1;
    const targets = await page.evaluate(() =>
      [
        ...Array.from(document.querySelectorAll('a[href]'), (a) => a.getAttribute('href')),
        ...Array.from(document.querySelectorAll('link[href]'), (l) => l.getAttribute('href')),
        ...Array.from(document.querySelectorAll('script[src]'), (s) => s.getAttribute('src')),
        ...Array.from(document.querySelectorAll('img[src]'), (i) => i.getAttribute('src')),
      ].map((href) => new URL(href ?? '', document.baseURI).href),
    );
    for (const target of targets) {
      const url = new URL(target);
      if (url.origin !== origin) {
        continue;
      }
      if (url.hash && url.pathname === new URL(page.url()).pathname) {
        const id = decodeURIComponent(url.hash.slice(1));
        if ((await page.locator(`[id="${id}"]`).count()) === 0) {
          broken.push(`${path} -> #${id} (no such id)`);
        }
      }
      if (!seen.has(url.pathname)) {
        seen.add(url.pathname);
        queue.push(url.pathname);
      }
    }
  }
  return { pages, seen, broken };
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly nodes: number;
}

/**
 * axe-core's violations on the page now loaded. axe is injected as an inline script, so the page
 * must come from a context created with `bypassCSP: true`.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: () => Promise<{
            violations: { id: string; impact: string | null; nodes: unknown[] }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run();
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      nodes: violation.nodes.length,
    }));
  });
}

export const isSerious = (violation: AxeViolation): boolean =>
  violation.impact === 'serious' || violation.impact === 'critical';

/**
 * The site at scale: synthetic results of 30 and of 500 submissions on the 27 X-ARES tasks
 * (tests/support/synthetic-results.ts), each built with `astro build`; the home page's size as served
 * (gzip, as GitHub Pages sends it) and raw; and a sort and a filter in Chromium, timed inside
 * the page (the handler and the layout it causes). Each row sets 500 against 30 in the same run.
 * Targets (docs/performance.md): 500 entries build in under 60 s on 2 cores, the home page
 * under 1 MB transferred, a sort or a filter under 100 ms.
 */
import { gzipSync } from 'node:zlib';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildSite } from '../tests/support/build-site.ts';
import { chromiumPath, launchChromium } from '../tests/support/chromium.ts';
import { serveDirectory } from '../tests/support/static-server.ts';
import { median, timed, type Row } from './measure.ts';
import { writeSyntheticResults } from '../tests/support/synthetic-results.ts';

interface Board {
  readonly size: number;
  readonly buildSeconds: number;
  readonly rawBytes: number;
  readonly gzipBytes: number;
  readonly sortSeconds: number;
  readonly filterSeconds: number;
}

/** Median seconds of an interaction, measured in the page: the handler and the layout after it. */
async function inPage(page: Page, action: 'sort' | 'filter', repetitions: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    times.push(
      await page.evaluate(
        ({ kind, round }) => {
          const started = performance.now();
          if (kind === 'sort') {
            const header = document.querySelector<HTMLButtonElement>(
              'table[data-track="A"]:not(.unranked) th[data-column="task-esc50"] button',
            );
            header?.click();
          } else {
            const input = document.querySelector<HTMLInputElement>('[data-search]');
            if (input) {
              input.value = round % 2 === 0 ? 'dasheng' : '';
              input.dispatchEvent(new Event('input'));
            }
          }
          // Reading a layout property makes the browser do the layout the change caused.
          const layoutHeight = document.body.offsetHeight;
          return layoutHeight >= 0 ? (performance.now() - started) / 1000 : Number.NaN;
        },
        { kind: action, round: i },
      ),
    );
  }
  return median(times);
}

async function measureBoard(size: number, repetitions: number): Promise<Board> {
  const work = await mkdtemp(join(tmpdir(), `bench-site-${size}-`));
  try {
    await writeSyntheticResults(join(work, 'results'), { submissions: size });
    const builds: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      builds.push(await timed(() => buildSite(join(work, 'results'), join(work, `dist-${i}`))));
    }
    const dist = join(work, 'dist-0');
    const html = await readFile(join(dist, 'index.html'));
    let sortSeconds = Number.NaN;
    let filterSeconds = Number.NaN;
    if (chromiumPath() !== undefined) {
      const server = await serveDirectory(dist);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.goto(`${server.url}/`);
        sortSeconds = await inPage(page, 'sort', 7);
        filterSeconds = await inPage(page, 'filter', 7);
      } finally {
        await browser.close();
        await server.close();
      }
    }
    return {
      size,
      buildSeconds: median(builds),
      rawBytes: html.byteLength,
      gzipBytes: gzipSync(html).byteLength,
      sortSeconds,
      filterSeconds,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

export async function siteRows(repetitions: number): Promise<Row[]> {
  const small = await measureBoard(30, repetitions);
  const large = await measureBoard(500, repetitions);
  const browserNote =
    chromiumPath() === undefined ? ' (no Chromium: sort and filter not measured)' : '';
  return [
    {
      name: 'site build (astro build), 500 submissions x 27 tasks',
      baseline: '30 submissions',
      baselineSeconds: small.buildSeconds,
      measured: '500 submissions',
      measuredSeconds: large.buildSeconds,
      note: `site build: ${large.buildSeconds.toFixed(1)} s for 500 submissions (target under 60 s), ${small.buildSeconds.toFixed(1)} s for 30. Home page transferred (gzip): ${kib(large.gzipBytes)} at 500 (target under 1 MB), ${kib(small.gzipBytes)} at 30; uncompressed ${kib(large.rawBytes)} and ${kib(small.rawBytes)}.`,
    },
    {
      name: 'sort by a task column in Chromium, 500 rows',
      baseline: '30 rows',
      baselineSeconds: small.sortSeconds,
      measured: '500 rows',
      measuredSeconds: large.sortSeconds,
      note: `sort: ${(large.sortSeconds * 1000).toFixed(1)} ms at 500 rows (target under 100 ms), ${(small.sortSeconds * 1000).toFixed(1)} ms at 30${browserNote}.`,
    },
    {
      name: 'filter by a search in Chromium, 500 rows',
      baseline: '30 rows',
      baselineSeconds: small.filterSeconds,
      measured: '500 rows',
      measuredSeconds: large.filterSeconds,
      note: `filter: ${(large.filterSeconds * 1000).toFixed(1)} ms at 500 rows (target under 100 ms), ${(small.filterSeconds * 1000).toFixed(1)} ms at 30${browserNote}.`,
    },
  ];
}

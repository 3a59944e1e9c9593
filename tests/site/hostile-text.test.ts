/**
 * Manifest text reaches the site through the leaderboard. Text that passes the schema may still
 * hold markup; the built pages must show it as text, in a real browser: no dialog, no injected
 * element or handler, no javascript: link. Text the schema refuses (bidirectional overrides,
 * zero-width characters, non-https links) fails the build instead, naming the field.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../support/build-site.ts';
import { BUDGETS } from '../support/budgets.ts';
import { loaderRefusals } from '../support/site-loaders.ts';
import { chromiumPath, launchChromium } from '../support/chromium.ts';
import { serveDirectory, type StaticServer } from '../support/static-server.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const HOSTILE = {
  team: '<img src=x onerror=alert(1)>',
  affiliation: '"><svg onload=alert(2)>',
  modelName: '</title><script>alert(3)</script>',
  description:
    '<a href="javascript:alert(4)">click</a> <iframe src="javascript:alert(5)"></iframe>',
};

async function resultsWith(
  change: (submission: Record<string, unknown>) => void,
): Promise<{ work: string; resultsDir: string }> {
  const work = await mkdtemp(join(tmpdir(), 'hostile-'));
  const resultsDir = join(work, 'results');
  await cp(join(fixtures, 'runs'), join(resultsDir, 'runs'), { recursive: true });
  const leaderboard = JSON.parse(await readFile(join(fixtures, 'leaderboard.json'), 'utf8')) as {
    submissions: Record<string, unknown>[];
  };
  const target = leaderboard.submissions.find((entry) => entry['slug'] === 'random-conv');
  if (target) {
    change(target);
  }
  await writeFile(join(resultsDir, 'leaderboard.json'), JSON.stringify(leaderboard));
  return { work, resultsDir };
}

// Refused by the site's loaders, as `astro build` runs them (tests/support/site-loaders.ts).
describe('hostile manifest text the schema refuses', () => {
  it('fails the build on a bidirectional override, naming the field', async () => {
    const { resultsDir } = await resultsWith((submission) => {
      submission['team'] = 'Team \u202Eevil';
    });
    const output = await loaderRefusals(resultsDir);
    expect(output).toContain('/submissions/1/team');
    expect(output).toContain('bidirectional-override');
  });

  it('fails the build on a javascript: link', async () => {
    const { resultsDir } = await resultsWith((submission) => {
      submission['links'] = { report: 'javascript:alert(1)' };
    });
    expect(await loaderRefusals(resultsDir)).toContain('/submissions/1/links/report');
  });
});

describe.skipIf(chromiumPath() === undefined)('hostile manifest text in Chromium', () => {
  let browser: Browser;
  let server: StaticServer;

  beforeAll(async () => {
    const { work, resultsDir } = await resultsWith((submission) => {
      Object.assign(submission, HOSTILE);
    });
    const outDir = join(work, 'dist');
    await buildSite(resultsDir, outDir);
    server = await serveDirectory(outDir);
    browser = await launchChromium();
  }, BUDGETS.siteBuild);

  afterAll(async () => {
    await browser.close();
    await server.close();
  });

  it.each(['/', '/submissions/random-conv/', '/tasks/demo_timbre/'])(
    'renders it as inert text on %s',
    async (path) => {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', async (dialog) => {
        dialogs.push(dialog.message());
        await dialog.dismiss();
      });
      await page.goto(`${server.url}${path}`);
      const found = await page.evaluate(() => ({
        text: document.body.innerText,
        handlers: Array.from(document.querySelectorAll('*')).filter((element) =>
          Array.from(element.attributes).some((attribute) => attribute.name.startsWith('on')),
        ).length,
        injected: document.querySelectorAll('img[src="x"], iframe, body script:not([type])').length,
        scriptLinks: Array.from(document.querySelectorAll('[href], [src]')).filter((element) =>
          /^\s*javascript:/i.test(
            element.getAttribute('href') ?? element.getAttribute('src') ?? '',
          ),
        ).length,
      }));
      expect(dialogs).toEqual([]);
      expect(found.handlers).toBe(0);
      expect(found.scriptLinks).toBe(0);
      expect(found.text).toContain(HOSTILE.team);
      if (path === '/submissions/random-conv/') {
        expect(found.text).toContain(HOSTILE.modelName);
        expect(found.text).toContain('<a href="javascript:alert(4)">click</a>');
      }
      expect(found.injected).toBe(0);
    },
  );
});

/**
 * `npm run dev` shows results that change while it runs (issue 19, finding 9): the loaders
 * watch the results folder, so an evaluate in another terminal reaches the open page.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../support/build-site.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

async function page(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url);
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

async function eventually<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() - started > 180_000) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('astro dev', { timeout: 240_000 }, () => {
  it('picks up a changed leaderboard without a restart', async () => {
    const work = await mkdtemp(join(tmpdir(), 'dev-reload-'));
    const results = join(work, 'results');
    await cp(join(fixtures, 'runs'), join(results, 'runs'), { recursive: true });
    await cp(join(fixtures, 'leaderboard.json'), join(results, 'leaderboard.json'));
    const port = 4300 + (process.pid % 600);
    const server = spawn(
      process.execPath,
      [
        join(REPOSITORY_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs'),
        'dev',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
      ],
      {
        cwd: REPOSITORY_ROOT,
        // Vitest's NODE_ENV=test and VITEST* variables make astro dev answer 404.
        env: {
          ...Object.fromEntries(
            Object.entries(process.env).filter(
              ([name]) => name !== 'NODE_ENV' && !name.startsWith('VITEST'),
            ),
          ),
          LEADERBOARD_RESULTS_DIR: results,
          LEADERBOARD_ASTRO_CACHE_DIR: join(work, 'astro-cache'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    for (const stream of [server.stdout, server.stderr]) {
      stream.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
    }
    try {
      const url = `http://127.0.0.1:${port}/`;
      const before = await eventually(() => page(url), 'the dev server').catch((error: unknown) => {
        throw new Error(`${String(error)}\n${output}`);
      });
      expect(before).not.toContain('Renamed Team Zeta');
      const board = JSON.parse(await readFile(join(results, 'leaderboard.json'), 'utf8')) as {
        submissions: { team: string }[];
      };
      const first = board.submissions[0];
      if (first) {
        first.team = 'Renamed Team Zeta';
      }
      await writeFile(join(results, 'leaderboard.json'), JSON.stringify(board));
      await eventually(
        async () => ((await page(url))?.includes('Renamed Team Zeta') ? true : undefined),
        'the changed team name on the page',
      );
    } finally {
      server.kill('SIGTERM');
    }
  });
});

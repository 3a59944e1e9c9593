/**
 * `npm run lint`'s four tools, as tests of the `lint` project: `npm test` runs them beside the
 * demo world's end-to-end tests, which spend much of their time waiting on child processes, so
 * they take no wall time of their own. Each tool is the package.json script of its name, run
 * here as `npm run` runs it; a failure shows the tool's own output.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../support/build-site.ts';
import { BUDGETS } from '../support/budgets.ts';

const scripts = (
  JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

/** Every `lint:*` script that `npm run lint` runs. */
const LINT_SCRIPTS = Object.keys(scripts).filter((name) => name.startsWith('lint:'));

async function runScript(name: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', name], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, FORCE_COLOR: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('npm run lint', () => {
  it('runs every lint:* script, and nothing else', () => {
    expect([...LINT_SCRIPTS].sort()).toEqual([
      'lint:code',
      'lint:exports',
      'lint:format',
      'lint:types',
    ]);
    expect(scripts['lint']).toBe(LINT_SCRIPTS.map((name) => `npm run ${name}`).join(' && '));
  });

  // Concurrently: each tool is one process on one core for most of its time.
  it.concurrent.each(LINT_SCRIPTS)('%s passes', { timeout: BUDGETS.lint }, async (name) => {
    const { code, output } = await runScript(name);
    expect(code, `npm run ${name} failed:\n${output}`).toBe(0);
  });
});

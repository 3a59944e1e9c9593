import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CheckReport } from '../../schemas/check-report.ts';
import { main } from '../../pipeline/cli.ts';
import { validLogMel, writeSubmission } from '../helpers/broken-encoders.ts';

function captureStdout() {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return chunks;
}

function captureStderr() {
  const chunks: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return chunks;
}

describe('pipeline CLI', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('rejects an unknown command with exit status 2 and lists the commands', async () => {
    const stderr = captureStderr();
    expect(await main(['evalute'])).toBe(2);
    expect(stderr.join('')).toMatchInlineSnapshot(`
      "error: unknown command "evalute"
        commands: evaluate, plan, check, score, data, examples, schemas
      "
    `);
  });

  it('rejects unknown options with the usage line', async () => {
    const stderr = captureStderr();
    expect(await main(['evaluate', '--sute', 'demo'])).toBe(2);
    expect(stderr.join('')).toContain("Unknown option '--sute'");
    expect(stderr.join('')).toContain('usage: evaluate [--suite demo|xares]');
  });

  it('suggests the closest task id for a typo', async () => {
    const stderr = captureStderr();
    expect(
      await main([
        'evaluate',
        '--task',
        'demo_timbr',
        '--submission',
        'logmel-baseline',
        '--results-dir',
        '/tmp/unused-results',
      ]),
    ).toBe(2);
    expect(stderr.join('')).toContain(
      'error: no task "demo_timbr" in this run\n  did you mean "demo_timbre"?',
    );
  });

  it('check prints a JSON report with --json and exits 1 when a check fails', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cli-check-'));
    const dir = await writeSubmission(root, 'wrong-dim', validLogMel(), { embeddingDim: 32 });
    const stdout = captureStdout();
    const stderr = captureStderr();
    expect(await main(['check', dir, '--json', '--threads', '1'])).toBe(1);
    const report = CheckReport.parse(JSON.parse(stdout.join('')));
    expect(report.passed).toBe(false);
    expect(report.checks.find((entry) => entry.id === 'xares-probe')?.status).toBe('fail');
    expect(stderr.join('')).toContain('error: 1 of 1 submission failed the checks');
  });

  it('check needs a folder', async () => {
    const stderr = captureStderr();
    expect(await main(['check'])).toBe(2);
    expect(stderr.join('')).toContain('check needs at least one submission folder');
  });
});

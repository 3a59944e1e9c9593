import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../pipeline/cli.ts';

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
        commands: evaluate, score, data, examples, schemas
      "
    `);
  });

  it('rejects unknown options with the usage line', async () => {
    const stderr = captureStderr();
    expect(await main(['evaluate', '--sute', 'demo'])).toBe(2);
    expect(stderr.join('')).toContain("Unknown option '--sute'");
    expect(stderr.join('')).toContain('usage: evaluate [--suite demo]');
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
});

import { describe, expect, it } from 'vitest';
import { createLogger, defaultLogFormat, type LogFormat } from '../../pipeline/log.ts';

function capture(format: LogFormat, now: () => number = () => 0) {
  const chunks: string[] = [];
  const stream = {
    write: (chunk: string) => {
      chunks.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { logger: createLogger({ stream, format, now }), text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('writes GitHub annotations and collapsible groups under Actions', () => {
    const { logger, text } = capture('github');
    const end = logger.group('alpha x demo_tags');
    logger.warn('demo_tags: 50%\nstill going');
    logger.error('broken');
    end();
    expect(text()).toBe(
      '::group::alpha x demo_tags\n::warning::demo_tags: 50%25%0Astill going\n::error::broken\n::endgroup::\n',
    );
  });

  it('writes one JSON object per line for log collectors', () => {
    const { logger, text } = capture('json');
    logger.info('hello');
    logger.warn('careful');
    const lines = text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map(({ level, message }) => [level, message])).toEqual([
      ['info', 'hello'],
      ['warning', 'careful'],
    ]);
    expect(typeof lines[0]?.['time']).toBe('string');
  });

  it('reports progress with an ETA at most every 30 seconds when it cannot draw a bar', () => {
    let clock = 0;
    const { logger, text } = capture('plain', () => clock);
    const progress = logger.progress('encode', 4);
    clock = 10_000;
    progress.tick();
    clock = 31_000;
    progress.tick();
    progress.done('4 shards');
    // 2 of 4 after 31 s: 15.5 s per item, 31 s to go.
    expect(text()).toBe(
      'encode: started (4 items)\nencode: 2/4, ETA 31 s\nencode: done in 31 s (4 shards)\n',
    );
  });

  it('draws a bar with percentage and ETA on a terminal', () => {
    let clock = 0;
    const { logger, text } = capture('tty', () => clock);
    const progress = logger.progress('encode', 2);
    clock = 1000;
    progress.tick();
    expect(text()).toContain('encode [');
    expect(text()).toContain('] 1/2 50% ETA 1.0 s');
  });

  it('picks github under Actions, tty on a terminal outside CI, plain otherwise', () => {
    expect(defaultLogFormat({ isTTY: true }, { GITHUB_ACTIONS: 'true' })).toBe('github');
    expect(defaultLogFormat({ isTTY: true }, {})).toBe('tty');
    expect(defaultLogFormat({ isTTY: true }, { CI: '1' })).toBe('plain');
    expect(defaultLogFormat({}, {})).toBe('plain');
  });
});

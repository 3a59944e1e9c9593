import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CheckReport } from '../../schemas/check-report.ts';
import { leaderboardFile } from '../../schemas/results-layout.ts';
import { main, parseShard } from '../../pipeline/cli/index.ts';
import { validLogMel, writeSubmission } from '../support/broken-encoders.ts';
import { captureStdout, captureStderr } from '../support/capture-output.ts';
import { cudaProviderInstalled } from '../support/cuda.ts';

describe('pipeline CLI', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('rejects an unknown command with exit status 2 and lists the commands', async () => {
    const stderr = captureStderr();
    expect(await main(['evalute'])).toBe(2);
    expect(stderr.join('')).toMatchInlineSnapshot(`
      "error: unknown command "evalute"
        commands: evaluate, build, plan, check, score, guard, pr-report, pr-comment, merge, data, rehearse, examples, schemas
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

  it('plan prints the missing work as a GitHub Actions matrix of shards', async () => {
    const results = await mkdtemp(join(tmpdir(), 'cli-plan-'));
    const stdout = captureStdout();
    const stderr = captureStderr();
    expect(await main(['plan', '--results-dir', results, '--max-jobs', '4'])).toBe(0);
    // Three example submissions x seven demo tasks, none evaluated yet: 21 pairs in 4 shards.
    expect(JSON.parse(stdout.join(''))).toEqual({
      include: [
        { shard: '1/4', pairs: 6 },
        { shard: '2/4', pairs: 5 },
        { shard: '3/4', pairs: 5 },
        { shard: '4/4', pairs: 5 },
      ],
    });
    expect(stderr.join('')).toContain('21 of 21 (submission, task) pairs need work; 4 jobs');
  });

  it('parses --shard i/n and rejects anything else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(undefined)).toBeUndefined();
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) {
      expect(() => parseShard(bad), bad).toThrow(/--shard must be i\/n/);
    }
  });

  it('score --from recomputes the printed averages of an archived edition', async () => {
    const stdout = captureStdout();
    const stderr = captureStderr();
    expect(await main(['score', '--from', 'results/archive/icme2025.json'])).toBe(0);
    const table = stdout.join('');
    expect(table).toMatch(/audiocodec +B +all +20 +0\.792 +0\.79162 +yes/);
    expect(table).toMatch(/Aluminumbox +A +all +27 +0\.807 +0\.82233 +NO \(off by 0\.0153\)/);
    expect(stderr.join('')).toContain(
      '17 of 32 printed averages reproduce to 3 decimals; 3 more within the rounding of the task scores',
    );
  });

  // `check --device auto` on the WebGPU provider (lavapipe where there is no GPU) is the slow
  // project's: tests/slow/check-device-auto.test.ts.
  const cudaInstalled = cudaProviderInstalled();
  it.skipIf(cudaInstalled)('says why --device cuda cannot run and what to install', async () => {
    const results = await mkdtemp(join(tmpdir(), 'cli-cuda-'));
    const stderr = captureStderr();
    expect(
      await main([
        'evaluate',
        '--device',
        'cuda',
        '--task',
        'demo_tags',
        '--submission',
        'logmel-baseline',
        '--results-dir',
        results,
      ]),
    ).toBe(2);
    const text = stderr.join('');
    expect(text).toContain(
      "error: --device cuda was requested but the CUDA provider cannot start: onnxruntime-node's CUDA provider is not installed",
    );
    expect(text).toContain('--onnxruntime-node-install=cuda12');
  });

  it.skipIf(cudaInstalled)('check --device cuda says why it cannot run', async () => {
    const stderr = captureStderr();
    expect(await main(['check', 'submissions/logmel-baseline', '--device', 'cuda'])).toBe(2);
    expect(stderr.join('')).toContain(
      'error: --device cuda was requested but the CUDA provider cannot start',
    );
  });
});

describe('the CLI refuses values it does not understand, before doing any work', () => {
  it.each([
    [
      ['evaluate', '--log-format', 'xml'],
      'error: --log-format must be one of tty, plain, github, json (got "xml")',
    ],
    // Issue 27, finding 10: the second value was not checked.
    [
      ['evaluate', '--log-format', 'plain', '--log-format', 'xml'],
      'error: --log-format must be one of tty, plain, github, json (got "xml")',
    ],
    [
      ['evaluate', '--log-format=plain', '--log-format=xml'],
      'error: --log-format must be one of tty, plain, github, json (got "xml")',
    ],
    [
      ['evaluate', 'banana'],
      'error: evaluate takes no positional arguments (got "banana"); did you mean --submission banana or --task banana?',
    ],
    [
      ['evaluate', '--threads', '0x2'],
      'error: --threads must be a decimal whole number (got "0x2")',
    ],
    [
      ['evaluate', '--threads', '1e1'],
      'error: --threads must be a decimal whole number (got "1e1")',
    ],
    [['evaluate', '--threads', '9999'], 'error: --threads must be at most 1024 (got "9999")'],
    [
      ['check', 'submissions/x', '--timeout', '0x10'],
      'error: --timeout must be a decimal whole number (got "0x10")',
    ],
  ])('%j', async (argv, message) => {
    const stderr = captureStderr();
    expect(await main(argv)).toBe(2);
    expect(stderr.join('')).toContain(message);
    expect(stderr.join('')).not.toMatch(/\n\s+at /);
  });
});

describe('the CLI refuses environment variables it does not understand', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('names the variable and the fix, with exit status 2, before doing any work', async () => {
    vi.stubEnv('LEADERBOARD_LOCK_WAIT_SECONDS', '1e3');
    const results = join(await mkdtemp(join(tmpdir(), 'cli-environment-')), 'results');
    const stderr = captureStderr();
    expect(await main(['score', '--results-dir', results])).toBe(2);
    expect(stderr.join('')).toBe(
      'error: LEADERBOARD_LOCK_WAIT_SECONDS must be a decimal whole number of seconds (got "1e3")\n  set it to a number of seconds such as 600, or unset it to wait up to an hour\n',
    );
    expect(existsSync(results)).toBe(false);
  });
});

describe('score refuses what evaluate refuses (issue 27, finding 5)', () => {
  it('an empty submissions folder leaves the stored leaderboard as it is, unless --allow-empty', async () => {
    const work = await mkdtemp(join(tmpdir(), 'cli-score-empty-'));
    const submissions = join(work, 'submissions');
    await mkdir(join(submissions, '_template'), { recursive: true });
    const results = join(work, 'results');
    vi.stubEnv('LEADERBOARD_SUBMISSIONS_DIR', submissions);
    const stderr = captureStderr();
    expect(await main(['score', '--suite', 'demo', '--results-dir', results])).toBe(2);
    expect(stderr.join('')).toContain(
      `error: ${submissions} holds no submission folders, so the leaderboard would be emptied`,
    );
    expect(stderr.join('')).toContain('--allow-empty');
    expect(existsSync(leaderboardFile(results))).toBe(false);
    expect(
      await main(['score', '--suite', 'demo', '--results-dir', results, '--allow-empty']),
    ).toBe(0);
    expect(existsSync(leaderboardFile(results))).toBe(true);
  });
});

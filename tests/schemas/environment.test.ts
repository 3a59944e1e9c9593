import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SUITE,
  EnvironmentVariableError,
  parseEnvironment,
  resultsDirFor,
} from '../../schemas/environment.ts';

describe('parseEnvironment', () => {
  it('applies the defaults to an empty environment', () => {
    const environment = parseEnvironment({});
    expect(environment).toMatchObject({
      suite: DEFAULT_SUITE,
      resultsDirOverride: undefined,
      cacheDir: '.cache',
      submissionsDir: 'submissions',
      lockWaitSeconds: 3600,
      zenodoUrl: 'https://zenodo.org',
      allowPrivateNetwork: false,
      prAuthorAssociation: 'NONE',
      archiveDir: 'results/archive',
      outDir: './dist',
      basePath: '/',
    });
    expect(resultsDirFor(environment, 'xares')).toBe('results/xares');
  });

  it('treats an empty value as unset', () => {
    const environment = parseEnvironment({ LEADERBOARD_SUITE: '', LEADERBOARD_CACHE_DIR: '' });
    expect(environment.suite).toBe(DEFAULT_SUITE);
    expect(environment.cacheDir).toBe('.cache');
  });

  it('reads the variables it knows and ignores the rest', () => {
    const environment = parseEnvironment({
      LEADERBOARD_SUITE: 'xares',
      LEADERBOARD_RESULTS_DIR: '/tmp/results',
      LEADERBOARD_LOCK_WAIT_SECONDS: '60',
      LEADERBOARD_ALLOW_PRIVATE_NETWORK: '1',
      LEADERBOARD_PRIVATE_DATA_TOKEN: 'secret',
      PATH: '/usr/bin',
    });
    expect(environment.suite).toBe('xares');
    expect(resultsDirFor(environment, 'demo')).toBe('/tmp/results');
    expect(environment.lockWaitSeconds).toBe(60);
    expect(environment.allowPrivateNetwork).toBe(true);
    expect(environment.privateDataToken).toBe('secret');
  });

  it.each([
    [
      { LEADERBOARD_LOCK_WAIT_SECONDS: '1e3' },
      'LEADERBOARD_LOCK_WAIT_SECONDS must be a decimal whole number of seconds (got "1e3")',
    ],
    [
      { LEADERBOARD_ALLOW_PRIVATE_NETWORK: 'true' },
      'LEADERBOARD_ALLOW_PRIVATE_NETWORK must be 1 or unset (got "true")',
    ],
  ])('names the variable and the fix for %j', (env, message) => {
    let thrown: unknown;
    try {
      parseEnvironment(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EnvironmentVariableError);
    const error = thrown as EnvironmentVariableError;
    expect(error.message).toBe(message);
    expect(error.variable).toBe(Object.keys(env)[0]);
    expect(error.hint).toMatch(/unset it/);
  });
});

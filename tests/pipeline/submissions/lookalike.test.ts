import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparableName, scanSubmissions } from '../../../pipeline/submissions/scan.ts';
import { validLogMel, writeSubmission } from '../../support/broken-encoders.ts';

describe('comparableName', () => {
  it.each([
    ['Team\u2010A', 'team-a'],
    ['ＴＥＡＭ Ａ', 'team a'],
    ['  Team   A ', 'team a'],
    ['team\u2014a', 'team-a'],
  ])('%j reads as %j', (name, comparable) => {
    expect(comparableName(name)).toBe(comparable);
  });
});

describe('scanSubmissions with look-alike team names', () => {
  it('accepts several submissions of one team under the same name', async () => {
    const root = await mkdtemp(join(tmpdir(), 'teams-'));
    await writeSubmission(root, 'alpha-one', validLogMel(), { team: 'Team-A' });
    await writeSubmission(root, 'alpha-two', validLogMel(), { team: 'Team-A' });
    expect((await scanSubmissions(root, join(root, '.cache'))).map((s) => s.slug)).toEqual([
      'alpha-one',
      'alpha-two',
    ]);
  });

  it('refuses a name that reads the same but is spelled differently, naming both files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'teams-'));
    await writeSubmission(root, 'alpha', validLogMel(), { team: 'team-a' });
    await writeSubmission(root, 'beta', validLogMel(), { team: 'Team\u2010A' });
    await expect(scanSubmissions(root, join(root, '.cache'))).rejects.toThrow(
      `${join(root, 'beta', 'manifest.json')}: team "Team\u2010A" reads the same as "team-a" in ${join(root, 'alpha', 'manifest.json')} but is spelled differently`,
    );
  });
});

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSubmission } from '../../../pipeline/check/check-submission.ts';
import { mixedScriptProblem, nameSkeleton } from '../../../pipeline/submissions/names.ts';
import { scanSubmissionFolders, scanSubmissions } from '../../../pipeline/submissions/scan.ts';
import { LOGMEL_MANIFEST, validLogMel, writeSubmission } from '../../support/broken-encoders.ts';

describe('nameSkeleton', () => {
  it.each([
    ['Team\u2010A', 'team-a'],
    ['ＴＥＡＭ Ａ', 'team a'],
    ['  Team   A ', 'team a'],
    ['team\u2014a', 'team-a'],
    // Cyrillic е (U+0435) and Greek Alpha (U+0391): TR39's prototypes are Latin.
    ['T\u0435am-A', 'team-a'],
    ['TEAM-\u0391', 'team-a'],
  ])('%j looks like %j', (name, plain) => {
    expect(nameSkeleton(name)).toBe(nameSkeleton(plain));
    expect(nameSkeleton(name)).not.toBe(nameSkeleton('team-b'));
  });

  it('gives a Cyrillic look-alike the skeleton of the Latin name', () => {
    expect(nameSkeleton('\u0410cme Audio Lab')).toBe(nameSkeleton('Acme Audio Lab'));
  });

  it('maps look-alikes within one script too ("rn" for "m", "1" and "I" for "l")', () => {
    expect(nameSkeleton('Acrne')).toBe(nameSkeleton('Acme'));
    expect(nameSkeleton('Lab1')).toBe(nameSkeleton('LabI'));
    expect(nameSkeleton('Acme')).not.toBe(nameSkeleton('Acne'));
  });
});

describe('mixedScriptProblem', () => {
  it('names the word, its scripts and the foreign code points', () => {
    const problem = mixedScriptProblem('\u0410cme Audio Lab');
    expect(problem).toContain('the word "\u0410cme"');
    expect(problem).toContain('Cyrillic');
    expect(problem).toContain('Latin');
    expect(problem).toContain('U+0410');
  });

  it.each([
    'Acme Audio Lab',
    '東京大学 Audio',
    'ひらがな漢字',
    'Ελληνικά Lab',
    'Zürich AI',
    'ΑΒΓ',
    'Team-42 (v2)',
  ])('accepts %j: each word in one script', (name) => {
    expect(mixedScriptProblem(name)).toBeUndefined();
  });
});

describe('scanSubmissions with look-alike names', () => {
  it('accepts several submissions of one team under the same name', async () => {
    const root = await mkdtemp(join(tmpdir(), 'teams-'));
    await writeSubmission(root, 'alpha-one', validLogMel(), { team: 'Team-A' });
    await writeSubmission(root, 'alpha-two', validLogMel(), { team: 'Team-A' });
    expect((await scanSubmissions(root, join(root, '.cache'))).map((s) => s.slug)).toEqual([
      'alpha-one',
      'alpha-two',
    ]);
  });

  it('refuses a name that looks the same but is spelled differently, naming both files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'teams-'));
    await writeSubmission(root, 'alpha', validLogMel(), { team: 'team-a' });
    await writeSubmission(root, 'beta', validLogMel(), { team: 'Team\u2010A' });
    await expect(scanSubmissions(root, join(root, '.cache'))).rejects.toThrow(
      `${join(root, 'beta', 'manifest.json')}: team "Team\u2010A" looks the same as "team-a" in ${join(root, 'alpha', 'manifest.json')} but is spelled differently`,
    );
  });

  it('refuses a team name with a Cyrillic letter beside the Latin original, and only that folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'teams-'));
    await writeSubmission(root, 'look-a', validLogMel(), { team: 'Acme Audio Lab' });
    await writeSubmission(root, 'look-b', validLogMel(), { team: '\u0410cme Audio Lab' });
    await writeSubmission(root, 'good', validLogMel(), { team: 'Good Team' });
    const scan = await scanSubmissionFolders(root, join(root, '.cache'));
    expect(scan.submissions.map((s) => s.slug)).toEqual(['good', 'look-a']);
    expect(scan.broken.map((b) => b.folder)).toEqual(['look-b']);
    expect(scan.broken[0]?.message).toContain(
      `${join(root, 'look-b', 'manifest.json')}: team "\u0410cme Audio Lab": the word "\u0410cme" mixes Cyrillic`,
    );
    expect(scan.broken[0]?.hint).toContain('one script');
  });

  it('refuses same-script look-alikes and look-alike model names', async () => {
    const root = await mkdtemp(join(tmpdir(), 'teams-'));
    const model = (name: string) => ({ model: { ...LOGMEL_MANIFEST.model, name } });
    await writeSubmission(root, 'a-acme', validLogMel(), { team: 'Acme Audio Lab' });
    await writeSubmission(root, 'b-acrne', validLogMel(), { team: 'Acrne Audio Lab' });
    await writeSubmission(root, 'c-model', validLogMel(), { team: 'Other', ...model('BEAT1') });
    await writeSubmission(root, 'd-model', validLogMel(), { team: 'Third', ...model('BEATl') });
    const scan = await scanSubmissionFolders(root, join(root, '.cache'));
    expect(scan.broken.map((b) => b.folder)).toEqual(['b-acrne', 'd-model']);
    expect(scan.broken[1]?.message).toContain(
      `model.name "BEATl" looks the same as "BEAT1" in ${join(root, 'c-model', 'manifest.json')}`,
    );
  });
});

describe('check with look-alike names', () => {
  it('compares a new folder with every other folder beside it, whatever the slugs', async () => {
    const root = await mkdtemp(join(tmpdir(), 'teams-'));
    await writeSubmission(root, 'zz-established', validLogMel(), { team: 'Acme Audio Lab' });
    const dir = await writeSubmission(root, 'aa-newcomer', validLogMel(), {
      team: 'Acme Audio La\u0184',
    });
    const report = await checkSubmission(dir, { cacheDir: join(root, '.cache'), threads: 1 });
    const manifest = report.checks.find((entry) => entry.id === 'manifest');
    expect(manifest?.status).toBe('fail');
    expect(manifest?.message).toContain(
      `looks the same as "Acme Audio Lab" in ${join(root, 'zz-established', 'manifest.json')}`,
    );
    expect(report.passed).toBe(false);
  });
});

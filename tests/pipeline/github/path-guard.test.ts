import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  changedPaths,
  guardChangedPaths,
  parseRawDiff,
} from '../../../pipeline/github/path-guard.ts';

const file = (path: string, status = 'A') => ({ status, path, mode: '100644' });

describe('guardChangedPaths', () => {
  it("accepts changes inside one submission's folder", () => {
    expect(
      guardChangedPaths([
        file('submissions/team-a/manifest.json'),
        file('submissions/team-a/model.onnx', 'M'),
        file('submissions/team-a/old.onnx', 'D'),
      ]),
    ).toEqual({ ok: true, submission: 'team-a', maintainer: false, problems: [] });
  });

  it('refuses paths outside the folder, several submissions, the template and links', () => {
    const verdict = guardChangedPaths([
      file('submissions/team-a/manifest.json'),
      file('results/demo/leaderboard.json', 'M'),
      file('submissions/team-b/manifest.json', 'D'),
      file('submissions/_template/manifest.json', 'M'),
      { status: 'A', path: 'submissions/team-a/data', mode: '120000' },
      {
        status: 'R',
        from: '.github/workflows/ci.yml',
        path: 'submissions/team-a/ci.yml',
        mode: '100644',
      },
    ]);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([
      'results/demo/leaderboard.json: outside submissions/<slug>/; a submission may change only its own folder',
      'submissions/_template/manifest.json: outside submissions/<slug>/; a submission may change only its own folder',
      'submissions/team-a/data: is a symbolic link; submissions hold regular files only',
      '.github/workflows/ci.yml: outside submissions/<slug>/; a submission may change only its own folder',
      'changes 2 submissions (team-a, team-b); open one pull request per submission',
    ]);
  });

  it('refuses edits to the lockfile and the workflows, a deleted result and a submodule', () => {
    expect(
      guardChangedPaths([
        file('submissions/team-a/manifest.json'),
        file('package-lock.json', 'M'),
        file('.github/workflows/pr.yml', 'M'),
        file('results/xares/runs/team-b/esc50.json', 'D'),
        { status: 'A', path: 'submissions/team-a/vendor', mode: '160000' },
      ]).problems,
    ).toEqual([
      'package-lock.json: outside submissions/<slug>/; a submission may change only its own folder',
      '.github/workflows/pr.yml: outside submissions/<slug>/; a submission may change only its own folder',
      'results/xares/runs/team-b/esc50.json: outside submissions/<slug>/; a submission may change only its own folder',
      'submissions/team-a/vendor: is a submodule; submissions hold regular files only',
    ]);
  });

  it('lets maintainers through but still reports what a team could not do', () => {
    const verdict = guardChangedPaths([file('pipeline/cli.ts', 'M')], 'MEMBER');
    expect(verdict).toMatchObject({ ok: true, submission: null, maintainer: true });
    expect(verdict.problems).toHaveLength(1);
    expect(guardChangedPaths([file('pipeline/cli.ts', 'M')], 'CONTRIBUTOR').ok).toBe(false);
  });

  it('refuses an empty change', () => {
    expect(guardChangedPaths([]).problems).toEqual(['changes no file']);
  });
});

describe('changedPaths on a real repository', () => {
  let repo: string;
  const git = async (...args: string[]) =>
    (await promisify(execFile)('git', args, { cwd: repo })).stdout.trim();

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'guard-'));
    await git('init', '-q', '-b', 'main');
    await git('config', 'user.email', 'test@example.org');
    await git('config', 'user.name', 'test');
    await mkdir(join(repo, 'submissions', 'team-a'), { recursive: true });
    await writeFile(join(repo, 'submissions', 'team-a', 'manifest.json'), '{}\n');
    await writeFile(join(repo, 'README.md'), 'readme\n');
    await git('add', '.');
    await git('commit', '-q', '-m', 'base');
    await git('switch', '-q', '-c', 'pr');
    await writeFile(join(repo, 'submissions', 'team-a', 'manifest.json'), '{"a":1}\n');
    await mkdir(join(repo, 'submissions', 'team-b'));
    await writeFile(join(repo, 'submissions', 'team-b', 'model with space.onnx'), 'x');
    await symlink('../../README.md', join(repo, 'submissions', 'team-b', 'link'));
    await rm(join(repo, 'README.md'));
    await git('add', '-A');
    await git('commit', '-q', '-m', 'pr');
  });

  it('lists additions, changes, deletions and links with their modes', async () => {
    const changes = await changedPaths('main', 'pr', repo);
    expect(changes).toEqual([
      { status: 'D', path: 'README.md', mode: '000000' },
      { status: 'M', path: 'submissions/team-a/manifest.json', mode: '100644' },
      { status: 'A', path: 'submissions/team-b/link', mode: '120000' },
      { status: 'A', path: 'submissions/team-b/model with space.onnx', mode: '100644' },
    ]);
    expect(guardChangedPaths(changes).problems).toHaveLength(3);
  });

  it('rejects text that is not git diff --raw output', () => {
    expect(() => parseRawDiff('hello\0')).toThrow('unexpected line in git diff --raw output');
  });
});

/**
 * The GitHub workflows are part of the security boundary (see docs/organisers.md): this test
 * parses each one and holds it to the rules, so a careless edit fails CI instead of leaking a
 * secret or a write token to pull-request code.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}
interface Job {
  readonly permissions?: Record<string, string>;
  readonly 'timeout-minutes'?: number;
  readonly environment?: string | { name: string };
  readonly steps?: readonly Step[];
  readonly env?: Record<string, unknown>;
}
interface Workflow {
  readonly name: string;
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const directory = join(import.meta.dirname, '..', '.github', 'workflows');
const files = readdirSync(directory)
  .filter((name) => name.endsWith('.yml'))
  .sort();
const text = (file: string) => readFileSync(join(directory, file), 'utf8');
const workflows = Object.fromEntries(
  files.map((file) => [file, parse(text(file)) as Workflow]),
) as Record<string, Workflow>;
const jobsOf = (file: string) => Object.entries(workflows[file]?.jobs ?? {});
const triggers = (file: string) => Object.keys(workflows[file]?.on ?? {}).sort();
const environmentName = (job: Job) =>
  typeof job.environment === 'string' ? job.environment : job.environment?.name;

describe('GitHub workflows', () => {
  it('are the expected set', () => {
    expect(files).toEqual([
      'ci.yml',
      'evaluate.yml',
      'official.yml',
      'pages.yml',
      'pr-comment.yml',
      'pr.yml',
    ]);
  });

  it('start on the expected triggers, and never on pull_request_target', () => {
    expect(triggers('ci.yml')).toEqual(['pull_request', 'push']);
    expect(triggers('pr.yml')).toEqual(['pull_request']);
    expect(triggers('pr-comment.yml')).toEqual(['workflow_run']);
    expect(workflows['pr-comment.yml']?.on['workflow_run']).toEqual({
      workflows: [workflows['pr.yml']?.name],
      types: ['completed'],
    });
    expect(triggers('evaluate.yml')).toEqual(['push', 'schedule', 'workflow_dispatch']);
    expect(workflows['evaluate.yml']?.on['push']).toMatchObject({ branches: ['main'] });
    expect(triggers('official.yml')).toEqual(['workflow_dispatch']);
    expect(triggers('pages.yml')).toEqual(['push', 'workflow_dispatch']);
    for (const file of files) {
      expect(text(file), file).not.toContain('pull_request_target');
    }
  });

  it('grant nothing at workflow level and give every job its permissions and a timeout', () => {
    for (const file of files) {
      expect(workflows[file]?.permissions, file).toEqual({});
      for (const [name, job] of jobsOf(file)) {
        expect(job.permissions, `${file} ${name}`).toBeDefined();
        expect(job['timeout-minutes'], `${file} ${name}`).toBeGreaterThan(0);
        expect(job['timeout-minutes'], `${file} ${name}`).toBeLessThanOrEqual(360);
      }
    }
  });

  it('pin every action by full commit sha, with the version in a comment', () => {
    for (const file of files) {
      for (const line of text(file)
        .split('\n')
        .filter((entry) => /^\s*(- )?uses:/.test(entry))) {
        expect(line, file).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
      }
    }
  });

  it('never interpolate expressions into shell scripts (values go through env)', () => {
    for (const file of files) {
      for (const [name, job] of jobsOf(file)) {
        for (const step of job.steps ?? []) {
          expect(step.run ?? '', `${file} ${name}`).not.toContain('${{');
        }
      }
    }
  });

  it('check out without persisting credentials', () => {
    for (const file of files) {
      for (const [name, job] of jobsOf(file)) {
        for (const step of job.steps ?? []) {
          if (step.uses?.startsWith('actions/checkout@')) {
            expect(step.with?.['persist-credentials'], `${file} ${name}`).toBe(false);
          }
        }
      }
    }
  });

  it('keep secrets and write access away from every job a pull request can reach', () => {
    const reachable = files.filter((file) =>
      ['pull_request', 'workflow_run'].some((trigger) => triggers(file).includes(trigger)),
    );
    expect(reachable).toEqual(['ci.yml', 'pr-comment.yml', 'pr.yml']);
    for (const file of reachable) {
      for (const [name, job] of jobsOf(file)) {
        const where = `${file} ${name}`;
        expect(JSON.stringify(job), where).not.toMatch(/secrets\./);
        expect(environmentName(job), where).toBeUndefined();
        const writes = Object.entries(job.permissions ?? {})
          .filter(([, level]) => level === 'write')
          .map(([scope]) => scope);
        // Only the comment job writes, and only to pull requests.
        expect(writes, where).toEqual(file === 'pr-comment.yml' ? ['pull-requests'] : []);
      }
    }
  });

  it('never run pull-request code where the token can write', () => {
    const comment = jobsOf('pr-comment.yml');
    for (const [name, job] of comment) {
      for (const step of job.steps ?? []) {
        if (step.uses?.startsWith('actions/checkout@')) {
          // The default branch only: no ref, repository or path pointing at the PR's head.
          expect(step.with?.['ref'], name).toBeUndefined();
          expect(step.with?.['repository'], name).toBeUndefined();
        }
      }
      // The report is read as data from the runner's temp folder and checked against the head.
      const script = (job.steps ?? []).map((step) => step.run ?? '').join('\n');
      expect(script).toContain('$RUNNER_TEMP/report');
      expect(script).toContain('pipeline -- pr-comment');
      expect(script).toMatch(/head.*!=.*RUN_HEAD_SHA/);
    }
  });

  it('hold the private-task secrets only in the official environment of a manual rebuild', () => {
    for (const file of files) {
      for (const [name, job] of jobsOf(file)) {
        if (JSON.stringify(job).includes('secrets.')) {
          expect(`${file} ${name} ${environmentName(job) ?? ''}`).toBe(
            'official.yml evaluate official',
          );
        }
      }
    }
  });

  it('let only the results and Pages jobs of trusted workflows write', () => {
    const writers = files.flatMap((file) =>
      jobsOf(file)
        .filter(([, job]) => Object.values(job.permissions ?? {}).includes('write'))
        .map(([name, job]) => `${file} ${name}: ${JSON.stringify(job.permissions)}`),
    );
    expect(writers).toEqual([
      'evaluate.yml publish: {"contents":"write"}',
      'evaluate.yml deploy: {"pages":"write","id-token":"write"}',
      'official.yml publish: {"contents":"write"}',
      'official.yml deploy: {"pages":"write","id-token":"write"}',
      'pages.yml deploy: {"pages":"write","id-token":"write"}',
      'pr-comment.yml comment: {"actions":"read","contents":"read","pull-requests":"write"}',
    ]);
  });

  it('never cancel evaluation or publishing that is under way', () => {
    for (const file of ['evaluate.yml', 'official.yml']) {
      const workflow = workflows[file] as Workflow & {
        concurrency?: { group: string; 'cancel-in-progress': boolean };
      };
      expect(workflow.concurrency, file).toEqual({
        group: 'evaluate',
        'cancel-in-progress': false,
      });
    }
  });

  it("plan, evaluate and merge every protocol, and upload each protocol's runs", () => {
    for (const [file, job] of [
      ['evaluate.yml', 'evaluate'],
      ['official.yml', 'evaluate'],
    ] as const) {
      const workflow = workflows[file];
      const scripts = Object.values(workflow?.jobs ?? {})
        .flatMap((entry) => entry.steps ?? [])
        .map((step) => step.run ?? '')
        .join('\n');
      expect(scripts, file).toContain('plan --protocol all');
      expect(scripts, file).toContain('evaluate --protocol all');
      expect(scripts, file).toContain('merge --protocol all');
      const upload = ((workflow?.jobs[job] as Job).steps ?? []).find((step) =>
        (step.uses ?? '').startsWith('actions/upload-artifact@'),
      );
      const path = upload?.with?.['path'];
      expect(typeof path, file).toBe('string');
      expect(String(path), file).toMatch(/!.*\*\*\/leaderboard\.json/);
      expect(String(path), file).not.toMatch(/\/runs\/\s*$/);
    }
  });

  it('rebuild the leaderboard from the committed results before publishing the site', () => {
    const script = (workflows['pages.yml']?.jobs['build']?.steps ?? [])
      .map((step) => step.run ?? '')
      .join('\n');
    const score = script.indexOf('score --suite xares --protocol all');
    expect(score).toBeGreaterThan(-1);
    expect(script.indexOf('npx astro build')).toBeGreaterThan(score);
    // The demo path goes through `npm run build`, which evaluates (and rebuilds) first.
    expect(script).toContain('npm run build');
  });

  it('evaluate on the WebGPU provider by default and download CUDA only when asked', () => {
    for (const file of ['evaluate.yml', 'official.yml']) {
      const job = workflows[file]?.jobs['evaluate'] as Job;
      expect(job.env?.['DEVICE'], file).toBe(
        "${{ inputs.device || (vars.GPU_RUNNER_LABEL && 'webgpu' || 'auto') }}",
      );
      const dispatch = workflows[file]?.on['workflow_dispatch'] as {
        inputs: Record<string, { default?: string }>;
      };
      expect(dispatch.inputs['device']?.default, file).toBe('webgpu');
      const scripts = (job.steps ?? []).map((step) => step.run ?? '').join('\n');
      expect(scripts, file).toContain('evaluate --protocol all --device "$DEVICE"');
      expect(scripts, file).toMatch(
        /if \[ "\$DEVICE" = cuda \] .*\n\s+node node_modules\/onnxruntime-node\/script\/install\.js --onnxruntime-node-install=cuda12/,
      );
    }
  });
});

describe('the publish step', () => {
  /** Run a workflow step's script as Actions does, with `git` and `sleep` replaced by fakes. */
  function runPublish(file: string, pushSucceeds: boolean): { status: number; output: string } {
    const step = jobsOf(file)
      .flatMap(([, job]) => job.steps ?? [])
      .find((candidate) => (candidate as { id?: string }).id === 'commit');
    if (!step?.run) {
      throw new Error(`${file}: no step with id "commit"`);
    }
    const work = mkdtempSync(join(tmpdir(), 'publish-'));
    const bin = join(work, 'bin');
    mkdirSync(bin);
    // diff --cached --quiet exits 1: there is something to publish.
    writeFileSync(
      join(bin, 'git'),
      `#!/bin/sh\ncase "$1 $2" in\n  "diff --cached") exit 1 ;;\n  "push "*) exit ${pushSucceeds ? 0 : 1} ;;\nesac\nexit 0\n`,
      { mode: 0o755 },
    );
    writeFileSync(join(bin, 'sleep'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    writeFileSync(join(work, 'step.sh'), step.run);
    const output = join(work, 'output');
    writeFileSync(output, '');
    const done = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', 'step.sh'], {
      cwd: work,
      encoding: 'utf8',
      env: {
        PATH: `${bin}:${process.env['PATH'] ?? ''}`,
        GITHUB_OUTPUT: output,
        LEADERBOARD_SUITE: 'demo',
        GH_TOKEN: 'token',
        REPOSITORY: 'owner/repo',
        RUN_URL: 'https://example.invalid/run',
      },
    });
    return { status: done.status ?? -1, output: readFileSync(output, 'utf8') };
  }

  it.each(['evaluate.yml', 'official.yml'])(
    '%s fails, and publishes nothing, when every push fails',
    (file) => {
      const failed = runPublish(file, false);
      expect(failed.status).not.toBe(0);
      expect(failed.output).not.toContain('published=true');
      const pushed = runPublish(file, true);
      expect(pushed.status).toBe(0);
      expect(pushed.output).toContain('published=true');
    },
  );
});

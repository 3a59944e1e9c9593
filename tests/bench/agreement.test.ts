import { spawnSync } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../support/build-site.ts';
import { rewriteResult } from '../support/results.ts';

const runs = join(import.meta.dirname, '..', 'fixtures', 'runs');

function compare(cpu: string, gpu: string) {
  const run = spawnSync(process.execPath, ['bench/agreement.ts', cpu, gpu], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
  });
  return {
    status: run.status,
    report: JSON.parse(run.stdout) as {
      agree: boolean;
      summary: { pairs: number; trackBIdentical: boolean; maxTrackADifference: number };
    },
  };
}

describe('bench/agreement.ts (the GPU run compares providers with it)', () => {
  it('agrees on identical results and names a Track B difference or a Track A drift', async () => {
    const work = await mkdtemp(join(tmpdir(), 'agreement-'));
    const cpu = join(work, 'cpu');
    const gpu = join(work, 'gpu');
    await cp(runs, join(cpu, 'runs'), { recursive: true });
    await cp(runs, join(gpu, 'runs'), { recursive: true });
    const same = compare(cpu, gpu);
    expect(same.status).toBe(0);
    expect(same.report.agree).toBe(true);
    expect(same.report.summary.pairs).toBe(6);

    const file = join(gpu, 'runs', 'random-conv', 'demo_timbre.json');
    await rewriteResult(file, (result) => {
      const trackA = result['trackA'] as { score: number; folds: { score: number }[] };
      trackA.score = Number((trackA.score + 0.001).toFixed(6));
      for (const fold of trackA.folds) {
        fold.score = Number((fold.score + 0.001).toFixed(6));
      }
    });
    const drifted = compare(cpu, gpu);
    expect(drifted.status).toBe(1);
    expect(drifted.report.summary.maxTrackADifference).toBeCloseTo(0.001, 6);
    expect(drifted.report.summary.trackBIdentical).toBe(true);
  });

  it('is a valid bash script, the prepared device run', () => {
    const check = spawnSync('bash', ['-n', join(REPOSITORY_ROOT, 'bench', 'gpu', 'run.sh')]);
    expect(check.status).toBe(0);
  });
});

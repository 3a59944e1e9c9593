/**
 * Results on a GPU equal results on the CPU: Track B identical, Track A within 1e-4, for the demo
 * clip tasks with both tracks. Runs wherever the WebGPU provider starts (an NVIDIA GPU with its
 * Vulkan driver, or Mesa's software lavapipe driver: see docs/gpu.md) and says loudly that it
 * was skipped otherwise.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TaskResultFile } from '../../schemas/result.ts';
import { resultFile } from '../../schemas/results-layout.ts';
import { evaluate } from '../../pipeline/run/loop.ts';
import { readJsonFile } from '../../pipeline/io/files.ts';
import { createMemoryLogger } from '../../pipeline/log.ts';
import { providerProblem, type DeviceRequest } from '../../pipeline/runtime/ort.ts';
import { REPOSITORY_ROOT } from '../support/build-site.ts';
import { BUDGETS } from '../support/budgets.ts';

const SUBMISSIONS = ['logmel-baseline', 'random-conv'] as const;
const TASKS = ['demo_sound_events', 'demo_timbre'] as const;

const problem = await providerProblem('webgpu');
if (problem !== undefined) {
  process.stderr.write(
    `\n!! GPU AGREEMENT TEST SKIPPED: the WebGPU provider does not start here (${problem}).\n` +
      '!! GPU results were not compared with CPU results. docs/gpu.md says how to run it.\n\n',
  );
}

async function evaluateOn(device: DeviceRequest): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), `agreement-${device}-`));
  for (const task of TASKS) {
    const outcome = await evaluate({
      suiteId: 'demo',
      resultsDir: join(work, 'results'),
      cacheDir: join(work, 'cache'),
      submissionsDir: join(REPOSITORY_ROOT, 'submissions'),
      task,
      device,
      replicates: 200,
      logger: createMemoryLogger(),
    });
    expect(outcome.failed).toEqual([]);
  }
  return join(work, 'results');
}

describe.skipIf(problem !== undefined)('results on the WebGPU provider', () => {
  const dirs = new Map<DeviceRequest, string>();
  beforeAll(async () => {
    dirs.set('cpu', await evaluateOn('cpu'));
    dirs.set('webgpu', await evaluateOn('webgpu'));
  }, BUDGETS.soak);

  it.each(SUBMISSIONS.flatMap((slug) => TASKS.map((task) => [slug, task] as const)))(
    'equal the CPU results for %s x %s (Track B identical, Track A within 1e-4)',
    async (slug, task) => {
      const read = (device: DeviceRequest) =>
        readJsonFile(resultFile(dirs.get(device) as string, slug, task), TaskResultFile, 'result');
      const cpu = await read('cpu');
      const gpu = await read('webgpu');
      expect(cpu.provenance.executionProvider).toBe('cpu');
      expect(gpu.provenance.executionProvider).toBe('webgpu');
      expect(gpu.provenance.gpu?.name).toBeTruthy();
      expect(cpu.provenance.gpu).toBeUndefined();
      expect(gpu.trackB?.score).toBe(cpu.trackB?.score);
      expect(gpu.trackB?.folds).toEqual(cpu.trackB?.folds);
      expect(Math.abs(gpu.trackA.score - cpu.trackA.score)).toBeLessThan(1e-4);
      for (const [i, fold] of cpu.trackA.folds.entries()) {
        expect(Math.abs((gpu.trackA.folds[i]?.score ?? Number.NaN) - fold.score)).toBeLessThan(
          1e-4,
        );
      }
    },
  );
});
